import type { BenchSuite } from "../harness";
import { buildInstrument, currencyBytes, isinBytes, issueCash, issueSecurity, WAD } from "../../lib/tokens";
import { buildTerms, requestedId, signPledgeRequest } from "../../lib/pledge";
import { dayOfTimestamp } from "../../lib/core/dates";
import { calendarToBytes4 } from "../../lib/oracle/ids";
import type { HolidayCalendar, PledgeBook, PriceOracle, SecurityToken } from "../../typechain-types";

/**
 * Securities pledge book: request + register, batched daily valuation, enforcement. The feed's calendar
 * (XMOS, no weekend days, so every date is a business day) is closed after each day's price, as the daily
 * cycle does before valuing.
 */
const bench: BenchSuite = async ({ hre, suite, gasOf }) => {
  const { ethers } = hre;
  const { actors } = suite;
  const { csd, bankA } = actors;
  const pledger = actors.investors[0];
  const factory = await ethers.getContractAt("TokenFactory", suite.contracts.TokenFactory, csd);
  const book = (await ethers.getContractAt("PledgeBook", suite.contracts.PledgeBook, csd)) as unknown as PledgeBook;
  const oracle = (await ethers.getContractAt("PriceOracle", suite.contracts.PriceOracle, csd)) as unknown as PriceOracle;
  const isin = "RU0009029540";
  const eq = await issueSecurity(factory, {
    name: "Bench share",
    symbol: "BSH",
    decimals: 0,
    instrument: buildInstrument({ isin, kind: "Equity", currency: "RUB" }),
  });
  const ca = await issueCash(factory, { name: "Bench RUB", symbol: "BRUB", decimals: 2, currency: "RUB" });
  const equity = (await ethers.getContractAt("SecurityToken", eq.address, csd)) as unknown as SecurityToken;
  await (await equity.mint(pledger.address, 10_000_000n, ethers.encodeBytes32String("bench"))).wait();
  const feed = isinBytes(isin);
  const xmos = calendarToBytes4("XMOS");
  const calendar = (await ethers.getContractAt("HolidayCalendar", suite.contracts.HolidayCalendar, csd)) as unknown as HolidayCalendar;
  const today = dayOfTimestamp((await ethers.provider.getBlock("latest"))!.timestamp);
  const year = new Date(today * 86_400_000).getUTCFullYear();
  await (await calendar.configureCalendar(xmos, 0, "Moscow Exchange (every day)")).wait();
  for (const y of [year - 1, year, year + 1]) await (await calendar.loadHolidays(xmos, y, [])).wait();
  await (await oracle.configureAsset(feed, currencyBytes("RUB"), xmos, WAD * 10n, 365)).wait();
  const push = async (date: number, price: string) => {
    await (await oracle.pushPrices([{ feedId: feed, date, price: ethers.parseUnits(price, 18) }])).wait();
    await (await oracle.closeBusinessDate(xmos, date)).wait();
  };
  await push(today - 20, "25");

  const terms = (quantity: bigint, calendarId = "0x00000000") =>
    buildTerms({
      pledger: pledger.address,
      pledgee: bankA.address,
      security: eq.address,
      cashToken: ca.address,
      quantity,
      principal: 1_000_000_00n,
      interestRate: 65n * 10n ** 15n,
      startDate: today - 20,
      maturityDate: today + 345,
      restoreTarget: 25n * 10n ** 17n,
      calendarId,
    });
  const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
  const signedRequest = async (quantity: bigint) => {
    const t = terms(quantity);
    const a = await signPledgeRequest(book, pledger, t, deadline);
    const b = await signPledgeRequest(book, bankA, t, deadline);
    return book.connect(bankA).requestSigned(t, deadline, a, b);
  };
  // Warm-up: the pledger's nonce and encumbrance totals are in use (steady state).
  await (await signedRequest(70_000n)).wait();
  await (await book.register(1n)).wait();

  const requestGas = await gasOf(signedRequest(70_000n));
  const registerGas = await gasOf(book.register(2n));
  const oneTx = async (quantity: bigint, calendarId?: string) => {
    const t = terms(quantity, calendarId);
    const a = await signPledgeRequest(book, pledger, t, deadline);
    const b = await signPledgeRequest(book, bankA, t, deadline);
    return book.registerSigned(t, deadline, a, b);
  };
  const registerSignedGas = await gasOf(oneTx(70_000n));
  // The same with a calendar for the top-up deadline: the first pledge naming it asks the holiday calendars
  // once (kept), the next ones read the kept answer.
  await (await oneTx(70_000n, xmos)).wait();
  const registerSignedCalendarGas = await gasOf(oneTx(70_000n, xmos));
  const ids: bigint[] = [];
  for (let i = 0; i < 100; i++) {
    // 70,000 shares against 1,000,000.00: 168 % at 24 (Normal), 126 % at 18 (Liquidation). Every other pledge
    // counts its top-up deadline in XMOS business days, so the batch also asks whether XMOS closed the date.
    const r = await (await book.connect(pledger).request(terms(70_000n, i % 2 === 0 ? "0x00000000" : xmos))).wait();
    const id = requestedId(book, r);
    await (await book.connect(bankA).consent(id)).wait();
    await (await book.register(id)).wait();
    ids.push(id);
  }
  await push(today - 10, "24");
  await (await book.value(ids, today - 10)).wait();
  // The next business day's valuation of the same pledges, still Normal: the daily cost.
  await push(today - 9, "23.5");
  // Every pledge is valued (none skipped): the figures are those of real valuations.
  if ((await book.value.staticCall(ids, today - 9)) !== 100n) throw new Error("pledge bench: valuations skipped");
  const batchDaily = await gasOf(book.value(ids, today - 9));
  await push(today - 5, "18");
  if ((await book.value.staticCall(ids, today - 5)) !== 100n) throw new Error("pledge bench: valuations skipped");
  const batchLiquidation = await gasOf(book.value(ids, today - 5));
  // Top-up overdue, still Liquidation at 17.50: about 57,400 shares cover the debt, the other 12,600 are released.
  await push(today, "17.5");
  const enforceGas = await gasOf(book.enforce(ids[0], today));
  const enforceAgainGas = await gasOf(book.enforce(ids[1], today));
  const boardLotGas = await gasOf(book.setBoardLot(eq.address, 100n));

  return [
    { domain: "pledge", operation: "requestSigned (both EIP-712 signatures)", gas: requestGas },
    { domain: "pledge", operation: "register (encumber at the pledger)", gas: registerGas },
    { domain: "pledge", operation: "requestSigned + register (two transactions)", gas: requestGas + registerGas },
    {
      domain: "pledge",
      operation: "request + register in one depository tx (registerSigned, both signatures)",
      gas: registerSignedGas,
      budget: 250_000,
      note: "3 fresh pledge words + 1 fresh encumbrance word (88,400); the parties, tokens (vouched for by the factory, the security's ISIN kept by the book), nonce and encumbrance total already in use; the initial price (oracle priceAt for the registration day) ≈ 11,300; PledgeRequested with the whole terms 6,739",
    },
    {
      domain: "pledge",
      operation: "registerSigned with a top-up calendar (known calendar kept)",
      gas: registerSignedCalendarGas,
      budget: 250_000,
      note: "the calendar check reads the book's kept answer; the holiday calendars are asked at a calendar's first pledge",
    },
    {
      domain: "pledge",
      operation: "value, batch, Normal, next day",
      gas: Math.round(batchDaily / 100),
      items: 100,
      budget: 25_000,
      note: "closed date: the close read once per security (closedPriceAt) and once per calendar (lastClosedDate)",
    },
    {
      domain: "pledge",
      operation: "value, batch, Liquidation (top-up called)",
      gas: Math.round(batchLiquidation / 100),
      items: 100,
      note: "plus level-change and top-up events",
    },
    {
      domain: "pledge",
      operation: "enforce (shares to pledgee, rest released)",
      gas: enforceGas,
      note: "the pledgee's first units of the security: its new balance slot costs 22,100 (information row)",
    },
    {
      domain: "pledge",
      operation: "enforce, pledgee already holding the security",
      gas: enforceAgainGas,
      budget: 120_000,
      note: "steady state: second enforcement for the same pledgee",
    },
    {
      domain: "pledge",
      operation: "setBoardLot (depository, first lot of a security)",
      gas: boardLotGas,
      note: "one fresh word in the book's per-security data",
    },
  ];
};
export default bench;
