/**
 * The revaluation step of the daily cycle (SPEC §4: push → close → revalue): after a push has closed its
 * business dates (lib/oracle/close.ts), every open repo and pledge holding an updated security is revalued
 * for the pushed dates. The books value a date only once it is closed for the item's calendar; a date left
 * open (a quarantined value, `--no-close`) is skipped with its reason and revalued after `oracle:close`. The books register their revaluation here
 * when they are deployed; until then the step reports that there is nothing to revalue.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { UpdatedFeed } from "./push";

export interface RevaluationResult {
  revalued: number;
  marginCalls: number;
  note?: string;
}

/** A book's revaluation: given the updated (feed, date) pairs, revalue what they touch. */
export type Revaluer = (hre: HardhatRuntimeEnvironment, signer: Signer, updated: UpdatedFeed[]) => Promise<RevaluationResult>;

const revaluers: { name: string; run: Revaluer }[] = [];

/** Books (repo, pledge) call this once at module load to take part in the post-push revaluation. */
export function registerRevaluer(name: string, run: Revaluer): void {
  if (!revaluers.some((r) => r.name === name)) revaluers.push({ name, run });
}

export async function revalueAfterPush(hre: HardhatRuntimeEnvironment, signer: Signer, updated: UpdatedFeed[]): Promise<RevaluationResult> {
  if (updated.length === 0) return { revalued: 0, marginCalls: 0, note: "no price changed" };
  if (revaluers.length === 0) return { revalued: 0, marginCalls: 0, note: "no repo or pledge book deployed" };
  const total: RevaluationResult = { revalued: 0, marginCalls: 0 };
  const notes: string[] = [];
  for (const r of revaluers) {
    const x = await r.run(hre, signer, updated);
    total.revalued += x.revalued;
    total.marginCalls += x.marginCalls;
    if (x.note) notes.push(x.note);
  }
  if (notes.length > 0) total.note = notes.join("; ");
  return total;
}
