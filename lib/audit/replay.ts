/**
 * The auditor's replay: rebuilds every revaluation and valuation event of the suite with the TypeScript
 * reference calculators (`lib/<book>/calc.ts`) and lists every field where the chain and the calculator differ.
 *
 * Replay is a registry of per-event replayers: the books' replayers listed in `lib/audit/replayers.ts`
 * (each exported by its book, `lib/<book>/replay.ts`), and any {@link registerReplayer} adds, so a new book
 * brings its own replayer without any change to `audit:replay`.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Provider } from "ethers";
import { flattenArgs, type SuiteEvent } from "../core/events";
import type { DeploymentFile } from "../core/deployments";
import { BOOK_REPLAYERS } from "./replayers";

/** Expected values of the checked event's fields, by flattened name (`out.ratio`); compared as decimal strings. */
export type Expected = Record<string, bigint | number | string | boolean>;

export interface ReplayContext {
  provider: Provider;
  deployment: DeploymentFile;
  hre?: HardhatRuntimeEnvironment;
}

/** One run's state of a replayer (history it needs is fed through `observe`). */
export interface ReplayerSession {
  /** Called, in chain order, for every event named in `checks` or `observes` (after `replay` for checked ones). */
  observe?(ev: SuiteEvent): void | Promise<void>;
  /** Recomputes a checked event from its inputs and the history observed so far. */
  replay(ev: SuiteEvent): Expected | Promise<Expected>;
}

export interface Replayer {
  /** Short name in reports (`pledge`, `repo`). */
  name: string;
  /** Deployment name of the contract whose events it reads; any contract when absent. */
  contract?: string;
  /** Events recomputed and compared. */
  checks: string[];
  /** Further events that carry history the recomputation needs (terms, repayments, margin). */
  observes?: string[];
  /** A fresh session per replay run. */
  start(ctx: ReplayContext): ReplayerSession | Promise<ReplayerSession>;
}

export interface Mismatch {
  replayer: string;
  contract: string;
  event: string;
  blockNumber: number;
  txHash: string;
  logIndex: number;
  field: string;
  onChain: string;
  expected: string;
}

export interface ReplayCount {
  contract: string;
  event: string;
  replayed: number;
  mismatched: number;
}

export interface ReplayReport {
  network: string;
  chainId: number;
  fromBlock: number;
  toBlock: number;
  replayers: string[];
  counts: ReplayCount[];
  mismatches: Mismatch[];
}

const registry = new Map<string, Replayer>();
let loaded = false;

/**
 * Adds a replayer. Shorthand: `registerReplayer("RepoRevalued", (ev, ctx) => expected)` for an event
 * whose recomputation needs nothing but the event itself (and the chain through `ctx`).
 */
export function registerReplayer(r: Replayer): void;
export function registerReplayer(event: string, fn: (ev: SuiteEvent, ctx: ReplayContext) => Expected | Promise<Expected>): void;
export function registerReplayer(r: Replayer | string, fn?: (ev: SuiteEvent, ctx: ReplayContext) => Expected | Promise<Expected>): void {
  if (typeof r === "string") {
    const event = r;
    registry.set(event, { name: event, checks: [event], start: (ctx) => ({ replay: (ev) => fn!(ev, ctx) }) });
  } else {
    registry.set(r.name, r);
  }
}

/** Removes a replayer by name (the event name for the shorthand form). */
export function unregisterReplayer(name: string): void {
  registry.delete(name);
}

/** Every registered replayer, the books' replayers (`lib/audit/replayers.ts`) added first time round. */
export function replayers(): Replayer[] {
  if (!loaded) {
    loaded = true;
    for (const r of BOOK_REPLAYERS) if (!registry.has(r.name)) registry.set(r.name, r);
  }
  return [...registry.values()];
}

function text(v: unknown): string {
  return String(v);
}

/** Compares an event's fields with the recomputed ones; one mismatch per differing field. */
export function compareFields(ev: SuiteEvent, expected: Expected, replayer: string): Mismatch[] {
  const actual = flattenArgs(ev.args);
  const out: Mismatch[] = [];
  for (const [field, want] of Object.entries(expected)) {
    const got = actual[field];
    if (got === text(want)) continue;
    out.push({
      replayer,
      contract: ev.contract,
      event: ev.event,
      blockNumber: ev.blockNumber,
      txHash: ev.txHash,
      logIndex: ev.logIndex,
      field,
      onChain: got ?? "(absent)",
      expected: text(want),
    });
  }
  return out;
}

/**
 * Replays `events` (chain order, from the suite's first block so replayers see the history) and checks the
 * events at or after `fromBlock`. `onProgress` gets (done, total).
 */
export async function replayEvents(
  events: SuiteEvent[],
  ctx: ReplayContext,
  opts: { fromBlock?: number; replayers?: Replayer[]; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ counts: ReplayCount[]; mismatches: Mismatch[] }> {
  const list = opts.replayers ?? replayers();
  const sessions = await Promise.all(list.map(async (r) => ({ r, s: await r.start(ctx) })));
  const counts = new Map<string, ReplayCount>();
  const mismatches: Mismatch[] = [];
  const from = opts.fromBlock ?? 0;
  let done = 0;
  for (const ev of events) {
    for (const { r, s } of sessions) {
      if (r.contract && ev.contract !== r.contract) continue;
      const checked = r.checks.includes(ev.event);
      if (checked && ev.blockNumber >= from) {
        const key = `${ev.contract}\u0000${ev.event}`;
        const count = counts.get(key) ?? { contract: ev.contract, event: ev.event, replayed: 0, mismatched: 0 };
        counts.set(key, count);
        count.replayed++;
        let found: Mismatch[];
        try {
          found = compareFields(ev, await s.replay(ev), r.name);
        } catch (e) {
          found = [
            {
              replayer: r.name,
              contract: ev.contract,
              event: ev.event,
              blockNumber: ev.blockNumber,
              txHash: ev.txHash,
              logIndex: ev.logIndex,
              field: "(replay failed)",
              onChain: "",
              expected: (e as Error).message,
            },
          ];
        }
        if (found.length > 0) count.mismatched++;
        mismatches.push(...found);
      }
      if (checked || r.observes?.includes(ev.event)) await s.observe?.(ev);
    }
    opts.onProgress?.(++done, events.length);
  }
  return { counts: [...counts.values()], mismatches };
}

/**
 * Reads the suite's events on the selected network (deployment block to head, issued tokens included) and
 * replays them; checks those at or after `fromBlock`.
 */
export async function auditReplay(
  hre: HardhatRuntimeEnvironment,
  opts: { fromBlock?: number; onProgress?: (done: number, total: number) => void; deployment?: DeploymentFile } = {},
): Promise<ReplayReport> {
  const { readDeployment } = await import("../core/deployments");
  const { UserError } = await import("../core/cli");
  const { deploymentContracts, discoverTokens, fetchEvents } = await import("../core/events");
  const deployment = opts.deployment ?? readDeployment(hre.network.name);
  if (!deployment)
    throw new UserError(`no deployment file for "${hre.network.name}": run \`npx hardhat suite:deploy --network ${hre.network.name}\``);
  const provider = hre.ethers.provider;
  const head = await provider.getBlockNumber();
  const from = opts.fromBlock ?? deployment.block;
  if (from > head) throw new UserError(`--from-block ${from} is after the head (${head})`);
  const followed = await deploymentContracts(hre, deployment);
  await discoverTokens(hre, provider, deployment.contracts.TokenFactory, followed, deployment.block, head);
  const list = replayers();
  const wanted = new Set(list.flatMap((r) => [...r.checks, ...(r.observes ?? [])]));
  const events: SuiteEvent[] = [];
  const STEP = 5000;
  for (let b = deployment.block; b <= head; b += STEP) {
    events.push(...(await fetchEvents(provider, followed, b, Math.min(head, b + STEP - 1))).filter((e) => wanted.has(e.event)));
  }
  const ctx: ReplayContext = { provider, deployment, hre };
  const { counts, mismatches } = await replayEvents(events, ctx, { fromBlock: from, replayers: list, onProgress: opts.onProgress });
  return {
    network: hre.network.name,
    chainId: Number((await provider.getNetwork()).chainId),
    fromBlock: from,
    toBlock: head,
    replayers: list.map((r) => r.name),
    counts,
    mismatches,
  };
}
