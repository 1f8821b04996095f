import type { Chapter } from "./story";
import type { CashToken, PriceOracle, RepoBook, SecurityToken } from "../../typechain-types";
import { pct, propose, RepoTerms, repoHistory, REPO_STATUSES, revalueInBatches, signTerms, revalueUpdated } from "../../lib/repo";
import { closeBusinessDate } from "../../lib/oracle/close";
import { assetFeedId, calendarToBytes4, currencyToBytes3 } from "../../lib/oracle/ids";
import { dayToIso, isoToDay } from "../../lib/core/dates";
import { formatAmount } from "../../lib/tokens";

const WAD = 10n ** 18n;

const chapter: Chapter = {
  title: "Repo: signed by both banks, revalued daily, a margin call after a price drop, repurchased",
  async run(story) {
    const { hre, actors } = story;
    const { ethers } = hre;
    const c = story.deployment.contracts;
    const tokens = story.state.tokens as { bond: string; cash: string };
    const book = (await ethers.getContractAt("RepoBook", c.RepoBook, actors.csd)) as unknown as RepoBook;
    const oracle = (await ethers.getContractAt("PriceOracle", c.PriceOracle, actors.csd)) as unknown as PriceOracle;
    const ofz = (await ethers.getContractAt("SecurityToken", tokens.bond, actors.csd)) as unknown as SecurityToken;
    const rub = (await ethers.getContractAt("CashToken", tokens.cash, actors.csd)) as unknown as CashToken;
    const isin = await ofz.isin();
    const ids = story.ids as Record<string, number>;

    // The OFZ is priced by the oracle from now on (10 % guard rail, 10 days maximum age).
    await (await oracle.configureAsset(isin, currencyToBytes3("RUB"), calendarToBytes4("XMOS"), WAD / 10n, 10)).wait();

    const terms: RepoTerms = {
      borrower: ids.bankA,
      lender: ids.bankB,
      borrowerAccount: actors.bankA.address,
      lenderAccount: actors.bankB.address,
      security: tokens.bond,
      quantity: 8_000n,
      currency: currencyToBytes3("RUB"),
      purchasePrice: 6_400_000_00n,
      repoRate: (12n * WAD) / 100n,
      basis: 365,
      tradeDate: isoToDay("2026-11-09"),
      startDate: isoToDay("2026-11-09"),
      repurchaseDate: isoToDay("2026-11-20"),
      initialLtv: (80n * WAD) / 100n,
      lowerTrigger: (75n * WAD) / 100n,
      upperTrigger: (85n * WAD) / 100n,
      marginDeadlineDays: 2,
      minimumTransfer: 10_000_00n,
      cashMarginRate: (8n * WAD) / 100n,
      calendar: calendarToBytes4("XMOS"),
      couponDayCount: 0, // 30/360 Bond Basis, the OFZ's own convention
      marginMethod: 0, // GMRA Method B: the LTV corridor
      marginRatio: 0n,
    };
    story.say("Bank A (cash borrower) sells 8,000 OFZ26238 to bank B (cash lender) for 6,400,000.00 RUB and agrees to");
    story.say("buy them back on 2026-11-20 at 12 % (ACT/365). The depository is the tri-party agent. Corridor: initial");
    story.say("LTV 80 %, calls above 85 % (on bank A) or below 75 % (on bank B), due in 2 XMOS business days, MTA 10,000.00.\n");

    const { id, receipt: proposed } = await propose(book.connect(actors.bankA), terms);
    const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
    const gas: Record<string, bigint> = { propose: proposed.gasUsed };
    for (const [who, signer] of [
      ["bank A", actors.bankA2],
      ["bank B", actors.bankB],
    ] as const) {
      const sig = await signTerms(book, signer, id, deadline);
      const r = (await (await book.sign(id, sig.signer, deadline, sig.signature)).wait())!;
      gas[`signature ${who}`] = r.gasUsed;
    }
    gas.accept = (await (await book.accept(id)).wait())!.gasUsed;
    gas["opening leg"] = (await (await book.settleOpening(id)).wait())!.gasUsed;
    await (
      await book.connect(actors.bankA).attachDocument(id, ethers.id("GMRA 2011 + Annex I, bank A / bank B"), "https://docs.example/gmra/ab")
    ).wait();
    story.table(
      Object.entries(gas).map(([step, g]) => ({ step, gas: g.toLocaleString("en-US") })),
      ["step", "gas"],
      `Deal ${id}: proposed by bank A, EIP-712 signatures of both banks, accepted and settled by the agent`,
    );
    const bookAddress = await book.getAddress();
    story.say(
      `\nBank B now holds ${await ofz.encumbered(actors.bankB.address, bookAddress, id)} OFZ encumbered under the deal; bank A received the cash.\n`,
    );

    // Daily cycle: the price push, the close of business of XMOS for the day, then the open deals holding the
    // security are revalued (XMOS is closed up to the sample data's last date, so the deal's prices start after it).
    const signer = actors.csd;
    const day = async (iso: string, price: string) => {
      const date = isoToDay(iso);
      await (await oracle.pushPrices([{ feedId: isin, date, price: ethers.parseUnits(price, 18) }])).wait();
      await closeBusinessDate(oracle, "XMOS", date);
      return revalueUpdated(hre, signer, [{ feedId: assetFeedId(ethers.toUtf8String(isin)), feed: ethers.toUtf8String(isin), date }]);
    };
    const d1 = await day("2026-11-16", "980");
    story.say(`2026-11-16: clean price 980.00, XMOS closed → ${d1.revalued} deal revalued, ${d1.marginCalls} margin call.`);
    const d2 = await day("2026-11-17", "900");
    story.say(`2026-11-17: the OFZ falls to 900.00, XMOS closed → ${d2.revalued} deal revalued, ${d2.marginCalls} margin call raised:`);
    const o = await book.obligation(id, 0);
    story.table(
      [
        {
          on: "bank A",
          raised: dayToIso(Number(o.raisedOn)),
          due: dayToIso(Number(o.dueDate)),
          "cash (RUB)": formatAmount(o.cash, 2),
          "or OFZ": o.quantity,
        },
      ],
      undefined,
      "Margin call (restores the initial 80 % LTV; securities rounded up against the borrower)",
    );
    const settle = (await (await book.connect(actors.bankA).settleObligation(id, 0, true)).wait())!;
    story.say(
      `\nBank A delivers ${o.quantity} OFZ (${settle.gasUsed.toLocaleString("en-US")} gas): they move to bank B, still encumbered under the deal.`,
    );
    const d3 = await day("2026-11-18", "905");
    story.say(`2026-11-18: clean price 905.00, XMOS closed → ${d3.revalued} deal revalued, ${d3.marginCalls} margin call.`);
    const again = await revalueInBatches(book, [id], isoToDay("2026-11-18"));
    story.say(`Running the 2026-11-18 revaluation again changes nothing (${again.rows.length} events): it is idempotent per date.\n`);

    const history = await repoHistory(book, id, 2, story.deployment.block);
    story.table(
      history.map((h) => ({
        date: h.date,
        clean: h.cleanPrice,
        accrued: Number(h.accruedCoupon).toFixed(4),
        qty: h.quantity,
        "repurchase price": h.repurchasePrice,
        "market value": h.marketValue,
        "old LTV": h.oldLtv === "0.0" ? "" : pct(ethers.parseUnits(h.oldLtv!, 18)),
        LTV: pct(ethers.parseUnits(h.ltv!, 18)),
        action: h.action,
      })),
      undefined,
      "Recalculation history (every input and output is in the RepoRevalued events)",
    );
    story.say(`(the reports chapter writes it to CSV, as npx hardhat repo:history --id ${id} --csv <file> does)\n`);

    const before = { a: await rub.balanceOf(actors.bankA.address), b: await rub.balanceOf(actors.bankB.address) };
    const closing = (await (await book.settleRepurchase(id)).wait())!;
    const closed = closing.logs.map((l) => book.interface.parseLog(l)).find((p) => p?.name === "RepoClosed")!;
    const cl = closed.args.closing;
    story.say(
      `2026-11-20: the agent settles the closing leg (${closing.gasUsed.toLocaleString("en-US")} gas): bank A pays the repurchase price`,
    );
    story.say(`${formatAmount(cl.repurchasePrice, 2)} RUB (11 days at 12 %) and gets back all ${cl.quantity} OFZ, now free.\n`);
    story.table(
      [
        {
          bank: "bank A",
          "RUBt change": formatAmount((await rub.balanceOf(actors.bankA.address)) - before.a, 2),
          "OFZ free": await ofz.freeBalance(actors.bankA.address),
        },
        {
          bank: "bank B",
          "RUBt change": formatAmount((await rub.balanceOf(actors.bankB.address)) - before.b, 2),
          "OFZ free": await ofz.freeBalance(actors.bankB.address),
        },
      ],
      undefined,
      `Deal ${id} is ${REPO_STATUSES[Number((await book.dealState(id)).status)]}`,
    );
    story.state.repo = { book: c.RepoBook, dealId: id.toString() };
  },
};
export default chapter;
