import type { BenchSuite } from "../harness";
import { BLOCK_GAS } from "../harness";
import type { CashToken, HolidayCalendar, PriceOracle, RepoBook, SecurityToken, TokenFactory } from "../../typechain-types";
import { buildInstrument, issueCash, issueSecurity } from "../../lib/tokens";
import { isinCheckDigit } from "../../lib/core/isin";
import { assetFeedId, calendarToBytes4, currencyToBytes3 } from "../../lib/oracle/ids";
import { RepoTerms, signTerms } from "../../lib/repo";
import { toDate } from "../../lib/core/dates";

const WAD = 10n ** 18n;
const SECURITIES = 10;
const DEALS = Number(process.env.BENCH_REPO_DEALS ?? 1_000);
const BATCH = 100;

/**
 * Repo book: signing and acceptance in steady state (signers with nonces in use, security and currency
 * already known to the book), the opening leg through tokens, and the daily revaluation of 1,000 deals over
 * ten securities (eight equities, two bonds) in batches of 100.
 */
const bench: BenchSuite = async ({ hre, suite, gasOf }) => {
  const { ethers } = hre;
  const { actors, ids } = suite;
  const { csd, bankA, bankB } = actors;
  const c = suite.contracts;
  const factory = (await ethers.getContractAt("TokenFactory", c.TokenFactory, csd)) as unknown as TokenFactory;
  const book = (await ethers.getContractAt("RepoBook", c.RepoBook, csd)) as unknown as RepoBook;
  const oracle = (await ethers.getContractAt("PriceOracle", c.PriceOracle, csd)) as unknown as PriceOracle;
  const calendar = (await ethers.getContractAt("HolidayCalendar", c.HolidayCalendar, csd)) as unknown as HolidayCalendar;
  const cal = calendarToBytes4("XBEN");
  const today = Math.floor((await ethers.provider.getBlock("latest"))!.timestamp / 86400);
  await (await calendar.configureCalendar(cal, 0, "bench calendar")).wait();
  for (const y of [toDate(today - 30).year, toDate(today).year, toDate(today).year + 1]) {
    if (!(await calendar.isYearLoaded(cal, y))) await (await calendar.loadHolidays(cal, y, [])).wait();
  }
  const cashToken = await issueCash(factory, { name: "RUB", symbol: "RUBt", decimals: 2, currency: "RUB" });
  const rub = (await ethers.getContractAt("CashToken", cashToken.address, csd)) as unknown as CashToken;
  await (await rub.mint(bankB.address, 10n ** 15n, ethers.ZeroHash)).wait();

  const securities: string[] = [];
  const isins: string[] = [];
  for (let i = 0; i < SECURITIES; i++) {
    const first11 = `RU000BENCH${i}`;
    const isin = first11 + isinCheckDigit(first11);
    const bond = i >= SECURITIES - 2;
    const instrument = bond
      ? buildInstrument({
          isin,
          kind: "Bond",
          currency: "RUB",
          faceValue: "1000",
          couponPercent: "8.5",
          couponFrequency: 2,
          issueDate: "2024-02-15",
          maturityDate: "2034-02-15",
          dayCount: "Act365Fixed",
        })
      : buildInstrument({ isin, kind: "Equity", currency: "RUB" });
    const s = await issueSecurity(factory, { name: `bench ${i}`, symbol: `B${i}`, decimals: 0, instrument });
    securities.push(s.address);
    isins.push(isin);
    await (await oracle.configureAsset(assetFeedId(isin), currencyToBytes3("RUB"), cal, WAD / 2n, 30)).wait();
    const token = (await ethers.getContractAt("SecurityToken", s.address, csd)) as unknown as SecurityToken;
    await (await token.mint(bankA.address, 10n ** 9n, ethers.ZeroHash)).wait();
  }
  // A penny share whose collateral value rounds to zero (1,000 units at 10^-18 RUB): worthless collateral.
  const pennyIsin = "RU000BENCHW" + isinCheckDigit("RU000BENCHW");
  const penny = await issueSecurity(factory, {
    name: "bench penny",
    symbol: "BW",
    decimals: 0,
    instrument: buildInstrument({ isin: pennyIsin, kind: "Equity", currency: "RUB" }),
  });
  await (await oracle.configureAsset(assetFeedId(pennyIsin), currencyToBytes3("RUB"), cal, WAD / 2n, 30)).wait();
  const price = (i: number, pct: bigint) => ((i >= SECURITIES - 2 ? 980n : 250n) * WAD * pct) / 100n;
  // The day's prices, then its close of business: revaluation runs only for a closed date.
  const push = async (date: number, pct: bigint) => {
    const items = isins.map((isin, i) => ({ feedId: assetFeedId(isin), date, price: price(i, pct) }));
    items.push({ feedId: assetFeedId(pennyIsin), date, price: 1n });
    await (await oracle.pushPrices(items)).wait();
    await (await oracle.closeBusinessDate(cal, date)).wait();
  };

  const start = today - 20;
  const terms = (i: number): RepoTerms => ({
    borrower: ids.bankA,
    lender: ids.bankB,
    borrowerAccount: bankA.address,
    lenderAccount: bankB.address,
    security: securities[i % SECURITIES],
    quantity: 1000n,
    currency: currencyToBytes3("RUB"),
    purchasePrice: i % SECURITIES >= SECURITIES - 2 ? 800_000_00n : 200_000_00n,
    repoRate: (12n * WAD) / 100n,
    basis: 365,
    tradeDate: start,
    startDate: start,
    repurchaseDate: today + 30,
    initialLtv: (80n * WAD) / 100n,
    lowerTrigger: (70n * WAD) / 100n,
    upperTrigger: (90n * WAD) / 100n,
    marginDeadlineDays: 2,
    minimumTransfer: 1_000_00n,
    cashMarginRate: (8n * WAD) / 100n,
    calendar: cal,
    couponDayCount: 4,
    marginMethod: 0,
    marginRatio: 0n,
  });
  const deadline = BigInt(today * 86400 + 10 * 86400);
  const sign = async (id: bigint, signer: typeof bankA) => {
    const s = await signTerms(book, signer, id, deadline);
    return book.sign(id, s.signer, deadline, s.signature);
  };

  // Deals 1..1000: proposed, signed, accepted and opened (opening legs confirmed off chain to keep setup quick).
  let nextId = (await book.dealCount()) + 1n;
  const dealIds: bigint[] = [];
  for (let i = 0; i < DEALS; i++) {
    const id = nextId++;
    await (await book.connect(bankA).propose(terms(i))).wait();
    await (await sign(id, bankA)).wait();
    await (await sign(id, bankB)).wait();
    await (await book.accept(id)).wait();
    await (await book.confirmOpening(id, ethers.ZeroHash)).wait();
    dealIds.push(id);
  }

  // Steady state: both banks already hold cash, securities and other deals' encumbrances (one deal opened on
  // chain first), the security and currency are known to the book and both signers have nonces in use.
  const warm = nextId++;
  await (await book.connect(bankA).propose(terms(3))).wait();
  await (await sign(warm, bankA)).wait();
  await (await sign(warm, bankB)).wait();
  await (await book.accept(warm)).wait();
  await (await book.settleOpening(warm)).wait();

  // Path 1: each party submits its signature, then the agent accepts.
  const newId = nextId++;
  const propose = await gasOf(book.connect(bankA).propose(terms(3)));
  const signA = await gasOf(sign(newId, bankA));
  const signB = await gasOf(sign(newId, bankB));
  const accept = await gasOf(book.accept(newId));
  const opening = await gasOf(book.settleOpening(newId));
  // Path 2: the agent collects both signatures off chain and submits them with its acceptance.
  const combinedId = nextId++;
  const propose2 = await gasOf(book.connect(bankA).propose(terms(3)));
  const sigs = [];
  for (const signer of [bankA, bankB]) {
    const s = await signTerms(book, signer, combinedId, deadline);
    sigs.push({ signer: s.signer, deadline, signature: s.signature });
  }
  const acceptWithSigs = await gasOf(book.acceptWithSignatures(combinedId, sigs));

  // A deal on the penny share (opened off chain, outside the daily batches).
  const worthlessId = nextId++;
  await (await book.connect(bankA).propose({ ...terms(0), security: penny.address })).wait();
  await (await sign(worthlessId, bankA)).wait();
  await (await sign(worthlessId, bankB)).wait();
  await (await book.accept(worthlessId)).wait();
  await (await book.confirmOpening(worthlessId, ethers.ZeroHash)).wait();

  // 100 GMRA Method A deals (margin ratio 125 %, no corridor) on the same securities, opened off chain. The
  // minimum transfer amount (20,000 RUB) keeps a 1 % move below it, as the corridor does for the Method B deals;
  // a 15 % fall calls every deal.
  const methodAIds: bigint[] = [];
  for (let i = 0; i < BATCH; i++) {
    const id = nextId++;
    const t = {
      ...terms(i),
      initialLtv: 0n,
      lowerTrigger: 0n,
      upperTrigger: 0n,
      minimumTransfer: 20_000_00n,
      marginMethod: 1,
      marginRatio: (125n * WAD) / 100n,
    };
    await (await book.connect(bankA).propose(t)).wait();
    const both = [];
    for (const signer of [bankA, bankB]) {
      const s = await signTerms(book, signer, id, deadline);
      both.push({ signer: s.signer, deadline, signature: s.signature });
    }
    await (await book.acceptWithSignatures(id, both)).wait();
    await (await book.confirmOpening(id, ethers.ZeroHash)).wait();
    methodAIds.push(id);
  }

  // A day's cycle: prices move 1 % (no call), every deal revalued in batches of 100.
  await push(today - 2, 101n);
  let dayGas = 0;
  let firstBatch = 0;
  for (let i = 0; i < dealIds.length; i += BATCH) {
    const g = await gasOf(book.revalue(dealIds.slice(i, i + BATCH), today - 2));
    if (i === 0) firstBatch = g;
    dayGas += g;
  }
  const repeat = await gasOf(book.revalue(dealIds.slice(0, BATCH), today - 2));
  const methodA = await gasOf(book.revalue(methodAIds, today - 2));
  // The next day prices fall 15 %: every deal gets a margin call.
  await push(today - 1, 85n);
  const calls = await gasOf(book.revalue(dealIds.slice(0, BATCH), today - 1));
  // A batch holding a worthless deal: 99 deals raising calls and the worthless one, called for its whole exposure.
  const methodACalls = await gasOf(book.revalue(methodAIds, today - 1));
  const withWorthless = await gasOf(book.revalue([...dealIds.slice(BATCH, 2 * BATCH - 1), worthlessId], today - 1));

  const perDeal = Math.round(firstBatch / BATCH);
  const signing = propose + signA + signB + accept;
  return [
    { domain: "repo", operation: "propose (known security)", gas: propose },
    { domain: "repo", operation: "sign (EIP-712, per party, own transaction)", gas: Math.round((signA + signB) / 2) },
    { domain: "repo", operation: "accept (agent)", gas: accept },
    { domain: "repo", operation: "propose + 2 sign transactions + accept", gas: signing, note: "four transactions" },
    {
      domain: "repo",
      operation: "propose + accept with both signatures",
      gas: propose2 + acceptWithSigs,
      budget: 400_000,
      note: `two transactions; acceptWithSignatures ${acceptWithSigs.toLocaleString("en-US")}`,
    },
    { domain: "repo", operation: "opening leg through tokens (DvP)", gas: opening, budget: 150_000 },
    {
      domain: "repo",
      operation: `revalue, batch of ${BATCH} over ${SECURITIES} securities`,
      gas: perDeal,
      items: BATCH,
      budget: 35_000,
      note: `${Math.floor(BLOCK_GAS / perDeal)} deals per 30M block`,
    },
    {
      domain: "repo",
      operation: `revalue, GMRA Method A deals, batch of ${BATCH} over ${SECURITIES} securities`,
      gas: Math.round(methodA / BATCH),
      items: BATCH,
      budget: 35_000,
      note: "margin ratio 125 %; exposures below the minimum transfer amount (no call)",
    },
    { domain: "repo", operation: "revalue, every deal raises a call", gas: Math.round(calls / BATCH), items: BATCH },
    {
      domain: "repo",
      operation: "revalue, Method A, every deal raises a call",
      gas: Math.round(methodACalls / BATCH),
      items: BATCH,
    },
    { domain: "repo", operation: "revalue again, same date (no change)", gas: Math.round(repeat / BATCH), items: BATCH },
    {
      domain: "repo",
      operation: "revalue, batch with a worthless-collateral deal",
      gas: Math.round(withWorthless / BATCH),
      items: BATCH,
      note: "99 deals raising calls and one worthless deal called for its whole exposure in cash; nothing reverts",
    },
    {
      domain: "repo",
      operation: `daily cycle, ${DEALS} deals in batches of ${BATCH}`,
      gas: Math.round(dayGas / DEALS),
      items: DEALS,
      note: `${dayGas.toLocaleString("en-US")} gas in all: ${Math.ceil(dayGas / BLOCK_GAS)} block(s) of 30M, ${DEALS / BATCH} transactions`,
    },
  ];
};
export default bench;
