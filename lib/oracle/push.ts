/**
 * The oracle operator's price push: validate the input files line by line, skip what the chain already
 * holds, send the rest in batches under a gas budget, keep a journal so a killed run resumes without
 * double-pushing, and return a summary plus the (feed, date) pairs updated — the input of the
 * revaluation step that follows a push (see lib/oracle/revalue.ts). Its last step closes the business dates
 * of the file per calendar (lib/oracle/close.ts), so that revaluation runs on closed dates.
 *
 * What is "already on chain" comes from the oracle's events (PriceAccepted, PriceQuarantined) since the
 * suite's deployment block, so the answer is exact even though the contract stores only the latest value.
 */
import path from "node:path";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import type { IPriceOracle } from "../../typechain-types/contracts/oracle/PriceOracle";
import { dayToIso, isoToDay, toDate } from "../dates";
import { isinProblem } from "../isin";
import { calendarFromChain, feedView, FeedView, loadCalendars } from "./admin";
import { BusinessCalendar } from "./calendar-model";
import { CalendarSpec, LineIssue, readCalendars, readTable, SourceRecord } from "./files";
import { assetFeedId, feedLabel, formatPrice, fxFeedId, isCurrency, parsePrice } from "./ids";
import { Journal, readJournal, sha256File, writeJournal } from "./journal";
import { ProgressBar } from "./progress";
import { closeDates, CloseOutcome, closeSummaryRows, lastClosedDates } from "./close";

export interface PushOptions {
  /** The oracle, connected to the operator's signer. */
  oracle: PriceOracle;
  /** The calendar contract (to check business days; connected to a CALENDAR_ROLE signer to load `calendars`). */
  calendar?: HolidayCalendar;
  prices?: string;
  fx?: string;
  /** Calendars JSON: loaded on chain where they differ (not in a dry run) and used to check dates. */
  calendars?: string;
  dryRun?: boolean;
  /** Largest number of values per transaction (default 500). */
  batchSize?: number;
  /** Largest gas per transaction (default 15,000,000); a batch estimated above it is split. */
  gasBudget?: bigint;
  /** Journal file (default: next to the prices file, `<file>.journal.json`). */
  journal?: string;
  /** Pause between transactions, ms (spares a busy node). */
  pauseMs?: number;
  /** First block to scan for earlier pushes (the suite's deployment block). */
  fromBlock?: number;
  /** Draw a progress bar (default: when stdout is a terminal). */
  progress?: boolean;
  log?: (message: string) => void;
  /** Close the pushed dates per calendar as the last step (default true; false: `--no-close`). */
  close?: boolean;
}

/** One (feed, date) the push changed: what revaluation needs. */
export interface UpdatedFeed {
  feedId: string;
  feed: string;
  date: number;
}

export interface PushSummary {
  dryRun: boolean;
  lines: number;
  valid: number;
  /** Values sent in this run. */
  pushed: number;
  /** Of those, became latest values. */
  accepted: number;
  quarantined: number;
  /** Refused by the contract (raced by another operator). */
  refused: number;
  /** Valid values the chain already held. */
  skipped: number;
  rejected: LineIssue[];
  transactions: number;
  gasUsed: bigint;
  /** Transactions of an earlier, interrupted run found in the journal and settled first. */
  resumedTransactions: number;
  calendarsLoaded: string[];
  updated: UpdatedFeed[];
  /** Close of business of the file's dates, per calendar (empty with `close: false`). */
  closed: CloseOutcome[];
  journal: string;
  durationMs: number;
}

interface Candidate {
  feedId: string;
  date: number;
  price: bigint;
  file: string;
  line: number;
}

const key = (feedId: string, date: number) => `${feedId.toLowerCase()}:${date}`;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function pushPrices(opts: PushOptions): Promise<PushSummary> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const { oracle } = opts;
  const provider = oracle.runner!.provider!;
  const oracleAddress = (await oracle.getAddress()).toLowerCase();
  const chainId = Number((await provider.getNetwork()).chainId);
  const latestBlock = await provider.getBlock("latest");
  const today = Math.floor(Number(latestBlock!.timestamp) / 86400);
  if (!opts.prices && !opts.fx) throw new Error("nothing to push: give a prices file and/or an FX file");

  // 1. Calendars: load what differs (needs CALENDAR_ROLE), keep the specs to check dates.
  let specs: CalendarSpec[] = [];
  let calendarsLoaded: string[] = [];
  let calendarGas = 0n;
  if (opts.calendars) {
    specs = readCalendars(opts.calendars);
    if (!opts.calendar) throw new Error("--calendar needs the HolidayCalendar contract");
    const r = await loadCalendars(opts.calendar, specs, { dryRun: opts.dryRun, log });
    calendarsLoaded = r.loaded;
    calendarGas = r.gasUsed;
  }

  // 2. Read and validate every line.
  const rejected: LineIssue[] = [];
  const records: { rec: SourceRecord; kind: "price" | "fx" }[] = [];
  if (opts.prices) for (const rec of readTable(opts.prices, ["date", "isin", "price"])) records.push({ rec, kind: "price" });
  if (opts.fx) for (const rec of readTable(opts.fx, ["date", "base", "quote", "rate"])) records.push({ rec, kind: "fx" });

  const feeds = new Map<string, FeedView>();
  const feedOf = async (id: string) => {
    let v = feeds.get(id);
    if (!v) {
      v = await feedView(oracle, id);
      feeds.set(id, v);
    }
    return v;
  };
  const calendars = new Map<string, BusinessCalendar | undefined>();
  for (const s of specs) calendars.set(s.id, BusinessCalendar.fromSpec(s));
  const calendarOf = async (mic: string, year: number): Promise<BusinessCalendar | undefined> => {
    let c = calendars.get(mic);
    if (c === undefined && !calendars.has(mic) && opts.calendar) {
      c = await calendarFromChain(opts.calendar, mic, [year - 1, year, year + 1]);
      calendars.set(mic, c);
    }
    if (c && !specs.some((s) => s.id === mic) && !c.holidays.has(year) && opts.calendar) {
      const fresh = await calendarFromChain(opts.calendar, mic, [year]);
      const h = fresh?.holidays.get(year);
      if (h) c.holidays.set(year, h);
    }
    return c;
  };

  const seen = new Map<string, { file: string; line: number }>();
  const candidates: Candidate[] = [];
  for (const { rec, kind } of records) {
    const f = rec.fields;
    const issue = (message: string) => rejected.push({ file: rec.file, line: rec.line, message });
    if (f.__shape) {
      issue(`malformed line: ${f.__shape}`);
      continue;
    }
    let date: number;
    try {
      date = isoToDay(f.date ?? "");
    } catch {
      issue(`date "${f.date ?? ""}" is not a date (YYYY-MM-DD)`);
      continue;
    }
    let feedId: string;
    let what: string;
    if (kind === "price") {
      const problem = isinProblem((f.isin ?? "").trim());
      if (problem) {
        issue(`malformed ISIN: ${problem}`);
        continue;
      }
      feedId = assetFeedId(f.isin.trim()).toLowerCase();
      what = f.isin.trim();
    } else {
      const base = (f.base ?? "").trim();
      const quote = (f.quote ?? "").trim();
      if (!isCurrency(base) || !isCurrency(quote) || base === quote) {
        issue(`FX pair "${base}/${quote}" is not two different ISO 4217 codes`);
        continue;
      }
      feedId = fxFeedId(base, quote);
      what = `${base}/${quote}`;
    }
    const raw = kind === "price" ? f.price : f.rate;
    const price = parsePrice(raw ?? "");
    if (price === undefined) {
      issue(`${kind === "price" ? "price" : "rate"} "${raw ?? ""}" is not a positive number (at most 18 decimals)`);
      continue;
    }
    const v = await feedOf(feedId);
    if (kind === "price" && v.kind !== "Security") {
      issue(`unknown asset ${what}: not registered with the oracle (oracle:configure)`);
      continue;
    }
    if (kind === "fx" && v.kind !== "FxPair") {
      issue(`FX pair ${what} unknown: not registered with the oracle (oracle:configure)`);
      continue;
    }
    const k = key(feedId, date);
    const earlier = seen.get(k);
    if (earlier) {
      issue(`duplicate: ${what} on ${dayToIso(date)} already given at ${earlier.file}:${earlier.line}`);
      continue;
    }
    seen.set(k, { file: rec.file, line: rec.line });
    if (date > today) {
      issue(`future date ${dayToIso(date)}: the chain's today is ${dayToIso(today)}`);
      continue;
    }
    if (v.calendar) {
      const year = toDate(date).year;
      const cal = await calendarOf(v.calendar, year);
      const b = cal?.isBusinessDay(date);
      if (cal === undefined) {
        issue(`calendar ${v.calendar} of ${what} is not on chain (calendar:load or --calendar)`);
        continue;
      }
      if (b === undefined) {
        issue(`calendar ${v.calendar} has no holidays loaded for ${year} (calendar:load or --calendar)`);
        continue;
      }
      if (!b) {
        issue(`non-business day: ${dayToIso(date)} is a ${cal.isWeekend(date) ? "weekend day" : "holiday"} of ${v.calendar}`);
        continue;
      }
    }
    candidates.push({ feedId, date, price, file: rec.file, line: rec.line });
  }
  candidates.sort((a, b) => a.date - b.date || (a.feedId < b.feedId ? -1 : a.feedId > b.feedId ? 1 : 0));

  // 3. Journal: settle any transaction an interrupted run left in flight before reading the chain.
  const journalPath = path.resolve(opts.journal ?? `${opts.prices ?? opts.fx}.journal.json`);
  const inputs: Record<string, string> = {};
  for (const f of [opts.prices, opts.fx, opts.calendars]) if (f) inputs[path.resolve(f)] = sha256File(f);
  const previous = readJournal(journalPath);
  let resumedTransactions = 0;
  if (previous && previous.chainId === chainId && previous.oracle === oracleAddress) {
    for (const tx of previous.txs.filter((t) => t.status === "sent")) {
      let receipt = await provider.getTransactionReceipt(tx.hash);
      if (!receipt && (await provider.getTransaction(tx.hash))) {
        log(`  waiting for ${tx.hash} sent by the interrupted run`);
        receipt = await provider.waitForTransaction(tx.hash, 1, 300_000);
      }
      tx.status = receipt ? (receipt.status === 1 ? "mined" : "failed") : "dropped";
      if (receipt) tx.gasUsed = receipt.gasUsed.toString();
      resumedTransactions++;
    }
  }
  const sameInputs = previous && JSON.stringify(previous.inputs) === JSON.stringify(inputs) && previous.chainId === chainId;
  const journal: Journal =
    sameInputs && previous
      ? { ...previous, status: "running", runs: previous.runs + 1 }
      : {
          version: 1,
          chainId,
          oracle: oracleAddress,
          inputs,
          status: "running",
          startedAt: new Date().toISOString(),
          updatedAt: "",
          runs: 1,
          txs: [],
        };
  if (!opts.dryRun) writeJournal(journalPath, journal);

  // 4. What the chain already holds: every accepted or quarantined value since deployment.
  const onChain = new Map<string, bigint>();
  const topics = [[oracle.interface.getEvent("PriceAccepted")!.topicHash, oracle.interface.getEvent("PriceQuarantined")!.topicHash]];
  const logs = await provider.getLogs({ address: oracleAddress, topics, fromBlock: opts.fromBlock ?? 0, toBlock: "latest" });
  for (const l of logs) {
    const ev = oracle.interface.parseLog(l)!;
    onChain.set(key(ev.args.feedId, Number(ev.args.date)), ev.args.price);
  }
  const toPush: Candidate[] = [];
  let skipped = 0;
  const closedUntil = await lastClosedDates(
    oracle,
    [...feeds.values()].map((v) => v.calendar),
  );
  for (const c of candidates) {
    const held = onChain.get(key(c.feedId, c.date));
    const v = feeds.get(c.feedId)!;
    if (held !== undefined) {
      if (held === c.price) skipped++;
      else
        rejected.push({
          file: c.file,
          line: c.line,
          message: `${feedLabel(c.feedId)} on ${dayToIso(c.date)}: the chain holds ${formatPrice(held, 18)}, the file says ${formatPrice(c.price, 18)}`,
        });
      continue;
    }
    if (c.date <= (closedUntil.get(v.calendar) ?? 0)) {
      rejected.push({
        file: c.file,
        line: c.line,
        message: `${feedLabel(c.feedId)} on ${dayToIso(c.date)}: ${v.calendar} is closed until ${dayToIso(closedUntil.get(v.calendar)!)}`,
      });
      continue;
    }
    if (c.date <= v.date) {
      rejected.push({
        file: c.file,
        line: c.line,
        message: `${feedLabel(c.feedId)} on ${dayToIso(c.date)} is older than the latest on-chain value (${dayToIso(v.date)})`,
      });
      continue;
    }
    toPush.push(c);
  }
  rejected.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));

  const summary: PushSummary = {
    dryRun: Boolean(opts.dryRun),
    lines: records.length,
    valid: candidates.length,
    pushed: 0,
    accepted: 0,
    quarantined: 0,
    refused: 0,
    skipped,
    rejected,
    transactions: 0,
    gasUsed: calendarGas,
    resumedTransactions,
    calendarsLoaded,
    updated: [],
    closed: [],
    journal: journalPath,
    durationMs: 0,
  };
  // The (calendar, date) pairs of the valid values: closed as the last step (lib/oracle/close.ts).
  const closeItems = () => candidates.map((c) => ({ calendar: feeds.get(c.feedId)!.calendar, date: c.date }));
  if (opts.dryRun) {
    if (opts.close !== false) summary.closed = await closeDates(oracle, closeItems(), { dryRun: true });
    summary.pushed = toPush.length;
    summary.durationMs = Date.now() - started;
    return summary;
  }

  // 5. Send in batches under the gas budget.
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const gasBudget = opts.gasBudget ?? 15_000_000n;
  const bar = new ProgressBar(toPush.length, process.stdout, opts.progress);
  const accepted = oracle.interface.getEvent("PriceAccepted")!.topicHash;
  const quarantined = oracle.interface.getEvent("PriceQuarantined")!.topicHash;
  const refused = oracle.interface.getEvent("PriceRefused")!.topicHash;
  const signerAddress = await (oracle.runner as unknown as { getAddress(): Promise<string> }).getAddress();
  let done = 0;
  const queue: Candidate[][] = [];
  for (let i = 0; i < toPush.length; i += batchSize) queue.push(toPush.slice(i, i + batchSize));
  while (queue.length > 0) {
    const batch = queue.shift()!;
    const items: IPriceOracle.PriceInputStruct[] = batch.map((c) => ({ feedId: c.feedId, date: c.date, price: c.price }));
    const estimate = await oracle.pushPrices.estimateGas(items);
    if (estimate > gasBudget && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      queue.unshift(batch.slice(0, half), batch.slice(half));
      continue;
    }
    const nonce = await provider.getTransactionCount(signerAddress, "pending");
    const tx = await oracle.pushPrices(items, { gasLimit: (estimate * 12n) / 10n, nonce });
    const entry = {
      hash: tx.hash,
      nonce,
      items: batch.length,
      first: `${feedLabel(batch[0].feedId)}@${dayToIso(batch[0].date)}`,
      last: `${feedLabel(batch[batch.length - 1].feedId)}@${dayToIso(batch[batch.length - 1].date)}`,
      status: "sent" as const,
    };
    journal.txs.push(entry);
    writeJournal(journalPath, journal);
    const receipt = await tx.wait();
    const j = journal.txs[journal.txs.length - 1];
    j.status = receipt && receipt.status === 1 ? "mined" : "failed";
    j.gasUsed = receipt?.gasUsed.toString();
    writeJournal(journalPath, journal);
    if (!receipt || receipt.status !== 1) throw new Error(`push transaction ${tx.hash} failed`);
    summary.transactions++;
    summary.gasUsed += receipt.gasUsed;
    summary.pushed += batch.length;
    for (const l of receipt.logs) {
      if (l.address.toLowerCase() !== oracleAddress) continue;
      if (l.topics[0] === accepted) {
        summary.accepted++;
        const ev = oracle.interface.parseLog(l)!;
        summary.updated.push({ feedId: ev.args.feedId, feed: feedLabel(ev.args.feedId), date: Number(ev.args.date) });
      } else if (l.topics[0] === quarantined) summary.quarantined++;
      else if (l.topics[0] === refused) summary.refused++;
    }
    done += batch.length;
    bar.update(done, `values, ${summary.transactions} tx, ${summary.gasUsed.toLocaleString("en-US")} gas`);
    if (opts.pauseMs && queue.length > 0) await sleep(opts.pauseMs);
  }
  bar.finish();
  journal.status = "completed";
  writeJournal(journalPath, journal);
  // 6. Close of business for the file's dates, per calendar: the last step before revaluation.
  if (opts.close !== false) summary.closed = await closeDates(oracle, closeItems(), { log });
  summary.durationMs = Date.now() - started;
  return summary;
}

/** The summary as table rows (label, value). */
export function summaryRows(
  s: PushSummary,
  revaluation?: { revalued: number; marginCalls: number; note?: string },
): Record<string, unknown>[] {
  const rows: [string, unknown][] = [
    ["lines read", s.lines],
    ["valid values", s.valid],
    [s.dryRun ? "would push" : "pushed", s.pushed],
    ["  accepted", s.accepted],
    ["  quarantined", s.quarantined],
    ["  refused on chain", s.refused],
    ["skipped (already on chain)", s.skipped],
    ["rejected lines", s.rejected.length],
    ["transactions", s.transactions],
    ["gas used", s.gasUsed.toLocaleString("en-US")],
  ];
  if (s.resumedTransactions) rows.push(["settled from the interrupted run", s.resumedTransactions]);
  rows.push(...closeSummaryRows(s.closed, s.dryRun));
  if (s.calendarsLoaded.length) rows.push([s.dryRun ? "calendars to load" : "calendars loaded", s.calendarsLoaded.join(", ")]);
  if (revaluation) {
    rows.push(["revalued", revaluation.revalued], ["margin calls raised", revaluation.marginCalls]);
    if (revaluation.note) rows.push(["revaluation", revaluation.note]);
  }
  rows.push(["time", `${(s.durationMs / 1000).toFixed(1)} s`]);
  return rows.map(([item, value]) => ({ item, value }));
}
