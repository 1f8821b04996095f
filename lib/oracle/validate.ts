/**
 * Validation of the price and FX files, streamed: every record is checked (shape and JSON types, date,
 * ISIN or currency pair, price, feed registered with the oracle, duplicate, future date, business day)
 * and each valid value handed to `onValue` as it is read; nothing but per-feed day bitmaps is kept, so
 * memory does not grow with the number of lines. Every bad line is reported as a LineIssue.
 *
 * A duplicate is found with the bitmaps; the line it repeats is looked up by a second read of the files,
 * done only when there are duplicates.
 */
import { dayToIso, isoToDay, toDate } from "../core/dates";
import { isinProblem } from "../core/isin";
import { BusinessCalendar } from "./calendar-model";
import { FX_TABLE, LineIssue, PRICE_TABLE, readRecords, SourceRecord, TableShape } from "./files";
import { assetFeedId, fxFeedId, isCurrency, parsePrice } from "./ids";

/** What the validator needs to know about a feed (from the oracle). */
export interface FeedInfo {
  /** "Security", "FxPair", or anything else for an unregistered feed. */
  kind: string;
  /** The feed's calendar (MIC), "" for none. */
  calendar: string;
}

export interface ValidationContext {
  /** The chain's current day number: later dates are refused. */
  today: number;
  feed(feedId: string): Promise<FeedInfo>;
  /** The calendar with the holidays of `year` loaded, or undefined when it is not known at all. */
  calendar(mic: string, year: number): Promise<BusinessCalendar | undefined>;
}

/** One valid value, with the line it came from. */
export interface ValidValue {
  feedId: string;
  date: number;
  price: bigint;
  file: string;
  line: number;
}

export interface ValidationResult {
  /** Records read. */
  lines: number;
  /** Values that passed every check. */
  valid: number;
  issues: LineIssue[];
}

export interface InputFiles {
  prices?: string;
  fx?: string;
}

type Checked = { feedId: string; date: number; price: bigint; what: string } | { problem: string };

/** Days seen per feed, as bitmaps of 1024-day blocks. */
class DaySet {
  private readonly feeds = new Map<string, Map<number, Uint32Array>>();

  /** Adds (feed, day); false when it was already there. */
  add(feedId: string, day: number): boolean {
    let blocks = this.feeds.get(feedId);
    if (!blocks) this.feeds.set(feedId, (blocks = new Map()));
    const b = Math.floor(day / 1024);
    let bits = blocks.get(b);
    if (!bits) blocks.set(b, (bits = new Uint32Array(32)));
    const i = day - b * 1024;
    const mask = 1 << (i % 32);
    if (bits[i >> 5] & mask) return false;
    bits[i >> 5] |= mask;
    return true;
  }
}

const key = (feedId: string, date: number) => `${feedId}:${date}`;

export async function validateFiles(
  files: InputFiles,
  ctx: ValidationContext,
  onValue: (v: ValidValue) => void = () => undefined,
): Promise<ValidationResult> {
  const feeds = new Map<string, FeedInfo>();
  const feedOf = async (id: string) => {
    let f = feeds.get(id);
    if (!f) feeds.set(id, (f = await ctx.feed(id)));
    return f;
  };

  /** The checks that need no other line: shape, types, date, feed, price, registration. */
  const check = async (rec: SourceRecord, kind: "price" | "fx"): Promise<Checked> => {
    const f = rec.fields;
    if (rec.problem) return { problem: rec.problem };
    let date: number;
    try {
      date = isoToDay(f.date);
    } catch {
      return { problem: `date "${f.date}" is not a date (YYYY-MM-DD)` };
    }
    let feedId: string;
    let what: string;
    if (kind === "price") {
      const isin = f.isin.trim();
      const problem = isinProblem(isin);
      if (problem) return { problem: `malformed ISIN: ${problem}` };
      feedId = assetFeedId(isin).toLowerCase();
      what = isin;
    } else {
      const base = f.base.trim();
      const quote = f.quote.trim();
      if (!isCurrency(base) || !isCurrency(quote) || base === quote)
        return { problem: `FX pair "${base}/${quote}" is not two different ISO 4217 codes` };
      feedId = fxFeedId(base, quote).toLowerCase();
      what = `${base}/${quote}`;
    }
    const raw = kind === "price" ? f.price : f.rate;
    const price = parsePrice(raw);
    if (price === undefined)
      return { problem: `${kind === "price" ? "price" : "rate"} "${raw}" is not a positive number (at most 18 decimals)` };
    const v = await feedOf(feedId);
    if (kind === "price" && v.kind !== "Security")
      return { problem: `unknown asset ${what}: not registered with the oracle (oracle:configure)` };
    if (kind === "fx" && v.kind !== "FxPair")
      return { problem: `FX pair ${what} unknown: not registered with the oracle (oracle:configure)` };
    return { feedId, date, price, what };
  };

  const tables: { file: string; kind: "price" | "fx"; shape: TableShape }[] = [];
  if (files.prices) tables.push({ file: files.prices, kind: "price", shape: PRICE_TABLE });
  if (files.fx) tables.push({ file: files.fx, kind: "fx", shape: FX_TABLE });

  const issues: LineIssue[] = [];
  const seen = new DaySet();
  /** Duplicates: (feed, date) → the later lines that repeat it. */
  const duplicates = new Map<string, { what: string; date: number; lines: { file: string; line: number }[] }>();
  let lines = 0;
  let valid = 0;
  for (const t of tables) {
    for await (const rec of readRecords(t.file, t.shape)) {
      lines++;
      const issue = (message: string) => issues.push({ file: rec.file, line: rec.line, message });
      const c = await check(rec, t.kind);
      if ("problem" in c) {
        issue(c.problem);
        continue;
      }
      if (!seen.add(c.feedId, c.date)) {
        const k = key(c.feedId, c.date);
        const d = duplicates.get(k) ?? { what: c.what, date: c.date, lines: [] };
        d.lines.push({ file: rec.file, line: rec.line });
        duplicates.set(k, d);
        continue;
      }
      if (c.date > ctx.today) {
        issue(`future date ${dayToIso(c.date)}: the chain's today is ${dayToIso(ctx.today)}`);
        continue;
      }
      const feed = await feedOf(c.feedId);
      if (feed.calendar) {
        const year = toDate(c.date).year;
        const cal = await ctx.calendar(feed.calendar, year);
        if (cal === undefined) {
          issue(`calendar ${feed.calendar} of ${c.what} is not on chain (calendar:load or --calendar)`);
          continue;
        }
        const b = cal.isBusinessDay(c.date);
        if (b === undefined) {
          issue(`calendar ${feed.calendar} has no holidays loaded for ${year} (calendar:load or --calendar)`);
          continue;
        }
        if (!b) {
          issue(`non-business day: ${dayToIso(c.date)} is a ${cal.isWeekend(c.date) ? "weekend day" : "holiday"} of ${feed.calendar}`);
          continue;
        }
      }
      valid++;
      onValue({ feedId: c.feedId, date: c.date, price: c.price, file: rec.file, line: rec.line });
    }
  }

  if (duplicates.size > 0) {
    // Second read: the first line of each repeated (feed, date).
    const first = new Map<string, { file: string; line: number }>();
    for (const t of tables) {
      for await (const rec of readRecords(t.file, t.shape)) {
        const c = await check(rec, t.kind);
        if ("problem" in c) continue;
        const k = key(c.feedId, c.date);
        if (duplicates.has(k) && !first.has(k)) first.set(k, { file: rec.file, line: rec.line });
      }
    }
    for (const [k, d] of duplicates) {
      const f = first.get(k)!;
      for (const l of d.lines)
        issues.push({ ...l, message: `duplicate: ${d.what} on ${dayToIso(d.date)} already given at ${f.file}:${f.line}` });
    }
  }
  issues.sort(byLine);
  return { lines, valid, issues };
}

export function byLine(a: LineIssue, b: LineIssue): number {
  return a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1;
}
