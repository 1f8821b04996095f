/**
 * The stages of the price push (push.ts), in the order `pushPrices` runs them:
 *
 *   openRun → readAndValidate → resumeJournal → planAgainstChain → startSummary
 *     → blocked: reportBlocked
 *     → loadCalendarFile → dry run: simulatePush
 *                        → sendBatches → closeAndComplete → report
 *
 * Each stage takes the run (the oracle, its node and the call policy) and what the earlier stages produced,
 * and returns its own result; the send stage adds every settled batch to the summary's tallies.
 */
import path from "node:path";
import type { Provider } from "ethers";
import type { PriceOracle } from "../../typechain-types";
import type { IPriceOracle } from "../../typechain-types/contracts/oracle/PriceOracle";
import { dayToIso } from "../core/dates";
import { calendarFromChain, feedView, FeedView, loadCalendars } from "./admin";
import { BusinessCalendar } from "./calendar-model";
import { CalendarSpec, LineIssue, readCalendars } from "./files";
import { feedLabel, formatPrice } from "./ids";
import { Journal, JournalTx, readJournal, sha256File, writeJournal } from "./journal";
import { ProgressBar } from "./progress";
import { closeDates, lastClosedDates } from "./close";
import { DEFAULT_RPC_POLICY, NodeUnreachableError, rpc, RpcPolicy, settleTransaction, sleep, waitNoPending } from "./rpc";
import { byLine, validateFiles, ValidValue } from "./validate";
import type { PushOptions, PushSummary } from "./push";

/** What every stage shares: the options, the oracle and its node, the operator, the call policy. */
export interface PushRun {
  opts: PushOptions;
  started: number;
  log: (message: string) => void;
  policy: RpcPolicy;
  /** A call to the node under the run's policy (timeout, bounded retries). */
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
  oracle: PriceOracle;
  provider: Provider;
  /** Lower case. */
  oracleAddress: string;
  signerAddress: string;
  chainId: number;
  /** Day number of the latest block: values dated later are refused. */
  today: number;
}

/** The input files read and validated, with the feeds and calendars looked up on the way. */
export interface PushInput {
  /** Calendars given in a file (they take precedence over the chain's). */
  specs: CalendarSpec[];
  /** Every feed a line named, as the chain holds it. */
  feeds: Map<string, FeedView>;
  /** The valid values, by date then feed id. */
  candidates: ValidValue[];
  lines: number;
  valid: number;
  /** The bad lines. */
  issues: LineIssue[];
}

/** The journal of this run, with the transactions of an interrupted run settled. */
export interface JournalState {
  path: string;
  journal: Journal;
  /** Transactions of an interrupted run found open in the journal and settled. */
  resumedTransactions: number;
}

/** What the chain lacks, what it already holds, and every bad line (the file's and the chain's), by line. */
export interface PushPlan {
  toPush: ValidValue[];
  skipped: number;
  rejected: LineIssue[];
  /** Bad lines and no `skipInvalid`: nothing is sent. */
  blocked: boolean;
}

/** The summary's tallies the send stage adds to. */
export type PushTally = Pick<PushSummary, "pushed" | "accepted" | "quarantined" | "refused" | "transactions" | "gasUsed" | "updated">;

const key = (feedId: string, date: number) => `${feedId.toLowerCase()}:${date}`;

/** Statuses of a journal transaction whose outcome is not known yet. */
const OPEN = new Set<JournalTx["status"]>(["sending", "sent"]);

/** Connects the run: the call policy, the oracle's and the operator's addresses, the chain id and today. */
export async function openRun(opts: PushOptions): Promise<PushRun> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const policy: RpcPolicy = { ...DEFAULT_RPC_POLICY, ...opts.rpc };
  const call = <T>(what: string, fn: () => Promise<T>) => rpc(policy, what, fn);
  const { oracle } = opts;
  const provider = oracle.runner!.provider!;
  if (!opts.prices && !opts.fx) throw new Error("nothing to push: give a prices file and/or an FX file");
  const oracleAddress = (await oracle.getAddress()).toLowerCase();
  const signerAddress = await (oracle.runner as unknown as { getAddress(): Promise<string> }).getAddress();
  const chainId = Number((await call("chain id", () => provider.getNetwork())).chainId);
  const latestBlock = await call("latest block", () => provider.getBlock("latest"));
  const today = Math.floor(Number(latestBlock!.timestamp) / 86400);
  return { opts, started, log, policy, call, oracle, provider, oracleAddress, signerAddress, chainId, today };
}

/** The feeds the lines name, read from the oracle once each. */
export function feedLookup(run: PushRun): { feeds: Map<string, FeedView>; feedOf: (id: string) => Promise<FeedView> } {
  const feeds = new Map<string, FeedView>();
  const feedOf = async (id: string) => {
    let v = feeds.get(id);
    if (!v) {
      v = await run.call(`feed ${feedLabel(id)}`, () => feedView(run.oracle, id));
      feeds.set(id, v);
    }
    return v;
  };
  return { feeds, feedOf };
}

/**
 * The business calendars the dates are checked against: those of the calendars file, else the chain's
 * (the year asked and its neighbours, then any further year when first needed).
 */
export function calendarLookup(run: PushRun, specs: CalendarSpec[]): (mic: string, year: number) => Promise<BusinessCalendar | undefined> {
  const { opts, call } = run;
  const calendars = new Map<string, BusinessCalendar | undefined>();
  for (const s of specs) calendars.set(s.id, BusinessCalendar.fromSpec(s));
  const fromChain = (mic: string, years: number[]) =>
    opts.calendar ? call(`calendar ${mic}`, () => calendarFromChain(opts.calendar!, mic, years)) : Promise.resolve(undefined);
  return async (mic: string, year: number): Promise<BusinessCalendar | undefined> => {
    let c = calendars.get(mic);
    if (c === undefined && !calendars.has(mic) && opts.calendar) {
      c = await fromChain(mic, [year - 1, year, year + 1]);
      calendars.set(mic, c);
    }
    if (c && !specs.some((s) => s.id === mic) && !c.holidays.has(year) && opts.calendar) {
      const h = (await fromChain(mic, [year]))?.holidays.get(year);
      if (h) c.holidays.set(year, h);
    }
    return c;
  };
}

/**
 * Reads and validates every line before anything is sent. Calendars given in a file take precedence over
 * the chain's; they are loaded on chain only if the push goes ahead.
 */
export async function readAndValidate(run: PushRun): Promise<PushInput> {
  const { opts } = run;
  const specs: CalendarSpec[] = opts.calendars ? readCalendars(opts.calendars) : [];
  if (opts.calendars && !opts.calendar) throw new Error("--calendar needs the HolidayCalendar contract");
  const { feeds, feedOf } = feedLookup(run);
  const calendarOf = calendarLookup(run, specs);
  const candidates: ValidValue[] = [];
  const validation = await validateFiles(
    { prices: opts.prices, fx: opts.fx },
    { today: run.today, feed: feedOf, calendar: calendarOf },
    (v) => candidates.push(v),
  );
  candidates.sort((a, b) => a.date - b.date || (a.feedId < b.feedId ? -1 : a.feedId > b.feedId ? 1 : 0));
  return { specs, feeds, candidates, lines: validation.lines, valid: validation.valid, issues: validation.issues };
}

/**
 * Settles every transaction an interrupted run left open before the chain is read, and starts this run's
 * journal: the same one continued when the input files are unchanged, a new one otherwise.
 */
export async function resumeJournal(run: PushRun): Promise<JournalState> {
  const { opts, provider, policy, log, chainId, oracleAddress, signerAddress } = run;
  const journalPath = path.resolve(opts.journal ?? `${opts.prices ?? opts.fx}.journal.json`);
  const inputs: Record<string, string> = {};
  for (const f of [opts.prices, opts.fx, opts.calendars]) if (f) inputs[path.resolve(f)] = sha256File(f);
  const previous = readJournal(journalPath);
  let resumedTransactions = 0;
  if (previous && previous.chainId === chainId && previous.oracle === oracleAddress) {
    for (const tx of previous.txs.filter((t) => OPEN.has(t.status))) {
      const from = tx.from ?? signerAddress;
      if (tx.hash) {
        log(`  settling ${tx.hash} (nonce ${tx.nonce}) sent by the interrupted run`);
        const s = await settleTransaction(provider, policy, { hash: tx.hash, nonce: tx.nonce, from });
        tx.status = s.state;
        if (s.receipt) tx.gasUsed = s.receipt.gasUsed.toString();
      } else {
        // Sent without its hash coming back: wait until nothing of the sender's is pending; the chain's
        // events then tell whether its values arrived.
        log(`  waiting until nonce ${tx.nonce} of ${from} is settled (sent by the interrupted run)`);
        const used = await waitNoPending(provider, policy, from);
        tx.status = used > tx.nonce ? "unknown" : "dropped";
      }
      resumedTransactions++;
    }
  }
  if (!opts.dryRun) await waitNoPending(provider, policy, signerAddress);
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
  if (!opts.dryRun && previous && resumedTransactions > 0) writeJournal(journalPath, { ...previous, status: "running" });
  return { path: journalPath, journal, resumedTransactions };
}

/**
 * What to send, against the chain: every accepted or quarantined value since deployment is skipped when
 * equal and rejected when different; a date its calendar has closed, or older than the feed's latest
 * value, is rejected.
 */
export async function planAgainstChain(run: PushRun, input: PushInput): Promise<PushPlan> {
  const { opts, oracle, provider, call, oracleAddress } = run;
  const { feeds } = input;
  const onChain = new Map<string, bigint>();
  const topics = [[oracle.interface.getEvent("PriceAccepted")!.topicHash, oracle.interface.getEvent("PriceQuarantined")!.topicHash]];
  const logs = await call("oracle events", () =>
    provider.getLogs({ address: oracleAddress, topics, fromBlock: opts.fromBlock ?? 0, toBlock: "latest" }),
  );
  for (const l of logs) {
    const ev = oracle.interface.parseLog(l)!;
    onChain.set(key(ev.args.feedId, Number(ev.args.date)), ev.args.price);
  }
  const rejected: LineIssue[] = [...input.issues];
  const toPush: ValidValue[] = [];
  let skipped = 0;
  const closedUntil = await call("last closes", () =>
    lastClosedDates(
      oracle,
      [...feeds.values()].map((v) => v.calendar),
    ),
  );
  for (const c of input.candidates) {
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
  rejected.sort(byLine);
  return { toPush, skipped, rejected, blocked: rejected.length > 0 && !opts.skipInvalid };
}

/** The summary before anything is sent. */
export function startSummary(run: PushRun, input: PushInput, journal: JournalState, plan: PushPlan): PushSummary {
  return {
    dryRun: Boolean(run.opts.dryRun),
    lines: input.lines,
    valid: input.valid,
    pushed: 0,
    accepted: 0,
    quarantined: 0,
    refused: 0,
    skipped: plan.skipped,
    rejected: plan.rejected,
    blocked: plan.blocked,
    transactions: 0,
    gasUsed: 0n,
    resumedTransactions: journal.resumedTransactions,
    calendarsLoaded: [],
    updated: [],
    closed: [],
    journal: journal.path,
    durationMs: 0,
  };
}

/** The (calendar, date) pairs of the valid values: closed as the last step (close.ts). */
export function closeItems(input: PushInput): { calendar: string; date: number }[] {
  return input.candidates.map((c) => ({ calendar: input.feeds.get(c.feedId)!.calendar, date: c.date }));
}

/** Some lines are bad and `skipInvalid` was not given: nothing is sent. */
export function reportBlocked(run: PushRun, summary: PushSummary): PushSummary {
  run.log(`nothing pushed: ${summary.rejected.length} bad line(s); correct them, or give --skip-invalid to push the valid ones`);
  return report(run, summary);
}

/** Loads the calendars of the calendars file where the chain's differ (needs CALENDAR_ROLE; a dry run only reports). */
export async function loadCalendarFile(
  run: PushRun,
  input: PushInput,
  tally: Pick<PushSummary, "calendarsLoaded" | "gasUsed">,
): Promise<void> {
  if (input.specs.length === 0) return;
  const { opts, log } = run;
  const r = await run.call("calendar load", () => loadCalendars(opts.calendar!, input.specs, { dryRun: opts.dryRun, log }));
  tally.calendarsLoaded = r.loaded;
  tally.gasUsed += r.gasUsed;
}

/** A dry run: what would be pushed and closed; nothing is sent and the journal is not written. */
export async function simulatePush(run: PushRun, input: PushInput, plan: PushPlan, summary: PushSummary): Promise<PushSummary> {
  if (run.opts.close !== false) summary.closed = await closeDates(run.oracle, closeItems(input), { dryRun: true });
  summary.pushed = plan.toPush.length;
  return report(run, summary);
}

/**
 * Sends the values in batches under the gas budget; each transaction is journaled before it is sent and
 * followed until it is mined (a transaction the node dropped is sent again with the same nonce). A batch
 * estimated above the budget is split in two.
 */
export async function sendBatches(run: PushRun, journalState: JournalState, toPush: ValidValue[], tally: PushTally): Promise<void> {
  const { opts, oracle, provider, policy, call, oracleAddress, signerAddress } = run;
  const { path: journalPath, journal } = journalState;
  writeJournal(journalPath, journal);
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const gasBudget = opts.gasBudget ?? 15_000_000n;
  const bar = new ProgressBar(toPush.length, process.stderr, opts.progress);
  const accepted = oracle.interface.getEvent("PriceAccepted")!.topicHash;
  const quarantined = oracle.interface.getEvent("PriceQuarantined")!.topicHash;
  const refused = oracle.interface.getEvent("PriceRefused")!.topicHash;
  let done = 0;
  const queue: ValidValue[][] = [];
  for (let i = 0; i < toPush.length; i += batchSize) queue.push(toPush.slice(i, i + batchSize));
  try {
    while (queue.length > 0) {
      const batch = queue.shift()!;
      const items: IPriceOracle.PriceInputStruct[] = batch.map((c) => ({ feedId: c.feedId, date: c.date, price: c.price }));
      const estimate = await call("gas estimate", () => oracle.pushPrices.estimateGas(items));
      if (estimate > gasBudget && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        queue.unshift(batch.slice(0, half), batch.slice(half));
        continue;
      }
      const nonce = await call(`nonce of ${signerAddress}`, () => provider.getTransactionCount(signerAddress, "pending"));
      const entry: JournalTx = {
        hash: "",
        nonce,
        from: signerAddress,
        items: batch.length,
        first: `${feedLabel(batch[0].feedId)}@${dayToIso(batch[0].date)}`,
        last: `${feedLabel(batch[batch.length - 1].feedId)}@${dayToIso(batch[batch.length - 1].date)}`,
        status: "sending",
      };
      journal.txs.push(entry);
      writeJournal(journalPath, journal);
      let attempts = 0;
      const tx = await call(`send of ${batch.length} value(s)`, async () => {
        if (attempts++ > 0) {
          // The earlier attempt may have reached the node: never send a second transaction for it.
          const pending = await provider.getTransactionCount(signerAddress, "pending");
          if (pending > nonce)
            throw new NodeUnreachableError(
              `the node took transaction nonce ${nonce} but its hash never came back; the journal keeps it, run the same command again to resume`,
            );
        }
        return oracle.pushPrices(items, { gasLimit: (estimate * 12n) / 10n, nonce });
      });
      entry.hash = tx.hash;
      entry.status = "sent";
      writeJournal(journalPath, journal);
      const settled = await settleTransaction(provider, policy, { hash: tx.hash, nonce, from: signerAddress });
      entry.status = settled.state;
      entry.gasUsed = settled.receipt?.gasUsed.toString();
      writeJournal(journalPath, journal);
      if (settled.state === "dropped") {
        policy.warn(`transaction ${tx.hash} (nonce ${nonce}) was dropped by the node; sending its ${batch.length} value(s) again`);
        queue.unshift(batch);
        continue;
      }
      if (settled.state === "replaced")
        throw new Error(
          `nonce ${nonce} of ${signerAddress} was taken by another transaction instead of ${tx.hash}; run the same command again to push what is missing`,
        );
      const receipt = settled.receipt!;
      if (settled.state === "failed") throw new Error(`push transaction ${tx.hash} failed`);
      tally.transactions++;
      tally.gasUsed += receipt.gasUsed;
      tally.pushed += batch.length;
      for (const l of receipt.logs) {
        if (l.address.toLowerCase() !== oracleAddress) continue;
        if (l.topics[0] === accepted) {
          tally.accepted++;
          const ev = oracle.interface.parseLog(l)!;
          tally.updated.push({ feedId: ev.args.feedId, feed: feedLabel(ev.args.feedId), date: Number(ev.args.date) });
        } else if (l.topics[0] === quarantined) tally.quarantined++;
        else if (l.topics[0] === refused) tally.refused++;
      }
      done += batch.length;
      bar.update(done, `values, ${tally.transactions} tx, ${tally.gasUsed.toLocaleString("en-US")} gas`);
      if (opts.pauseMs && queue.length > 0) await sleep(opts.pauseMs);
    }
  } finally {
    bar.finish();
  }
}

/**
 * Every batch is on chain. Steps that need the whole push done come here, before the journal is marked
 * completed (a run interrupted in them is resumed like any other). Close of business for the file's dates,
 * per calendar, is the last step before revaluation; a close already made is recognised, so a resumed run
 * closes nothing twice.
 */
export async function closeAndComplete(run: PushRun, input: PushInput, journalState: JournalState, summary: PushSummary): Promise<void> {
  const { opts, oracle, log, policy } = run;
  if (opts.close !== false) summary.closed = await closeDates(oracle, closeItems(input), { log, policy });
  journalState.journal.status = "completed";
  writeJournal(journalState.path, journalState.journal);
}

/** The summary, timed. */
export function report(run: PushRun, summary: PushSummary): PushSummary {
  summary.durationMs = Date.now() - run.started;
  return summary;
}
