/**
 * Who an event concerns: the participants behind its address arguments, its participant-id arguments, and
 * the parties of the deal it is about (per-contract resolvers: pledge, repo, …). The books' resolvers are
 * listed in `lib/notify/resolvers.ts` (each exported by its book, `lib/<book>/parties.ts`); more are
 * registered with {@link registerPartiesResolver}.
 */
import { Contract, type Provider } from "ethers";
import { typedArgs, type SuiteEvent } from "../core/events";
import type { DeploymentFile } from "../core/deployments";
import { BOOK_RESOLVERS } from "./resolvers";

export interface PartiesContext {
  provider: Provider;
  deployment: DeploymentFile;
  /** Participant id an address acts for (0 when none), cached. */
  participantOf(address: string): Promise<number>;
}

/** The deal parties of an event: addresses (mapped through the registry) and/or participant ids. */
export interface PartiesResolver {
  /** Contract name as in the deployment file (`PledgeBook`, `RepoBook`). */
  contract: string;
  resolve(ev: SuiteEvent, ctx: PartiesContext): Promise<{ addresses?: string[]; ids?: number[] }>;
}

const resolvers = new Map<string, PartiesResolver>();
let loaded = false;

/** Adds (or replaces) the parties resolver of a contract. */
export function registerPartiesResolver(r: PartiesResolver): void {
  resolvers.set(r.contract, r);
}

function loadResolvers(): void {
  if (loaded) return;
  loaded = true;
  for (const r of BOOK_RESOLVERS) if (!resolvers.has(r.contract)) resolvers.set(r.contract, r);
}

/** Registry lookups with a per-run cache. */
export function registryLookup(provider: Provider, registry: string): (address: string) => Promise<number> {
  const c = new Contract(registry, ["function signerOf(address) view returns (uint32, uint8, uint8)"], provider);
  const cache = new Map<string, Promise<number>>();
  return (address) => {
    const key = address.toLowerCase();
    if (!cache.has(key))
      cache.set(
        key,
        c.signerOf(address).then((r: bigint[]) => Number(r[0])),
      );
    return cache.get(key)!;
  };
}

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * Participant ids an event concerns, ascending: every address argument that is a registered signer,
 * every `uint32 …Id` argument, and the parties the contract's resolver names.
 */
export async function participantsOf(ev: SuiteEvent, ctx: PartiesContext): Promise<number[]> {
  loadResolvers();
  const ids = new Set<number>();
  const addresses: string[] = [];
  for (const a of typedArgs(ev.parsed)) {
    if (a.type === "address") addresses.push(a.value as string);
    else if (a.type === "uint32" && /id$/i.test(a.name)) ids.add(Number(a.value));
  }
  const resolver = resolvers.get(ev.contract.split(":")[0]);
  if (resolver) {
    const r = await resolver.resolve(ev, ctx);
    addresses.push(...(r.addresses ?? []));
    for (const id of r.ids ?? []) ids.add(id);
  }
  for (const a of addresses) {
    if (a.toLowerCase() === ZERO) continue;
    ids.add(await ctx.participantOf(a));
  }
  ids.delete(0);
  return [...ids].sort((a, b) => a - b);
}
