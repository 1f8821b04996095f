/**
 * The suite's event history: which contracts to follow (every contract of the deployment file plus the
 * token proxies the factory issued), and their logs decoded with the contracts' ABIs. Shared by the
 * notification watcher and the auditor's replay.
 */
import { readableAbi } from "./abi";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Interface, type EventFragment, type Log, type LogDescription, type ParamType, type Provider, type Result } from "ethers";
import type { DeploymentFile } from "./deployments";

export interface FollowedContract {
  /** Deployment name (`PledgeBook`), or `SecurityToken:<symbol>` / `CashToken:<symbol>` for issued tokens. */
  name: string;
  address: string;
  iface: Interface;
}

/** One decoded suite event. `args` holds JSON-safe values (integers as decimal strings, structs as objects). */
export interface SuiteEvent {
  contract: string;
  address: string;
  event: string;
  signature: string;
  args: Record<string, unknown>;
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
  /** The ethers decoding, with typed values (bigint) and the fragment. */
  parsed: LogDescription;
}

/** Unique id of an event on its chain: `<txHash>:<logIndex>`. */
export function eventId(ev: Pick<SuiteEvent, "txHash" | "logIndex">): string {
  return `${ev.txHash.toLowerCase()}:${ev.logIndex}`;
}

function jsonValue(type: ParamType, value: unknown): unknown {
  if (type.isTuple()) {
    const r = value as Result;
    const out: Record<string, unknown> = {};
    type.components.forEach((c, i) => (out[c.name || String(i)] = jsonValue(c, r[i])));
    return out;
  }
  if (type.isArray()) return [...(value as Result)].map((v) => jsonValue(type.arrayChildren, v));
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** Event arguments as a JSON-safe object keyed by parameter name. */
export function argsOf(parsed: LogDescription): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  parsed.fragment.inputs.forEach((p, i) => (out[p.name || String(i)] = jsonValue(p, parsed.args[i])));
  return out;
}

/** Flattens nested args to `a.b` keys with string values (`out.ratio` → "1500000000000000000"). */
export function flattenArgs(args: Record<string, unknown>, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args)) {
    const key = prefix + k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) Object.assign(out, flattenArgs(v as Record<string, unknown>, key + "."));
    else out[key] = Array.isArray(v) ? v.map(String).join(",") : String(v);
  }
  return out;
}

/**
 * Every named argument of an event with its ABI type, depth first (`out.level` for struct members), for
 * code that looks for addresses or participant ids whatever the event.
 */
export function typedArgs(parsed: LogDescription): { name: string; type: string; value: unknown }[] {
  const out: { name: string; type: string; value: unknown }[] = [];
  const walk = (p: ParamType, v: unknown, name: string) => {
    if (p.isTuple()) p.components.forEach((c, i) => walk(c, (v as Result)[i], `${name}.${c.name}`));
    else if (p.isArray()) [...(v as Result)].forEach((x, i) => walk(p.arrayChildren, x, `${name}[${i}]`));
    else out.push({ name, type: p.type, value: v });
  };
  parsed.fragment.inputs.forEach((p, i) => walk(p, parsed.args[i], p.name || String(i)));
  return out;
}

let fallback: Interface | undefined;

/** Every event of every compiled contract, one fragment per topic (contracts without an artifact of their own). */
async function allEvents(hre: HardhatRuntimeEnvironment): Promise<Interface> {
  if (fallback) return fallback;
  const byTopic = new Map<string, EventFragment>();
  for (const fq of await hre.artifacts.getAllFullyQualifiedNames()) {
    const iface = abiInterface((await hre.artifacts.readArtifact(fq)).abi);
    iface.forEachEvent((e) => {
      if (!byTopic.has(e.topicHash)) byTopic.set(e.topicHash, e);
    });
  }
  fallback = new Interface([...byTopic.values()]);
  return fallback;
}

async function interfaceOf(hre: HardhatRuntimeEnvironment, name: string): Promise<Interface> {
  const artifact = name.split(":")[0];
  if (await hre.artifacts.artifactExists(artifact)) return abiInterface((await hre.artifacts.readArtifact(artifact)).abi);
  return allEvents(hre);
}

/** An Interface of the part of an artifact's ABI that ethers can read (see {@link readableAbi}). */
function abiInterface(abi: Parameters<typeof readableAbi>[0]): Interface {
  return new Interface(readableAbi(abi));
}

/**
 * The contracts of a deployment file (optionally only `names`), keyed by lower-case address. Issued tokens
 * are added by {@link discoverTokens}.
 */
export async function deploymentContracts(
  hre: HardhatRuntimeEnvironment,
  deployment: DeploymentFile,
  names?: string[],
): Promise<Map<string, FollowedContract>> {
  const out = new Map<string, FollowedContract>();
  for (const [name, address] of Object.entries(deployment.contracts)) {
    if (names && names.length > 0 && !names.includes(name)) continue;
    out.set(address.toLowerCase(), { name, address, iface: await interfaceOf(hre, name) });
  }
  return out;
}

/**
 * Adds the token proxies the factory issued in [fromBlock, toBlock] (its `SecurityIssued` / `CashIssued`
 * events) to `followed`; returns the names added.
 */
export async function discoverTokens(
  hre: HardhatRuntimeEnvironment,
  provider: Provider,
  factory: string | undefined,
  followed: Map<string, FollowedContract>,
  fromBlock: number,
  toBlock: number,
): Promise<string[]> {
  if (!factory || fromBlock > toBlock) return [];
  const iface = await interfaceOf(hre, "TokenFactory");
  const topics = [[iface.getEvent("SecurityIssued")!.topicHash, iface.getEvent("CashIssued")!.topicHash]];
  const added: string[] = [];
  for (const log of await provider.getLogs({ address: factory, topics, fromBlock, toBlock })) {
    const p = iface.parseLog(log);
    if (!p) continue;
    const address = p.args.token as string;
    if (followed.has(address.toLowerCase())) continue;
    const kind = p.name === "SecurityIssued" ? "SecurityToken" : "CashToken";
    const name = `${kind}:${p.args.symbol as string}`;
    followed.set(address.toLowerCase(), { name, address, iface: await interfaceOf(hre, kind) });
    added.push(name);
  }
  return added;
}

/** Decodes one log of a followed contract; undefined for a log its ABI does not know. */
export function decodeLog(followed: Map<string, FollowedContract>, log: Log): SuiteEvent | undefined {
  const c = followed.get(log.address.toLowerCase());
  if (!c) return undefined;
  let parsed: LogDescription | null = null;
  try {
    parsed = c.iface.parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    parsed = null;
  }
  if (!parsed) return undefined;
  return {
    contract: c.name,
    address: c.address,
    event: parsed.name,
    signature: parsed.signature,
    args: argsOf(parsed),
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    txHash: log.transactionHash,
    logIndex: log.index,
    parsed,
  };
}

/** The decoded events of every followed contract in [fromBlock, toBlock], in chain order. */
export async function fetchEvents(
  provider: Provider,
  followed: Map<string, FollowedContract>,
  fromBlock: number,
  toBlock: number,
): Promise<SuiteEvent[]> {
  if (fromBlock > toBlock || followed.size === 0) return [];
  const logs = await provider.getLogs({ address: [...followed.values()].map((c) => c.address), fromBlock, toBlock });
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const out: SuiteEvent[] = [];
  for (const log of logs) {
    const ev = decodeLog(followed, log);
    if (ev) out.push(ev);
  }
  return out;
}
