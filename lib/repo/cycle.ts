/**
 * The repo book's part of the daily cycle (SPEC §4): after a price push, revalue every open deal that holds
 * an updated security (or a security whose currency is in an updated FX pair), date by date, in batches.
 *
 * Index of open deals: built off chain from `RepoOpened` events (indexed by security) and one `statusesOf`
 * call per 500 deals, so the book spends no gas on an on-chain index; a deal that closed since drops out by
 * its status.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { UpdatedFeed } from "../oracle/push";
import type { RevaluationResult } from "../oracle/revalue";
import { readDeployment } from "../core/deployments";
import { DEFAULT_REVALUE_BATCH, openDealsBySecurity, repoBookAt, revalueInBatches, RevaluationRun } from "./client";

/** Deals to revalue per business date for a set of updated feeds. */
export async function dealsToRevalue(hre: HardhatRuntimeEnvironment, updated: UpdatedFeed[]): Promise<Map<number, bigint[]>> {
  const deployment = readDeployment(hre.network.name);
  const book = await repoBookAt(hre);
  const open = await openDealsBySecurity(book, deployment?.block ?? 0);
  const currencyOf = new Map<string, string>();
  for (const token of open.keys()) {
    const t = await hre.ethers.getContractAt("SecurityToken", token);
    currencyOf.set(token, hre.ethers.toUtf8String(await t.currency()));
  }
  const factory = await hre.ethers.getContractAt("TokenFactory", deployment!.contracts.TokenFactory);
  const byDate = new Map<number, Set<bigint>>();
  const add = (date: number, ids: bigint[]) => {
    const set = byDate.get(date) ?? new Set<bigint>();
    ids.forEach((id) => set.add(id));
    byDate.set(date, set);
  };
  for (const u of updated) {
    const raw = hre.ethers.getBytes(u.feedId);
    const isFx = raw.slice(6).every((b) => b === 0);
    if (isFx) {
      const base = hre.ethers.toUtf8String(raw.slice(0, 3));
      const quote = hre.ethers.toUtf8String(raw.slice(3, 6));
      for (const [token, ids] of open) if ([base, quote].includes(currencyOf.get(token)!)) add(u.date, ids);
    } else {
      const token = (await factory.securityByIsin(u.feedId)).toLowerCase();
      const ids = open.get(token);
      if (ids) add(u.date, ids);
    }
  }
  return new Map([...byDate.entries()].sort((a, b) => a[0] - b[0]).map(([d, s]) => [d, [...s]]));
}

/** The revaluer `oracle:push` runs after a push (registered by tasks/repo.ts). */
export async function revalueUpdated(
  hre: HardhatRuntimeEnvironment,
  signer: Signer,
  updated: UpdatedFeed[],
  batchSize = DEFAULT_REVALUE_BATCH,
): Promise<RevaluationResult & { run?: RevaluationRun }> {
  const deployment = readDeployment(hre.network.name);
  if (!deployment?.contracts.RepoBook) return { revalued: 0, marginCalls: 0, note: "no repo book deployed" };
  const book = await repoBookAt(hre, signer);
  const plan = await dealsToRevalue(hre, updated);
  const total: RevaluationRun = { rows: [], calls: [], transactions: 0, gasUsed: 0n, failed: [] };
  for (const [date, ids] of plan) {
    const run = await revalueInBatches(book, ids, date, batchSize);
    total.rows.push(...run.rows);
    total.calls.push(...run.calls);
    total.transactions += run.transactions;
    total.gasUsed += run.gasUsed;
    total.failed.push(...run.failed);
  }
  const raised = total.calls.filter((c) => c.event === "raised");
  const notes: string[] = [];
  if (raised.length > 0) {
    notes.push(
      `repo margin calls: ${raised.map((c) => `deal ${c.dealId} ${c.side.toLowerCase()} ${c.cash} cash / ${c.quantity} units due day ${c.dueDate}`).join("; ")}`,
    );
  }
  for (const f of total.failed) {
    notes.push(`repo batch failed for day ${f.date} (deals ${f.dealIds.join(", ")}): ${f.error}; the other batches ran`);
  }
  const note = notes.length > 0 ? notes.join("; ") : undefined;
  return {
    revalued: total.rows.filter((r) => r.outcome === "revalued").length,
    marginCalls: raised.length,
    note,
    run: total,
  };
}
