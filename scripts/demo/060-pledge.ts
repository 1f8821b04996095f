import type { Chapter } from "./story";
import { buildInstrument, issueSecurity } from "../../lib/tokens";
import { isoToDay } from "../../lib/core/dates";
import { closeBusinessDate } from "../../lib/oracle/close";
import { buildTerms, describeValuation, readPledge, requestedId, signPledgeRequest, valuationsOf } from "../../lib/pledge";
import type { PledgeBook, PriceOracle, SecurityToken, TokenFactory } from "../../typechain-types";

const ISIN = "RU000ACSC847"; // Baltic Retail ord., priced by the sample data
const LAST_CLOSE_DATE = "2026-11-13"; // last business date of the sample data
const NEXT_DATE = "2026-11-19"; // the next XMOS business date after the repo chapter's closes

const chapter: Chapter = {
  title: "Securities pledge: a share-backed loan crosses its warning line",
  async run(story) {
    const { hre, actors } = story;
    const { ethers } = hre;
    const c = story.deployment.contracts;
    const tokens = story.state.tokens as { cash: string };
    const factory = (await ethers.getContractAt("TokenFactory", c.TokenFactory, actors.csd)) as unknown as TokenFactory;
    const book = (await ethers.getContractAt("PledgeBook", c.PledgeBook, actors.csd)) as unknown as PledgeBook;
    const oracle = (await ethers.getContractAt("PriceOracle", story.state.oracle as string, actors.oracle1)) as unknown as PriceOracle;
    const investor = actors.investors[1];
    const ids = story.ids as { broker: number };

    const issued = await issueSecurity(factory, {
      name: "Baltic Retail ordinary share",
      symbol: "BRTL",
      decimals: 0,
      instrument: buildInstrument({ isin: ISIN, kind: "Equity", currency: "RUB" }),
    });
    const share = (await ethers.getContractAt("SecurityToken", issued.address, actors.csd)) as unknown as SecurityToken;
    await (await share.mint(investor.address, 10_000n, ethers.encodeBytes32String("deposit BRTL investor 2"))).wait();
    story.names.set(issued.address.toLowerCase(), "BRTL");
    story.say(`Investor 2 deposits 10,000 Baltic Retail shares (${ISIN}) and borrows against them from bank A.`);
    story.say("It authorises its broker in the pledge book; the broker and bank A sign the terms (EIP-712).\n");
    await (await book.connect(investor).authoriseBroker(ids.broker)).wait();

    const start = isoToDay(LAST_CLOSE_DATE);
    const terms = buildTerms({
      pledger: investor.address,
      pledgee: actors.bankA.address,
      security: issued.address,
      cashToken: tokens.cash,
      quantity: 10_000n,
      principal: 2_540_000_00n,
      interestRate: 9n * 10n ** 16n,
      startDate: start,
      maturityDate: start + 182,
      topUpDays: 2,
      calendarId: ethers.hexlify(ethers.toUtf8Bytes("XMOS")),
    });
    const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
    const brokerSig = await signPledgeRequest(book, actors.broker, terms, deadline);
    const bankSig = await signPledgeRequest(book, actors.bankA, terms, deadline);
    const id = requestedId(book, await (await book.connect(actors.broker).requestSigned(terms, deadline, brokerSig, bankSig)).wait());
    await (await book.register(id)).wait();
    const p = await readPledge(book, id);
    story.table(
      [
        {
          pledge: `#${id}`,
          pledger: story.who(investor.address),
          pledgee: story.who(actors.bankA.address),
          shares: p.shares,
          principal: "2,540,000.00 RUB",
          rate: "9% ACT/365",
          lines: "warning 160% / liquidation 140%",
          restoreTarget: `${(Number((p.restoreTarget * 10000n) / 10n ** 18n) / 100).toFixed(2)}% (initial ratio)`,
          encumbered: await share.encumbered(investor.address, c.PledgeBook, id),
          free: await share.freeBalance(investor.address),
        },
      ],
      undefined,
      "Registered by the depository: the shares stay in the investor's account, encumbered for the pledge",
    );

    const rows: Record<string, unknown>[] = [];
    const v1 = valuationsOf(book, await (await book.value([id], start)).wait());
    rows.push(describeValuation(v1[0], 2));
    story.say(`\nOn ${NEXT_DATE} the oracle operator pushes a close 7 % lower, closes XMOS for the day, and the daily valuation`);
    story.say("runs again.");
    await (
      await oracle.pushPrices([
        { feedId: ethers.hexlify(ethers.toUtf8Bytes(ISIN)), date: isoToDay(NEXT_DATE), price: ethers.parseUnits("401.05", 18) },
      ])
    ).wait();
    await closeBusinessDate(oracle, "XMOS", isoToDay(NEXT_DATE));
    const receipt = await (await book.value([id], isoToDay(NEXT_DATE))).wait();
    rows.push(describeValuation(valuationsOf(book, receipt)[0], 2));
    story.table(
      rows,
      ["id", "date", "close", "payable", "collateral", "ratio", "level"],
      "Daily valuation (amount payable = principal + accrued interest)",
    );
    const changed = receipt!.logs.map((l) => book.interface.parseLog(l)).find((e) => e?.name === "PledgeLevelChanged");
    if (changed) {
      story.say(`\nPledgeLevelChanged(#${id}, Normal → Warning): the watcher sends the warning notice to the investor,`);
      story.say("its broker and bank A. No top-up is due yet: that starts at the 140 % liquidation line.");
    }
    story.state.pledgeId = id;
  },
};
export default chapter;
