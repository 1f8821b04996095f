/**
 * Close of business (SPEC §4): once a business date's prices and FX rates are in, an oracle operator closes
 * it for an exchange calendar; afterwards nothing dated on or before it can be pushed or confirmed for that
 * calendar's feeds, and the books revalue that date from the data as of its close. Used by `oracle:close`
 * and as the last step of the price push, before revaluation.
 *
 * Every close is simulated first (staticCall); a refusal is reported with the contract's custom error
 * decoded (the oracle's, or the holiday calendar's for an unknown calendar or a year not loaded) and
 * nothing is sent.
 */
import { Interface } from "ethers";
import type { PriceOracle } from "../../typechain-types";
import { HolidayCalendar__factory, PriceOracle__factory } from "../../typechain-types";
import { dayToIso } from "../core/dates";
import { bytesToText, calendarToBytes4 } from "./ids";
import { DEFAULT_RPC_POLICY, NodeUnreachableError, rpc, RpcPolicy, settleTransaction } from "./rpc";

/** What happened to one (calendar, date). */
export interface CloseOutcome {
  calendar: string;
  date: number;
  iso: string;
  status: "closed" | "already closed" | "would close" | "refused" | "not tried";
  /** The decoded refusal, or why the date was not tried. */
  reason?: string;
  txHash?: string;
  gasUsed?: bigint;
}

/** Raised by {@link closeBusinessDate} when the oracle refuses the close in simulation. */
export class CloseRefusedError extends Error {
  constructor(
    readonly calendar: string,
    readonly date: number,
    readonly reason: string,
  ) {
    super(`the oracle refuses to close ${calendar} ${dayToIso(date)}: ${reason}`);
    this.name = "CloseRefusedError";
  }
}

const errorsInterface = new Interface([
  ...PriceOracle__factory.createInterface().fragments.filter((f) => f.type === "error"),
  ...HolidayCalendar__factory.createInterface().fragments.filter((f) => f.type === "error"),
]);

/** The custom error of a failed call as `Name(arg, …)`, decoded with the oracle's and the calendar's errors. */
export function decodeRevert(err: unknown): string {
  const e = err as {
    data?: string;
    info?: { error?: { data?: string } };
    revert?: { name: string; args: unknown[] };
    shortMessage?: string;
    message?: string;
  };
  const data = typeof e?.data === "string" ? e.data : e?.info?.error?.data;
  if (data && data.length >= 10) {
    const parsed = errorsInterface.parseError(data);
    if (parsed) return `${parsed.name}(${[...parsed.args].map((a) => formatArg(a)).join(", ")})`;
  }
  if (e?.revert?.name) return `${e.revert.name}(${e.revert.args.map((a) => formatArg(a)).join(", ")})`;
  return e?.shortMessage ?? e?.message ?? String(err);
}

function formatArg(a: unknown): string {
  if (typeof a === "string" && /^0x[0-9a-fA-F]{8}$/.test(a)) {
    const text = bytesToText(a);
    return /^[A-Z0-9]{4}$/.test(text) ? text : a;
  }
  return String(a);
}

/**
 * Closes `date` for calendar `mic`: simulates, then sends. Throws {@link CloseRefusedError} with the decoded
 * custom error when the simulation fails; nothing is sent then.
 */
export async function closeBusinessDate(
  oracle: PriceOracle,
  mic: string,
  date: number,
  policy: RpcPolicy = DEFAULT_RPC_POLICY,
): Promise<CloseOutcome> {
  const id = calendarToBytes4(mic);
  try {
    await rpc(policy, `simulate close of ${mic}`, () => oracle.closeBusinessDate.staticCall(id, date));
  } catch (err) {
    if (err instanceof NodeUnreachableError) throw err;
    throw new CloseRefusedError(mic, date, decodeRevert(err));
  }
  const tx = await oracle.closeBusinessDate(id, date);
  // Followed by polling with a deadline (no provider-specific wait), as the price batches are.
  const { state, receipt } = await settleTransaction(oracle.runner!.provider!, policy, {
    hash: tx.hash,
    nonce: tx.nonce,
    from: tx.from,
  });
  if (state !== "mined" || !receipt) throw new Error(`close transaction ${tx.hash} ${state}; run the same command again`);
  return { calendar: mic, date, iso: dayToIso(date), status: "closed", txHash: tx.hash, gasUsed: receipt.gasUsed };
}

/** Last closed date (0: never) of each calendar of `mics`. */
export async function lastClosedDates(oracle: PriceOracle, mics: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const mic of new Set(mics)) if (mic) out.set(mic, Number(await oracle.lastClosedDate(calendarToBytes4(mic))));
  return out;
}

export interface CloseDatesOptions {
  /** Only report what would be closed. */
  dryRun?: boolean;
  /** Timeouts and retries of the node calls (default {@link DEFAULT_RPC_POLICY}). */
  policy?: RpcPolicy;
  log?: (message: string) => void;
}

/**
 * Closes, per calendar, the dates of `items` after the calendar's last closed date. Closes are monotonic
 * (closing D closes every earlier date of the calendar), so one transaction per calendar closes its latest
 * date; when a date waits on a quarantined value, the calendar is closed only up to the date before it, and
 * that date and the later ones are reported with the oracle's refusal (a later close would leave the
 * quarantined value unconfirmable). Refusals are reported, not thrown.
 */
export async function closeDates(
  oracle: PriceOracle,
  items: readonly { calendar: string; date: number }[],
  opts: CloseDatesOptions = {},
): Promise<CloseOutcome[]> {
  const log = opts.log ?? (() => undefined);
  const byCalendar = new Map<string, Set<number>>();
  for (const { calendar, date } of items) {
    if (!calendar) continue;
    if (!byCalendar.has(calendar)) byCalendar.set(calendar, new Set());
    byCalendar.get(calendar)!.add(date);
  }
  const out: CloseOutcome[] = [];
  for (const [mic, set] of [...byCalendar.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const id = calendarToBytes4(mic);
    const last = Number(await oracle.lastClosedDate(id));
    const dates = [...set].sort((a, b) => a - b);
    for (const date of dates.filter((d) => d <= last)) out.push({ calendar: mic, date, iso: dayToIso(date), status: "already closed" });
    const open = dates.filter((d) => d > last);
    // The first date with a quarantined value stops the calendar there.
    let stop = open.length;
    for (let i = 0; i < open.length; i++) {
      if ((await oracle.quarantinedCount(id, open[i])) > 0n) {
        stop = i;
        break;
      }
    }
    const closable = open.slice(0, stop);
    let refused = false;
    if (closable.length > 0) {
      const target = closable[closable.length - 1];
      let outcome: CloseOutcome;
      if (opts.dryRun) outcome = { calendar: mic, date: target, iso: dayToIso(target), status: "would close" };
      else {
        try {
          outcome = await closeBusinessDate(oracle, mic, target, opts.policy);
          log(`  closed ${mic} up to ${outcome.iso} (tx ${outcome.txHash})`);
        } catch (err) {
          if (!(err instanceof CloseRefusedError)) throw err;
          log(`  not closed ${mic} ${dayToIso(target)}: ${err.reason}`);
          outcome = { calendar: mic, date: target, iso: dayToIso(target), status: "refused", reason: err.reason };
          refused = true;
        }
      }
      // The earlier dates share the outcome of the calendar's one transaction.
      for (const date of closable) out.push({ ...outcome, date, iso: dayToIso(date) });
    }
    if (stop < open.length) {
      const blocked = open[stop];
      let reason = refused ? `an earlier date of ${mic} could not be closed` : "";
      if (!refused) {
        try {
          await oracle.closeBusinessDate.staticCall(id, blocked);
        } catch (err) {
          reason = decodeRevert(err);
        }
        log(`  not closed ${mic} ${dayToIso(blocked)}: ${reason}`);
      }
      out.push({ calendar: mic, date: blocked, iso: dayToIso(blocked), status: refused ? "not tried" : "refused", reason });
      for (const date of open.slice(stop + 1)) {
        out.push({
          calendar: mic,
          date,
          iso: dayToIso(date),
          status: "not tried",
          reason: `${dayToIso(blocked)} of ${mic} cannot be closed yet`,
        });
      }
    }
  }
  return out;
}

/** One line per calendar for a summary: what was closed (up to which date) and what was not, with why. */
export function closeSummaryRows(outcomes: readonly CloseOutcome[], dryRun = false): [string, string][] {
  const rows: [string, string][] = [];
  const calendars = [...new Set(outcomes.map((o) => o.calendar))];
  for (const mic of calendars) {
    const mine = outcomes.filter((o) => o.calendar === mic);
    const done = mine.filter((o) => o.status === "closed" || o.status === "would close");
    const label = dryRun ? `${mic} to close` : `${mic} closed`;
    if (done.length > 0) rows.push([label, `up to ${done[done.length - 1].iso} (${done.length} date(s))`]);
    else if (mine.every((o) => o.status === "already closed")) rows.push([label, "already"]);
    const blocked = mine.find((o) => o.status === "refused");
    if (blocked) rows.push([`${mic} not closed`, `${blocked.iso}: ${blocked.reason}`]);
  }
  return rows;
}
