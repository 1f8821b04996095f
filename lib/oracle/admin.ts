/**
 * Oracle and calendar administration shared by tasks, the push tool, the demo and tests: registering
 * securities and FX pairs, loading calendars (only what differs from the chain), reading feeds.
 */
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { dayToIso } from "../core/dates";
import type { CalendarSpec, FxPairSpec, SecuritySpec } from "./files";
import { BusinessCalendar } from "./calendar-model";
import {
  assetFeedId,
  bytesToText,
  calendarToBytes4,
  currencyToBytes3,
  feedLabel,
  formatPrice,
  fxFeedId,
  parseWad,
  weekendMask,
} from "./ids";

const FEED_KINDS = ["None", "Security", "FxPair"] as const;

export interface FeedView {
  feedId: string;
  feed: string;
  kind: string;
  currency: string;
  calendar: string;
  price: bigint;
  date: number;
  maxDeviationWad: bigint;
  maxAgeDays: number;
  pendingPrice: bigint;
  pendingDate: number;
  pendingOperator: string;
}

export async function feedView(oracle: PriceOracle, feedId: string): Promise<FeedView> {
  const i = await oracle.feedInfo(feedId);
  return {
    feedId,
    feed: feedLabel(feedId),
    kind: FEED_KINDS[Number(i.kind)] ?? String(i.kind),
    currency: bytesToText(i.currency),
    calendar: bytesToText(i.calendarId),
    price: i.price,
    date: Number(i.date),
    maxDeviationWad: i.maxDeviationWad,
    maxAgeDays: Number(i.maxAgeDays),
    pendingPrice: i.pendingPrice,
    pendingDate: Number(i.pendingDate),
    pendingOperator: i.pendingOperator,
  };
}

/** A feed as a table row. */
export function feedRow(v: FeedView): Record<string, unknown> {
  return {
    feed: v.feed,
    kind: v.kind,
    currency: v.currency,
    calendar: v.calendar,
    price: v.date ? formatPrice(v.price) : "",
    date: v.date ? dayToIso(v.date) : "",
    quarantined: v.pendingDate ? `${formatPrice(v.pendingPrice)} @ ${dayToIso(v.pendingDate)}` : "",
  };
}

/** Registers (or updates) securities and FX pairs whose on-chain parameters differ from the file. */
export async function configureFeeds(
  oracle: PriceOracle,
  securities: SecuritySpec[],
  fxPairs: FxPairSpec[],
  log: (m: string) => void = () => undefined,
): Promise<{ configured: string[]; unchanged: string[] }> {
  const configured: string[] = [];
  const unchanged: string[] = [];
  for (const s of securities) {
    const id = assetFeedId(s.isin);
    const v = await feedView(oracle, id);
    const dev = parseWad(s.maxDeviation);
    if (
      v.kind === "Security" &&
      v.currency === s.currency &&
      v.calendar === s.calendar &&
      v.maxDeviationWad === dev &&
      v.maxAgeDays === s.maxAgeDays
    ) {
      unchanged.push(s.isin);
      continue;
    }
    const tx = await oracle.configureAsset(id, currencyToBytes3(s.currency), calendarToBytes4(s.calendar), dev, s.maxAgeDays);
    await tx.wait();
    log(`  configured ${s.isin} (${s.currency}, ${s.calendar}) tx ${tx.hash}`);
    configured.push(s.isin);
  }
  for (const p of fxPairs) {
    const id = fxFeedId(p.base, p.quote);
    const v = await feedView(oracle, id);
    const dev = parseWad(p.maxDeviation);
    const cal = p.calendar ?? "";
    if (v.kind === "FxPair" && v.calendar === cal && v.maxDeviationWad === dev && v.maxAgeDays === p.maxAgeDays) {
      unchanged.push(`${p.base}/${p.quote}`);
      continue;
    }
    const tx = await oracle.configureFxPair(
      currencyToBytes3(p.base),
      currencyToBytes3(p.quote),
      cal ? calendarToBytes4(cal) : "0x00000000",
      dev,
      p.maxAgeDays,
    );
    await tx.wait();
    log(`  configured ${p.base}/${p.quote} tx ${tx.hash}`);
    configured.push(`${p.base}/${p.quote}`);
  }
  return { configured, unchanged };
}

/** Loads calendars and years whose on-chain content differs from the specs; returns what was sent. */
export async function loadCalendars(
  calendar: HolidayCalendar,
  specs: CalendarSpec[],
  opts: { dryRun?: boolean; log?: (m: string) => void } = {},
): Promise<{ loaded: string[]; unchanged: string[]; gasUsed: bigint }> {
  const log = opts.log ?? (() => undefined);
  const loaded: string[] = [];
  const unchanged: string[] = [];
  let gasUsed = 0n;
  for (const spec of specs) {
    const id = calendarToBytes4(spec.id);
    const mask = weekendMask(spec.weekend);
    const [exists, onChainMask] = await calendar.calendarInfo(id);
    if (!exists || Number(onChainMask) !== mask) {
      if (!opts.dryRun) {
        const r = await (await calendar.configureCalendar(id, mask, spec.name)).wait();
        gasUsed += r!.gasUsed;
        log(`  calendar ${spec.id}: weekend ${spec.weekend.join(",")} (tx ${r!.hash})`);
      }
      loaded.push(spec.id);
    }
    for (const [year, days] of [...spec.holidays].sort((a, b) => a[0] - b[0])) {
      const same = exists && (await calendar.isYearLoaded(id, year)) && sameDays((await calendar.holidaysOf(id, year)).map(Number), days);
      if (same) {
        unchanged.push(`${spec.id} ${year}`);
        continue;
      }
      if (!opts.dryRun) {
        const r = await (await calendar.loadHolidays(id, year, days)).wait();
        gasUsed += r!.gasUsed;
        log(`  calendar ${spec.id} ${year}: ${days.length} holidays (tx ${r!.hash}, ${r!.gasUsed} gas)`);
      }
      loaded.push(`${spec.id} ${year}`);
    }
  }
  return { loaded, unchanged, gasUsed };
}

function sameDays(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Reads a calendar from the chain for the given years (years not loaded are left out). */
export async function calendarFromChain(calendar: HolidayCalendar, mic: string, years: number[]): Promise<BusinessCalendar | undefined> {
  const id = calendarToBytes4(mic);
  const [exists, mask] = await calendar.calendarInfo(id);
  if (!exists) return undefined;
  const c = new BusinessCalendar(mic, Number(mask));
  for (const y of years) {
    if (await calendar.isYearLoaded(id, y)) c.holidays.set(y, new Set((await calendar.holidaysOf(id, y)).map(Number)));
  }
  return c;
}

/** The holiday day numbers of a `HolidaysLoaded` event (bitmaps over the days of `year`). */
export function decodeHolidayBitmap(firstDayOfYear: number, daysLow: bigint, daysHigh: bigint): number[] {
  const out: number[] = [];
  for (let d = 0; d < 366; d++) {
    const bit = d < 256 ? (daysLow >> BigInt(d)) & 1n : (daysHigh >> BigInt(d - 256)) & 1n;
    if (bit === 1n) out.push(firstDayOfYear + d);
  }
  return out;
}
