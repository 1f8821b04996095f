import type { Chapter } from "./story";
import { buildInstrument, formatAmount, issueCash, issueSecurity, Trade } from "../../lib/tokens";
import { isinCheckDigit } from "../../lib/core/isin";
import { dayOfTimestamp, dayToIso } from "../../lib/core/dates";
import type { CashToken, DvPSettlement, SecurityToken, TokenFactory } from "../../typechain-types";

const chapter: Chapter = {
  title: "Issuance: securities and cash become tokens, and a DvP trade settles",
  async run(story) {
    const { hre, actors } = story;
    const { ethers } = hre;
    const c = story.deployment.contracts;
    const factory = (await ethers.getContractAt("TokenFactory", c.TokenFactory, actors.csd)) as unknown as TokenFactory;
    const dvp = (await ethers.getContractAt("DvPSettlement", c.DvPSettlement, actors.csd)) as unknown as DvPSettlement;
    const reason = (text: string) => ethers.encodeBytes32String(text);

    story.say("The depository issues one token per security through its factory (each a beacon proxy, so one");
    story.say("upgrade serves them all) and one cash token per currency. Instrument data lives on chain.\n");
    const bondIsin = "RU000A0JX0J" + isinCheckDigit("RU000A0JX0J");
    const equity = await issueSecurity(factory, {
      name: "Sberbank ordinary share",
      symbol: "SBER",
      decimals: 0,
      instrument: buildInstrument({ isin: "RU0009029540", kind: "Equity", currency: "RUB" }),
    });
    const bond = await issueSecurity(factory, {
      name: "OFZ 26238 federal loan bond",
      symbol: "OFZ26238",
      decimals: 0,
      instrument: buildInstrument({
        isin: bondIsin,
        kind: "Bond",
        currency: "RUB",
        faceValue: "1000",
        couponPercent: "7.1",
        couponFrequency: 2,
        issueDate: "2021-06-02",
        maturityDate: "2041-05-15",
        dayCount: "Thirty360BondBasis",
      }),
    });
    const cash = await issueCash(factory, { name: "Tokenized RUB settlement cash", symbol: "RUBt", decimals: 2, currency: "RUB" });
    story.table(
      [
        { token: "SBER", kind: "Equity", isin: "RU0009029540", decimals: 0, terms: "ordinary share", address: equity.address },
        {
          token: "OFZ26238",
          kind: "Bond",
          isin: bondIsin,
          decimals: 0,
          terms: "face 1000 RUB, 7.1% semi-annual, 30/360 bond basis, 2041-05-15",
          address: bond.address,
        },
        { token: "RUBt", kind: "Cash", isin: "", decimals: 2, terms: "RUB deposit at the settlement bank", address: cash.address },
      ],
      ["token", "kind", "isin", "decimals", "terms", "address"],
    );
    for (const [a, n] of [
      [equity.address, "SBER"],
      [bond.address, "OFZ26238"],
      [cash.address, "RUBt"],
    ]) {
      story.names.set(a.toLowerCase(), n);
    }

    const sber = (await ethers.getContractAt("SecurityToken", equity.address, actors.csd)) as unknown as SecurityToken;
    const ofz = (await ethers.getContractAt("SecurityToken", bond.address, actors.csd)) as unknown as SecurityToken;
    const rub = (await ethers.getContractAt("CashToken", cash.address, actors.csd)) as unknown as CashToken;

    story.say("\nDeposits are credited (mint, each with a reason): bank A brings bonds, bank B brings cash,");
    story.say("investors bring shares.\n");
    await (await ofz.mint(actors.bankA.address, 20_000n, reason("deposit OFZ from bank A"))).wait();
    await (await rub.mint(actors.bankA.address, 100_000_00n, reason("deposit RUB from bank A"))).wait();
    await (await rub.mint(actors.bankB.address, 50_000_000_00n, reason("deposit RUB from bank B"))).wait();
    await (await ofz.mint(actors.bankB.address, 100n, reason("deposit OFZ from bank B"))).wait();
    const shares = [1_000n, 2_500n, 400n];
    for (let i = 0; i < shares.length; i++) {
      await (await sber.mint(actors.investors[i].address, shares[i], reason(`deposit SBER investor ${i + 1}`))).wait();
    }

    story.say("A stranger (not onboarded) cannot receive shares — compliance refuses it in the transfer hook:");
    try {
      await sber.connect(actors.investors[0]).transfer.staticCall(actors.stranger.address, 10n);
    } catch (e) {
      const err = sber.interface.parseError((e as { data: string }).data);
      story.say(`  refused: ${err?.name}(${err?.args.join(", ")})\n`);
    }

    const today = dayOfTimestamp((await ethers.provider.getBlock("latest"))!.timestamp);
    const trade: Trade = {
      security: bond.address,
      quantity: 500n,
      cash: cash.address,
      amount: 500n * 985_00n,
      seller: actors.bankA.address,
      buyer: actors.bankB.address,
      settlementDate: today,
      tradeRef: ethers.encodeBytes32String("OTC-2026-0001"),
    };
    story.say(`OTC trade OTC-2026-0001: bank A sells 500 OFZ26238 to bank B at 985.00 RUB, settlement ${dayToIso(today)}.`);
    story.say("Both banks instruct the same terms; the second instruction matches and both legs move at once.\n");
    const before = await balances();
    await (await dvp.connect(actors.bankA).instruct(trade)).wait();
    const receipt = (await (await dvp.connect(actors.bankB).instruct(trade)).wait())!;
    story.say(`settled in one transaction (${receipt.hash.slice(0, 18)}…, ${receipt.gasUsed.toLocaleString("en-US")} gas)\n`);
    const after = await balances();
    story.table(
      after.map((r, i) => ({ ...r, "OFZ before": before[i].OFZ26238, "RUBt before": before[i].RUBt })),
      ["holder", "OFZ before", "OFZ26238", "RUBt before", "RUBt", "SBER"],
      "Holdings after issuance and DvP",
    );

    story.state.tokens = { equity: equity.address, bond: bond.address, cash: cash.address };
    story.state.tokenFactory = c.TokenFactory;
    story.state.dvp = c.DvPSettlement;

    async function balances() {
      const who: [string, string][] = [
        ["Bank A", actors.bankA.address],
        ["Bank B", actors.bankB.address],
        ...actors.investors.slice(0, 3).map((s, i) => [`Investor ${i + 1}`, s.address] as [string, string]),
      ];
      const rows = [];
      for (const [holder, address] of who) {
        rows.push({
          holder,
          OFZ26238: formatAmount(await ofz.balanceOf(address), 0),
          RUBt: formatAmount(await rub.balanceOf(address), 2),
          SBER: formatAmount(await sber.balanceOf(address), 0),
        });
      }
      return rows;
    }
  },
};
export default chapter;
