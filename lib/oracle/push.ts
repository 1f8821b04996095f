/**
 * The oracle operator's price push: validate every line of the input files first (streamed, see
 * validate.ts) and send nothing while any line is bad (unless `skipInvalid`), skip what the chain already
 * holds, send the rest in batches under a gas budget, keep a journal so a killed run resumes without
 * double-pushing, and return a summary plus the (feed, date) pairs updated — the input of the
 * revaluation step that follows a push (see lib/oracle/revalue.ts). Its last step closes the business dates
 * of the file per calendar (lib/oracle/close.ts), so that revaluation runs on closed dates.
 *
 * What is "already on chain" comes from the oracle's events (PriceAccepted, PriceQuarantined) since the
 * suite's deployment block, so the answer is exact even though the contract stores only the latest value.
 * Every call to the node goes through rpc.ts (timeout, bounded retries, "node unreachable" on stderr), and
 * transactions are followed by polling receipts, the pool and the nonce, so a transaction an interrupted
 * run left pending, mined, dropped or replaced is settled on any JSON-RPC node.
 */
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { closeSummaryRows, type CloseOutcome } from "./close";
import type { LineIssue } from "./files";
import {
  closeAndComplete,
  loadCalendarFile,
  openRun,
  planAgainstChain,
  readAndValidate,
  report,
  reportBlocked,
  resumeJournal,
  sendBatches,
  simulatePush,
  startSummary,
} from "./push-stages";
import type { RpcPolicy } from "./rpc";

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
  /** Push the valid lines even when some are bad (default: push nothing if any line is bad). */
  skipInvalid?: boolean;
  /** Timeouts and retries of the calls to the node (defaults: DEFAULT_RPC_POLICY). */
  rpc?: Partial<RpcPolicy>;
  /** Draw a progress bar on stderr (default: when stderr is a terminal). */
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
  /** Nothing was sent because some lines are bad (and `skipInvalid` was not given). */
  blocked: boolean;
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

/** The push as a pipeline of stages (push-stages.ts), each taking what the earlier ones produced. */
export async function pushPrices(opts: PushOptions): Promise<PushSummary> {
  const run = await openRun(opts);
  const input = await readAndValidate(run);
  const journal = await resumeJournal(run);
  const plan = await planAgainstChain(run, input);
  const summary = startSummary(run, input, journal, plan);
  if (plan.blocked) return reportBlocked(run, summary);
  await loadCalendarFile(run, input, summary);
  if (opts.dryRun) return simulatePush(run, input, plan, summary);
  await sendBatches(run, journal, plan.toPush, summary);
  await closeAndComplete(run, input, journal, summary);
  return report(run, summary);
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
    ...(s.blocked ? ([["sent", "nothing: bad lines (--skip-invalid pushes the valid ones)"]] as [string, unknown][]) : []),
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
