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
import path from "node:path";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import type { IPriceOracle } from "../../typechain-types/contracts/oracle/PriceOracle";
import { dayToIso } from "../core/dates";
import { calendarFromChain, feedView, FeedView, loadCalendars } from "./admin";
import { BusinessCalendar } from "./calendar-model";
import { CalendarSpec, LineIssue, readCalendars } from "./files";
import { feedLabel, formatPrice } from "./ids";
import { Journal, JournalTx, readJournal, sha256File, writeJournal } from "./journal";
import { ProgressBar } from "./progress";
import { closeDates, CloseOutcome, closeSummaryRows, lastClosedDates } from "./close";
import { DEFAULT_RPC_POLICY, NodeUnreachableError, rpc, RpcPolicy, settleTransaction, sleep, waitNoPending } from "./rpc";
import { byLine, validateFiles, ValidValue } from "./validate";

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

type Candidate = ValidValue;

const key = (feedId: string, date: number) => `${feedId.toLowerCase()}:${date}`;

/** Statuses of a journal transaction whose outcome is not known yet. */
const OPEN = new Set<JournalTx["status"]>(["sending", "sent"]);

export async function pushPrices(opts: PushOptions): Promise<PushSummary> {
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

  // 1. Read and validate every line before anything is sent. Calendars given in a file take precedence
  //    over the chain's; they are loaded on chain only if the push goes ahead.
  const specs: CalendarSpec[] = opts.calendars ? readCalendars(opts.calendars) : [];
  if (opts.calendars && !opts.calendar) throw new Error("--calendar needs the HolidayCalendar contract");
  const feeds = new Map<string, FeedView>();
  const feedOf = async (id: string) => {
    let v = feeds.get(id);
    if (!v) {
      v = await call(`feed ${feedLabel(id)}`, () => feedView(oracle, id));
      feeds.set(id, v);
    }
    return v;
  };
  const calendars = new Map<string, BusinessCalendar | undefined>();
  for (const s of specs) calendars.set(s.id, BusinessCalendar.fromSpec(s));
  const fromChain = (mic: string, years: number[]) =>
    opts.calendar ? call(`calendar ${mic}`, () => calendarFromChain(opts.calendar!, mic, years)) : Promise.resolve(undefined);
  const calendarOf = async (mic: string, year: number): Promise<BusinessCalendar | undefined> => {
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
  const candidates: Candidate[] = [];
  const validation = await validateFiles({ prices: opts.prices, fx: opts.fx }, { today, feed: feedOf, calendar: calendarOf }, (v) =>
    candidates.push(v),
  );
  const rejected: LineIssue[] = validation.issues;
  candidates.sort((a, b) => a.date - b.date || (a.feedId < b.feedId ? -1 : a.feedId > b.feedId ? 1 : 0));

  // 2. Journal: settle every transaction an interrupted run left open before reading the chain.
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

  // 3. What the chain already holds: every accepted or quarantined value since deployment.
  const onChain = new Map<string, bigint>();
  const topics = [[oracle.interface.getEvent("PriceAccepted")!.topicHash, oracle.interface.getEvent("PriceQuarantined")!.topicHash]];
  const logs = await call("oracle events", () =>
    provider.getLogs({ address: oracleAddress, topics, fromBlock: opts.fromBlock ?? 0, toBlock: "latest" }),
  );
  for (const l of logs) {
    const ev = oracle.interface.parseLog(l)!;
    onChain.set(key(ev.args.feedId, Number(ev.args.date)), ev.args.price);
  }
  const toPush: Candidate[] = [];
  let skipped = 0;
  const closedUntil = await call("last closes", () =>
    lastClosedDates(
      oracle,
      [...feeds.values()].map((v) => v.calendar),
    ),
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
  rejected.sort(byLine);
  const blocked = rejected.length > 0 && !opts.skipInvalid;

  const summary: PushSummary = {
    dryRun: Boolean(opts.dryRun),
    lines: validation.lines,
    valid: validation.valid,
    pushed: 0,
    accepted: 0,
    quarantined: 0,
    refused: 0,
    skipped,
    rejected,
    blocked,
    transactions: 0,
    gasUsed: 0n,
    resumedTransactions,
    calendarsLoaded: [],
    updated: [],
    closed: [],
    journal: journalPath,
    durationMs: 0,
  };
  // The (calendar, date) pairs of the valid values: closed as the last step (lib/oracle/close.ts).
  const closeItems = () => candidates.map((c) => ({ calendar: feeds.get(c.feedId)!.calendar, date: c.date }));
  if (blocked) {
    log(`nothing pushed: ${rejected.length} bad line(s); correct them, or give --skip-invalid to push the valid ones`);
    summary.durationMs = Date.now() - started;
    return summary;
  }

  // 4. Calendars: load what differs (needs CALENDAR_ROLE).
  if (specs.length > 0) {
    const r = await call("calendar load", () => loadCalendars(opts.calendar!, specs, { dryRun: opts.dryRun, log }));
    summary.calendarsLoaded = r.loaded;
    summary.gasUsed += r.gasUsed;
  }
  if (opts.dryRun) {
    if (opts.close !== false) summary.closed = await closeDates(oracle, closeItems(), { dryRun: true });
    summary.pushed = toPush.length;
    summary.durationMs = Date.now() - started;
    return summary;
  }
  writeJournal(journalPath, journal);

  // 5. Send in batches under the gas budget; each transaction is journaled before it is sent and followed
  //    until it is mined (a transaction the node dropped is sent again with the same nonce).
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const gasBudget = opts.gasBudget ?? 15_000_000n;
  const bar = new ProgressBar(toPush.length, process.stderr, opts.progress);
  const accepted = oracle.interface.getEvent("PriceAccepted")!.topicHash;
  const quarantined = oracle.interface.getEvent("PriceQuarantined")!.topicHash;
  const refused = oracle.interface.getEvent("PriceRefused")!.topicHash;
  let done = 0;
  const queue: Candidate[][] = [];
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
  } finally {
    bar.finish();
  }

  // 6. Every batch is on chain. Steps that need the whole push done come here, before the journal is
  //    marked completed (a run interrupted in them is resumed like any other).
  //    Close of business for the file's dates, per calendar: the last step before revaluation. A close
  //    already made is recognised, so a resumed run closes nothing twice.
  if (opts.close !== false) summary.closed = await closeDates(oracle, closeItems(), { log, policy });

  journal.status = "completed";
  writeJournal(journalPath, journal);
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
