import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { tokensFixture, TokensFixture, EQUITY_ISIN, REASON } from "../token/fixtures";
import { buildTerms, PledgeTerms, requestedId } from "../../lib/pledge";
import { currencyBytes, isinBytes, WAD } from "../../lib/tokens";
import { dayOfTimestamp } from "../../lib/core/dates";
import { calendarToBytes4 } from "../../lib/oracle/ids";
import type { HolidayCalendar, PledgeBook, PriceOracle } from "../../typechain-types";

export interface PledgeFixture extends TokensFixture {
  book: PledgeBook;
  oracle: PriceOracle;
  /** Investor 0: the pledger (holds 1,000,000 shares and 5,000,000.00 RUB). */
  pledger: HardhatEthersSigner;
  /** Bank A's first signer: the pledgee. */
  pledgee: HardhatEthersSigner;
  /** Today's day number on the chain. */
  today: number;
  /** The equity's feed id (ISIN bytes12). */
  feed: string;
  /** The feed's calendar (no weekend days: every date is a business day), closed by {@link pushPrice}. */
  feedCalendar: string;
  calendar: HolidayCalendar;
}

/** Calendar of the equity's feed in the pledge tests: every day is a business day. */
export const FEED_CALENDAR = calendarToBytes4("MOEX");

export const PLEDGED = 1_000_000n;

/** Reasons of `PledgeValuationSkipped` (enum PledgeValuationSkip). */
export const SKIP = { NoPrice: 0, CalendarNotLoaded: 1, DateNotClosed: 2 } as const;
export const CASH = 500_000_000n;

/**
 * The token suite with the pledge book, the equity's feed configured (no quarantine, a long maximum age),
 * investor 0 holding 1,000,000 shares and 5,000,000.00 RUB.
 */
export async function pledgeFixture(): Promise<PledgeFixture> {
  const base = await tokensFixture();
  const { csd, investors, bankA } = base.actors;
  const book = (await ethers.getContractAt("PledgeBook", base.contracts.PledgeBook, csd)) as unknown as PledgeBook;
  const oracle = (await ethers.getContractAt("PriceOracle", base.contracts.PriceOracle, csd)) as unknown as PriceOracle;
  const feed = isinBytes(EQUITY_ISIN);
  const calendar = (await ethers.getContractAt("HolidayCalendar", base.contracts.HolidayCalendar, csd)) as unknown as HolidayCalendar;
  const now = dayOfTimestamp((await ethers.provider.getBlock("latest"))!.timestamp);
  const year = new Date(now * 86_400_000).getUTCFullYear();
  await (await calendar.configureCalendar(FEED_CALENDAR, 0, "Moscow Exchange, every day")).wait();
  // From 2020 (the calculator vectors' dates) to next year.
  for (let y = 2020; y <= year + 1; y++) await (await calendar.loadHolidays(FEED_CALENDAR, y, [])).wait();
  await (await oracle.configureAsset(feed, currencyBytes("RUB"), FEED_CALENDAR, WAD * 10n, 65000)).wait();
  await (await base.equity.mint(investors[0].address, PLEDGED - 1000n, REASON)).wait();
  await (await base.cash.mint(investors[0].address, CASH, REASON)).wait();
  const today = dayOfTimestamp((await ethers.provider.getBlock("latest"))!.timestamp);
  return { ...base, book, oracle, pledger: investors[0], pledgee: bankA, today, feed, feedCalendar: FEED_CALENDAR, calendar };
}

/** Terms of a 10,000,000.00 RUB loan at 6.5% against the pledger's shares, starting `start`. */
export function termsFor(f: PledgeFixture, start: number, over: Partial<PledgeTerms> = {}): PledgeTerms {
  return buildTerms({
    pledger: f.pledger.address,
    pledgee: f.pledgee.address,
    security: f.equity.target as string,
    cashToken: f.cash.target as string,
    quantity: PLEDGED,
    principal: 1_000_000_000n,
    interestRate: 65n * 10n ** 15n,
    startDate: start,
    maturityDate: start + 365,
    restoreTarget: 25n * 10n ** 17n,
    ...over,
  });
}

/** Pushes `price` (decimal string) for the equity at `date`, then closes `date` for the feed's calendar. */
export async function pushPrice(f: PledgeFixture, date: number, price: string): Promise<void> {
  await (await f.oracle.pushPrices([{ feedId: f.feed, date, price: ethers.parseUnits(price, 18) }])).wait();
  await closeDate(f, date);
}

/** Closes `date` for the feed's calendar (and `calendarId` too when given), as the daily cycle does. */
export async function closeDate(f: PledgeFixture, date: number, calendarId?: string): Promise<void> {
  for (const cal of calendarId ? [f.feedCalendar, calendarId] : [f.feedCalendar]) {
    if (BigInt(await f.oracle.lastClosedDate(cal)) < BigInt(date)) await (await f.oracle.closeBusinessDate(cal, date)).wait();
  }
}

/** Requests (pledger), consents (pledgee) and registers (depository) a pledge; returns its id. */
export async function openPledge(f: PledgeFixture, terms: PledgeTerms): Promise<bigint> {
  const receipt = await (await f.book.connect(f.pledger).request(terms)).wait();
  const id = requestedId(f.book, receipt);
  await (await f.book.connect(f.pledgee).consent(id)).wait();
  await (await f.book.connect(f.actors.csd).register(id)).wait();
  return id;
}

/** A fixture with one active pledge started 30 days ago and the price pushed at its start (25.00). */
export async function activePledgeFixture(): Promise<PledgeFixture & { id: bigint; start: number }> {
  const f = await pledgeFixture();
  const start = f.today - 30;
  await pushPrice(f, start, "25");
  const id = await openPledge(f, termsFor(f, start));
  return { ...f, id, start };
}
