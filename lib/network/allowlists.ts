/**
 * Local permissioning for Besu releases without on-chain permissioning (25.6 and later): every member
 * node keeps an account allowlist and a node allowlist (`permissions_config.toml`), changed at run time
 * through its PERM JSON-RPC methods. The chain stays the source of truth:
 *
 * - accounts allowed = signers of Active participants, holders of the registry's admin, registrar and
 *   supervisor roles (the same set `AccountRules` admits), and the protected accounts of nodes.json;
 * - nodes allowed = the node rules' enodes whose owner is an Active member organisation (the same answer
 *   as `NodeRules.connectionAllowed`), and the protected enodes of nodes.json (validators, bootnodes).
 *
 * The sync follows the registry's and the node rules' events from a checkpoint; on start, after any
 * event and for every node that failed the round before, it reads the node's lists, computes the
 * difference with what the chain allows and applies it. Protected entries are never removed.
 */
import fs from "node:fs";
import path from "node:path";
import { Contract, Interface, getAddress, id as keccakId, isAddress, type Provider } from "ethers";
import { UserError } from "../core/cli";
import { DEFAULT_RPC_POLICY, PermClient, type NodeEndpoint, type RpcPolicy } from "./perm-rpc";

/* ---------------------------------------------------------------- configuration (nodes.json) */

export interface NodesConfig {
  nodes: NodeEndpoint[];
  /** Always allowed, never removed: the depository's admin accounts and the validators' enodes. */
  protected: { accounts: string[]; nodes: string[] };
  rpc: RpcPolicy;
}

interface NodesFile {
  nodes?: Record<string, { url?: string; token?: string; tokenFile?: string }>;
  protected?: { accounts?: string[]; nodes?: string[] };
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
}

/**
 * Reads nodes.json:
 * `{ "nodes": { "<name>": { "url": "http://…", "token"?: "<jwt>", "tokenFile"?: "<path>" } },
 *    "protected": { "accounts": ["0x…"], "nodes": ["enode://…"] }, "timeoutMs"?: 5000, "retries"?: 2 }`.
 * A relative `tokenFile` is read from the folder of nodes.json.
 */
export function loadNodesConfig(file: string): NodesConfig {
  if (!fs.existsSync(file)) throw new UserError(`nodes file ${file} does not exist`);
  let raw: NodesFile;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as NodesFile;
  } catch (e) {
    throw new UserError(`nodes file ${file} is not JSON: ${(e as Error).message}`);
  }
  return parseNodesConfig(raw, path.dirname(path.resolve(file)), file);
}

export function parseNodesConfig(raw: NodesFile, baseDir = process.cwd(), where = "nodes file"): NodesConfig {
  const entries = Object.entries(raw.nodes ?? {});
  if (entries.length === 0) throw new UserError(`${where}: "nodes" names no node`);
  const nodes = entries.map(([name, n]) => {
    if (!n.url || !/^https?:\/\//.test(n.url)) throw new UserError(`${where}: node "${name}" needs an http(s) "url"`);
    if (n.token && n.tokenFile) throw new UserError(`${where}: node "${name}" has both "token" and "tokenFile"`);
    const tokenFile = n.tokenFile ? path.resolve(baseDir, n.tokenFile) : undefined;
    if (tokenFile && !fs.existsSync(tokenFile)) throw new UserError(`${where}: token file of "${name}" (${tokenFile}) does not exist`);
    return { name, url: n.url, token: n.token, tokenFile };
  });
  const accounts = (raw.protected?.accounts ?? []).map((a, i) => {
    if (!isAddress(a)) throw new UserError(`${where}: protected.accounts[${i}] "${a}" is not an address`);
    return a.toLowerCase();
  });
  const enodes = (raw.protected?.nodes ?? []).map((e, i) => {
    const parsed = parseEnodeUrl(e);
    if (!parsed) throw new UserError(`${where}: protected.nodes[${i}] "${e}" is not an enode URL`);
    return parsed.url;
  });
  const rpc: RpcPolicy = {
    timeoutMs: raw.timeoutMs ?? DEFAULT_RPC_POLICY.timeoutMs,
    retries: raw.retries ?? DEFAULT_RPC_POLICY.retries,
    retryDelayMs: raw.retryDelayMs ?? DEFAULT_RPC_POLICY.retryDelayMs,
  };
  if (!(rpc.timeoutMs > 0) || !Number.isInteger(rpc.retries) || rpc.retries < 0 || rpc.retries > 10) {
    throw new UserError(`${where}: timeoutMs must be positive and retries an integer from 0 to 10`);
  }
  return { nodes, protected: { accounts, nodes: enodes }, rpc };
}

/* ---------------------------------------------------------------- enode URLs */

/**
 * Splits an enode URL; `key` (lower-case id, host and port, without query such as `?discport=`) is what
 * two URLs naming the same node share; `url` is the canonical form written to the node.
 */
export function parseEnodeUrl(enode: string): { id: string; host: string; port: number; key: string; url: string } | undefined {
  const m = /^enode:\/\/([0-9a-fA-F]{128})@([^:/?]+|\[[^\]]+\]):(\d{1,5})(\?.*)?$/.exec(enode.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  const id = m[1].toLowerCase();
  const host = m[2].toLowerCase();
  return { id, host, port, key: `${id}@${host}:${port}`, url: `enode://${id}@${host}:${port}` };
}

/* ---------------------------------------------------------------- what the chain allows */

const REGISTRY_ABI = [
  "function participantCount() view returns (uint32)",
  "function kindAndStatusOf(uint32) view returns (uint8, uint8)",
  "function signersOf(uint32) view returns (address[])",
  "function hasRole(bytes32, address) view returns (bool)",
  "event ParticipantAdded(uint32 indexed participantId, uint8 kind, bytes32 indexed identityHash, bytes2 jurisdiction)",
  "event ParticipantStatusChanged(uint32 indexed participantId, uint8 from, uint8 to, bytes32 reason)",
  "event SignerAdded(uint32 indexed participantId, address indexed signer)",
  "event SignerRemoved(uint32 indexed participantId, address indexed signer)",
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
];
const NODE_RULES_ABI = [
  "function nodes() view returns (tuple(uint32 participantId, uint16 port, string enodeId, string host)[])",
  "function connectionAllowed(string enodeId, string enodeHost, uint16 enodePort) view returns (bool)",
  "event NodeAllowed(bytes32 indexed key, uint32 indexed participantId, string enodeId, string host, uint16 port)",
  "event NodeDenied(bytes32 indexed key, uint32 indexed participantId, string enodeId, string host, uint16 port)",
];
const EVENTS = new Interface([...REGISTRY_ABI, ...NODE_RULES_ABI].filter((f) => f.startsWith("event")));

/** Roles `AccountRules` admits besides active signers (the people who can repair the network). */
export const ADMIN_ROLES = [
  "0x0000000000000000000000000000000000000000000000000000000000000000",
  keccakId("REGISTRAR_ROLE"),
  keccakId("SUPERVISOR_ROLE"),
];

const STATUS_ACTIVE = 1n;

export interface ChainSource {
  provider: Provider;
  registry: string;
  nodeRules: string;
  /** First block of the suite: where role grants are looked for. */
  fromBlock: number;
  /** Per chain call. */
  timeoutMs?: number;
}

/** Allowed entry → why it is allowed. */
export interface Allowed {
  block: number;
  accounts: Map<string, string>;
  /** Enode key → canonical URL and reason. */
  nodes: Map<string, { url: string; reason: string }>;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** Logs of the registry and the node rules in [from, to], in chunks a node's `--rpc-max-logs-range` accepts. */
export async function fetchPermissionEvents(src: ChainSource, from: number, to: number, chunk = 2_000) {
  const out: { name: string; args: Record<string, unknown>; block: number }[] = [];
  for (let start = from; start <= to; start += chunk) {
    const end = Math.min(to, start + chunk - 1);
    const logs = await withTimeout(
      src.provider.getLogs({ address: [src.registry, src.nodeRules], fromBlock: start, toBlock: end }),
      src.timeoutMs ?? 30_000,
      "eth_getLogs",
    );
    for (const log of logs) {
      const parsed = EVENTS.parseLog(log);
      if (!parsed) continue;
      const args: Record<string, unknown> = {};
      parsed.fragment.inputs.forEach((input, i) => (args[input.name] = parsed.args[i]));
      out.push({ name: parsed.name, args, block: log.blockNumber });
    }
  }
  return out;
}

/** Accounts ever granted an admin role, from the role events (whether they still hold it is read at head). */
export function roleCandidates(events: { name: string; args: Record<string, unknown> }[]): string[] {
  return events
    .filter((e) => e.name === "RoleGranted" && ADMIN_ROLES.includes(String(e.args.role)))
    .map((e) => String(e.args.account).toLowerCase());
}

/** What the chain allows at `block`, plus the protected entries. */
export async function readAllowed(
  src: ChainSource,
  block: number,
  candidates: Iterable<string>,
  protectedEntries: NodesConfig["protected"],
): Promise<Allowed> {
  const t = src.timeoutMs ?? 30_000;
  const overrides = { blockTag: block };
  const registry = new Contract(src.registry, REGISTRY_ABI, src.provider);
  const rules = new Contract(src.nodeRules, NODE_RULES_ABI, src.provider);
  const accounts = new Map<string, string>();
  const nodes = new Map<string, { url: string; reason: string }>();

  const count = Number(await withTimeout(registry.participantCount(overrides), t, "participantCount"));
  for (let pid = 1; pid <= count; pid++) {
    const [, status] = await withTimeout(registry.kindAndStatusOf(pid, overrides), t, "kindAndStatusOf");
    if (status !== STATUS_ACTIVE) continue;
    for (const s of (await withTimeout(registry.signersOf(pid, overrides), t, "signersOf")) as string[]) {
      accounts.set(s.toLowerCase(), `signer of participant ${pid}`);
    }
  }
  for (const account of new Set(candidates)) {
    if (accounts.has(account)) continue;
    for (const role of ADMIN_ROLES) {
      if (await withTimeout(registry.hasRole(role, account, overrides), t, "hasRole")) {
        accounts.set(account, "registry administrator");
        break;
      }
    }
  }
  for (const a of protectedEntries.accounts) accounts.set(a, "protected");

  for (const n of (await withTimeout(rules.nodes(overrides), t, "nodes")) as {
    participantId: bigint;
    port: bigint;
    enodeId: string;
    host: string;
  }[]) {
    const allowed = await withTimeout(rules.connectionAllowed(n.enodeId, n.host, n.port, overrides), t, "connectionAllowed");
    const parsed = parseEnodeUrl(`enode://${n.enodeId}@${n.host}:${n.port}`);
    if (allowed && parsed) nodes.set(parsed.key, { url: parsed.url, reason: `node of participant ${n.participantId}` });
  }
  for (const e of protectedEntries.nodes) {
    const parsed = parseEnodeUrl(e)!;
    nodes.set(parsed.key, { url: parsed.url, reason: "protected" });
  }
  return { block, accounts, nodes };
}

/* ---------------------------------------------------------------- differences */

export interface NodeDiff {
  node: string;
  addAccounts: string[];
  removeAccounts: string[];
  addNodes: string[];
  removeNodes: string[];
}

export function isInSync(d: NodeDiff): boolean {
  return d.addAccounts.length + d.removeAccounts.length + d.addNodes.length + d.removeNodes.length === 0;
}

/**
 * What a node must change to allow exactly `allowed`. Entries to remove are given as the node lists them
 * (Besu matches them literally); protected entries are part of `allowed`, so never removed.
 */
export function diffNode(node: string, allowed: Allowed, accounts: string[], enodes: string[]): NodeDiff {
  const have = new Set(accounts.map((a) => a.toLowerCase()));
  const haveNodes = new Map<string, string>();
  for (const e of enodes) {
    const parsed = parseEnodeUrl(e);
    haveNodes.set(parsed?.key ?? e, e);
  }
  return {
    node,
    addAccounts: [...allowed.accounts.keys()].filter((a) => !have.has(a)).sort(),
    removeAccounts: [...have].filter((a) => !allowed.accounts.has(a)).sort(),
    addNodes: [...allowed.nodes.entries()]
      .filter(([k]) => !haveNodes.has(k))
      .map(([, v]) => v.url)
      .sort(),
    removeNodes: [...haveNodes.entries()]
      .filter(([k]) => !allowed.nodes.has(k))
      .map(([, v]) => v)
      .sort(),
  };
}

/* ---------------------------------------------------------------- reconciling one node */

export interface Change {
  block: number;
  node: string;
  list: "accounts" | "nodes";
  action: "add" | "remove";
  entries: string[];
  /** Why each added entry is allowed; removed entries are no longer allowed by the chain. */
  reasons: string[];
}

/**
 * Reads one node's lists and applies the difference: additions first, then removals. Each change applied
 * is pushed to `changes` at once, so a node failing half-way still reports what it did.
 */
export async function reconcileNode(
  client: PermClient,
  allowed: Allowed,
  log: (line: string) => void,
  changes: Change[] = [],
): Promise<Change[]> {
  const node = client.endpoint.name;
  const [accounts, enodes] = [await client.getAccounts(), await client.getNodes()];
  const d = diffNode(node, allowed, accounts, enodes);
  const apply = async (list: Change["list"], action: Change["action"], entries: string[], fn: (e: string[]) => Promise<void>) => {
    if (entries.length === 0) return;
    await fn(entries);
    const reasons = entries.map((e) =>
      action === "remove"
        ? "not allowed by the registry"
        : list === "accounts"
          ? allowed.accounts.get(e)!
          : allowed.nodes.get(parseEnodeUrl(e)!.key)!.reason,
    );
    changes.push({ block: allowed.block, node, list, action, entries, reasons });
    for (const [i, e] of entries.entries()) {
      log(
        `block ${allowed.block} ${node}: ${action === "add" ? "added" : "removed"} ${list === "accounts" ? "account" : "node"} ${e} (${reasons[i]})`,
      );
    }
  };
  await apply("accounts", "add", d.addAccounts, (e) => client.addAccounts(e));
  await apply("nodes", "add", d.addNodes, (e) => client.addNodes(e));
  await apply("accounts", "remove", d.removeAccounts, (e) => client.removeAccounts(e));
  await apply("nodes", "remove", d.removeNodes, (e) => client.removeNodes(e));
  return changes;
}

/* ---------------------------------------------------------------- checkpoint */

export interface SyncCheckpoint {
  version: 1;
  chainId: number;
  registry: string;
  /** First block whose events are not yet processed. */
  nextBlock: number;
  /** Accounts ever granted an admin role up to nextBlock − 1. */
  roleCandidates: string[];
  /** Nodes whose last reconciliation failed: reconciled again next round. */
  pending: Record<string, string>;
  updatedAt: string;
}

export function readSyncCheckpoint(file: string): SyncCheckpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const c = JSON.parse(fs.readFileSync(file, "utf8")) as SyncCheckpoint;
    if (c.version !== 1 || !Number.isInteger(c.nextBlock) || !Array.isArray(c.roleCandidates)) throw new Error("unknown layout");
    return c;
  } catch (e) {
    throw new UserError(`checkpoint ${file} is unreadable (${(e as Error).message}); move it away to start from the suite's first block`);
  }
}

/** Temp file + rename: a killed process leaves the old or the new checkpoint, never a torn one. */
export function writeSyncCheckpoint(file: string, c: SyncCheckpoint): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ ...c, updatedAt: new Date().toISOString() }, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/* ---------------------------------------------------------------- the sync loop */

export interface SyncSummary {
  chainId: number;
  fromBlock: number;
  /** Last block processed. */
  toBlock: number;
  rounds: number;
  events: number;
  /** Changes applied, all of them. */
  changeCount: number;
  /** The latest changes (at most MAX_SUMMARY_CHANGES, so a long run does not grow without bound). */
  changes: Change[];
  /** Nodes that could not be reconciled in the last round, with the reason. */
  unreachable: { node: string; error: string }[];
}

export const MAX_SUMMARY_CHANGES = 1_000;

export interface SyncOptions {
  source: ChainSource;
  config: NodesConfig;
  /** Without it, nothing is remembered between runs (every start reconciles anyway). */
  checkpoint?: string;
  log?: (line: string) => void;
}

export class AllowlistSync {
  private readonly log: (line: string) => void;
  private readonly clients: PermClient[];
  private state!: SyncCheckpoint;
  private summary!: SyncSummary;
  private first = true;

  constructor(private readonly opts: SyncOptions) {
    this.log = opts.log ?? (() => undefined);
    this.clients = opts.config.nodes.map((n) => new PermClient(n, opts.config.rpc));
  }

  private async init(): Promise<void> {
    const { source, checkpoint } = this.opts;
    const chainId = Number((await withTimeout(source.provider.getNetwork(), source.timeoutMs ?? 30_000, "eth_chainId")).chainId);
    const saved = checkpoint ? readSyncCheckpoint(checkpoint) : undefined;
    if (saved && (saved.chainId !== chainId || saved.registry.toLowerCase() !== source.registry.toLowerCase())) {
      throw new UserError(
        `checkpoint ${checkpoint} belongs to chain ${saved.chainId} / registry ${saved.registry}, not ${chainId} / ${source.registry}`,
      );
    }
    this.state = saved ?? {
      version: 1,
      chainId,
      registry: getAddress(source.registry),
      nextBlock: source.fromBlock,
      roleCandidates: [],
      pending: {},
      updatedAt: "",
    };
    this.summary = {
      chainId,
      fromBlock: this.state.nextBlock,
      toBlock: this.state.nextBlock - 1,
      rounds: 0,
      events: 0,
      changeCount: 0,
      changes: [],
      unreachable: [],
    };
    this.log(`following registry ${source.registry} (chain ${chainId}) from block ${this.state.nextBlock}; ${this.clients.length} node(s)`);
  }

  /**
   * One round: new events up to the head, then every node reconciled if this is the first round or any
   * event arrived, else only the nodes that failed before. An unreachable node is reported and kept
   * pending; the others go on. Throws only when the chain itself cannot be read.
   */
  async round(): Promise<void> {
    if (!this.state) await this.init();
    const { source } = this.opts;
    const head = await withTimeout(source.provider.getBlockNumber(), source.timeoutMs ?? 30_000, "eth_blockNumber");
    const events = head >= this.state.nextBlock ? await fetchPermissionEvents(source, this.state.nextBlock, head) : [];
    const candidates = new Set([...this.state.roleCandidates, ...roleCandidates(events)]);
    for (const e of events) this.log(`block ${e.block}: ${e.name}(${Object.values(e.args).map(String).join(", ")})`);
    const targets = this.first || events.length > 0 ? this.clients : this.clients.filter((c) => c.endpoint.name in this.state.pending);
    const pending: Record<string, string> = {};
    if (targets.length > 0) {
      const allowed = await readAllowed(source, head, candidates, this.opts.config.protected);
      const applied: Change[] = [];
      const results = await Promise.allSettled(targets.map((c) => reconcileNode(c, allowed, this.log, applied)));
      this.summary.changeCount += applied.length;
      this.summary.changes = [...this.summary.changes, ...applied].slice(-MAX_SUMMARY_CHANGES);
      results.forEach((r, i) => {
        const name = targets[i].endpoint.name;
        if (r.status === "fulfilled") {
          if (this.state.pending[name]) this.log(`${name}: in sync again`);
        } else {
          pending[name] = (r.reason as Error).message;
          this.log(`${name}: not reconciled, retried next round (${pending[name]})`);
        }
      });
    }
    for (const [name, error] of Object.entries(this.state.pending)) {
      if (!targets.some((c) => c.endpoint.name === name)) pending[name] = error;
    }
    this.first = false;
    this.state = { ...this.state, nextBlock: Math.max(this.state.nextBlock, head + 1), roleCandidates: [...candidates].sort(), pending };
    if (this.opts.checkpoint) writeSyncCheckpoint(this.opts.checkpoint, this.state);
    this.summary.rounds++;
    this.summary.events += events.length;
    this.summary.toBlock = this.state.nextBlock - 1;
    this.summary.unreachable = Object.entries(pending).map(([node, error]) => ({ node, error }));
  }

  /**
   * `once`: one round. Else rounds every `intervalMs` until `signal` aborts; a round whose chain reads
   * fail is logged and retried at the next interval.
   */
  async run(opts: { once?: boolean; intervalMs?: number; signal?: AbortSignal } = {}): Promise<SyncSummary> {
    if (opts.once) {
      await this.round();
      return this.summary;
    }
    while (!opts.signal?.aborted) {
      try {
        await this.round();
      } catch (e) {
        if (e instanceof UserError) throw e;
        this.log(`round failed, retried in ${opts.intervalMs ?? 5_000} ms: ${(e as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.intervalMs ?? 5_000);
        opts.signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
    }
    if (!this.summary) await this.init();
    return this.summary;
  }
}

/* ---------------------------------------------------------------- monitoring and the start file */

export interface NodeReport extends Partial<NodeDiff> {
  node: string;
  inSync: boolean;
  error?: string;
}

/** Every node's lists compared with the chain at its head (nothing is changed). */
export async function checkAllowlists(source: ChainSource, config: NodesConfig): Promise<{ block: number; nodes: NodeReport[] }> {
  const head = await withTimeout(source.provider.getBlockNumber(), source.timeoutMs ?? 30_000, "eth_blockNumber");
  const events = await fetchPermissionEvents(source, source.fromBlock, head);
  const allowed = await readAllowed(source, head, roleCandidates(events), config.protected);
  const nodes = await Promise.all(
    config.nodes.map(async (n): Promise<NodeReport> => {
      const client = new PermClient(n, config.rpc);
      try {
        const d = diffNode(n.name, allowed, await client.getAccounts(), await client.getNodes());
        return { ...d, inSync: isInSync(d) };
      } catch (e) {
        return { node: n.name, inSync: false, error: (e as Error).message };
      }
    }),
  );
  return { block: head, nodes };
}

/** Besu's permissions file (`accounts-allowlist`, `nodes-allowlist`) allowing exactly what the chain allows. */
export async function permissionsFile(
  source: ChainSource,
  protectedEntries: NodesConfig["protected"],
): Promise<{ toml: string; allowed: Allowed }> {
  const head = await withTimeout(source.provider.getBlockNumber(), source.timeoutMs ?? 30_000, "eth_blockNumber");
  const events = await fetchPermissionEvents(source, source.fromBlock, head);
  const allowed = await readAllowed(source, head, roleCandidates(events), protectedEntries);
  const list = (xs: string[]) => (xs.length === 0 ? "[]" : `[\n${xs.map((x) => `  "${x}"`).join(",\n")}\n]`);
  const toml = [
    `# Besu local permissioning: what ParticipantRegistry ${source.registry} and NodeRules ${source.nodeRules}`,
    `# allow at block ${head}. Written by \`npx hardhat network:permissions-file\`; the allowlist sync keeps it current.`,
    `accounts-allowlist=${list([...allowed.accounts.keys()].sort())}`,
    `nodes-allowlist=${list([...allowed.nodes.values()].map((v) => v.url).sort())}`,
    "",
  ].join("\n");
  return { toml, allowed };
}
