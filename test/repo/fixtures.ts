import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { tokensFixture, TokensFixture, REASON } from "../token/fixtures";
import type { HolidayCalendar, PriceOracle, RepoBook } from "../../typechain-types";
import { assetFeedId, calendarToBytes4, currencyToBytes3 } from "../../lib/oracle/ids";
import { propose, RepoTerms, signTerms } from "../../lib/repo";
import { toDate, weekday } from "../../lib/core/dates";

export const WAD = 10n ** 18n;
export const XMOS = calendarToBytes4("XMOS");
export const RUB = currencyToBytes3("RUB");
export const EQUITY_FEED = assetFeedId("RU0009029540");
export const SIDE = { Borrower: 0, Lender: 1 } as const;
export const STATUS = {
  None: 0,
  Proposed: 1,
  Signed: 2,
  Accepted: 3,
  Active: 4,
  Repurchased: 5,
  Terminated: 6,
  Defaulted: 7,
  ClosedOut: 8,
  Cancelled: 9,
} as const;

export interface RepoFixture extends TokensFixture {
  book: RepoBook;
  oracle: PriceOracle;
  calendar: HolidayCalendar;
  today: number;
  /** Business days (Mon–Fri, no holidays loaded) before today, oldest first: days[0] is the start date. */
  days: number[];
  terms: RepoTerms;
  borrower: HardhatEthersSigner;
  lender: HardhatEthersSigner;
  agent: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

type OracleActors = { oracle: PriceOracle; actors: { csd: HardhatEthersSigner } };

/**
 * Closes `date` for each calendar (XMOS by default) unless it is closed already, as the oracle operators do
 * once a day's prices are in: revaluation for a date runs only after its close.
 */
export async function closeDay(f: OracleActors, date: number, calendars: string[] = [XMOS]) {
  for (const cal of calendars) {
    if (Number(await f.oracle.lastClosedDate(cal)) >= date) continue;
    await (await f.oracle.connect(f.actors.csd).closeBusinessDate(cal, date)).wait();
  }
}

/**
 * Pushes a clean price for the equity (the feed accepts any move up to 500 %, so nothing is quarantined) and
 * closes the date for XMOS, unless `close` is false.
 */
export async function pushEquity(f: OracleActors, date: number, price: bigint, close = true) {
  await (await f.oracle.connect(f.actors.csd).pushPrices([{ feedId: EQUITY_FEED, date, price }])).wait();
  if (close) await closeDay(f, date);
}

/**
 * The suite with tokens (tokensFixture), the repo book, XMOS loaded (weekends only) for the years around
 * today, the equity priced by the oracle; bank A (borrower) holds 10,000 shares, bank B (lender) RUB cash.
 * Template terms: 1,000 shares against 200,000.00 RUB at 12 %, corridor 75 % / 80 % / 85 %, MTA 1,000.00,
 * deadline 2 business days, starting on the first of `days` (about 30 business days ago).
 */
export async function repoFixture(): Promise<RepoFixture> {
  const base = await tokensFixture();
  const { csd, bankA, bankB, stranger } = base.actors;
  const book = (await ethers.getContractAt("RepoBook", base.contracts.RepoBook, csd)) as unknown as RepoBook;
  const oracle = (await ethers.getContractAt("PriceOracle", base.contracts.PriceOracle, csd)) as unknown as PriceOracle;
  const calendar = (await ethers.getContractAt("HolidayCalendar", base.contracts.HolidayCalendar, csd)) as unknown as HolidayCalendar;
  const today = Math.floor((await time.latest()) / 86400);
  await (await calendar.configureCalendar(XMOS, 0x60, "Moscow Exchange")).wait();
  const y = toDate(today).year;
  for (const year of [y - 1, y, y + 1]) await (await calendar.loadHolidays(XMOS, year, [])).wait();
  await (await oracle.configureAsset(EQUITY_FEED, RUB, XMOS, 5n * WAD, 30)).wait();
  await (await base.equity.mint(bankA.address, 10_000n, REASON)).wait();

  const days: number[] = [];
  for (let d = today - 50; d < today; d++) if (weekday(d) <= 5) days.push(d);
  const terms: RepoTerms = {
    borrower: base.ids.bankA,
    lender: base.ids.bankB,
    borrowerAccount: bankA.address,
    lenderAccount: bankB.address,
    security: await base.equity.getAddress(),
    quantity: 1000n,
    currency: RUB,
    purchasePrice: 200_000_00n,
    repoRate: (12n * WAD) / 100n,
    basis: 365,
    tradeDate: days[0],
    startDate: days[0],
    repurchaseDate: today + 10,
    initialLtv: (80n * WAD) / 100n,
    lowerTrigger: (75n * WAD) / 100n,
    upperTrigger: (85n * WAD) / 100n,
    marginDeadlineDays: 2,
    minimumTransfer: 1_000_00n,
    cashMarginRate: (8n * WAD) / 100n,
    calendar: XMOS,
    couponDayCount: 0,
    marginMethod: 0,
    marginRatio: 0n,
  };
  return { ...base, book, oracle, calendar, today, days, terms, borrower: bankA, lender: bankB, agent: csd, stranger };
}

/** A deal on the template terms, proposed by the borrower. */
export async function proposedFixture(): Promise<RepoFixture & { id: bigint }> {
  const f = await repoFixture();
  const { id } = await propose(f.book.connect(f.borrower), f.terms);
  return { ...f, id };
}

/** Signs, accepts and opens (on chain) deal `id`. */
export async function openDeal(f: RepoFixture, id: bigint, onChain = true): Promise<void> {
  const deadline = BigInt((await time.latest()) + 3600);
  for (const s of [f.borrower, f.lender]) {
    const sig = await signTerms(f.book, s, id, deadline);
    await (await f.book.sign(id, sig.signer, deadline, sig.signature)).wait();
  }
  await (await f.book.connect(f.agent).accept(id)).wait();
  if (onChain) await (await f.book.connect(f.agent).settleOpening(id)).wait();
  else await (await f.book.connect(f.agent).confirmOpening(id, ethers.encodeBytes32String("off-chain"))).wait();
}

/** The template deal active on chain (opening leg settled through tokens). */
export async function activeFixture(): Promise<RepoFixture & { id: bigint }> {
  const f = await proposedFixture();
  await openDeal(f, f.id);
  return f;
}

/** The template deal active, its opening leg confirmed off chain. */
export async function offChainFixture(): Promise<RepoFixture & { id: bigint }> {
  const f = await proposedFixture();
  await openDeal(f, f.id, false);
  return f;
}
