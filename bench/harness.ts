import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ContractTransactionResponse } from "ethers";
import type { Suite } from "../test/helpers/suite";

/** The gas limit of the block the capacity column is computed for. */
export const BLOCK_GAS = 30_000_000;

/** One row of the benchmark table. */
export interface BenchRow {
  /** Domain: registry, network, token, oracle, repo, pledge, quota. */
  domain: string;
  operation: string;
  /** Gas per operation (per item for batches). */
  gas: number;
  /** Items in the measured transaction, for batch rows. */
  items?: number;
  /** Budget in gas from the issue, if any; `gas` must not exceed it. */
  budget?: number;
  note?: string;
}

export interface BenchContext {
  hre: HardhatRuntimeEnvironment;
  /** A freshly deployed suite with the cast onboarded (the test fixture). */
  suite: Suite;
  /** Gas used by a mined transaction. */
  gasOf(tx: Promise<ContractTransactionResponse>): Promise<number>;
}

/** A file `bench/suites/NN-name.ts` exports one of these as default. */
export type BenchSuite = (ctx: BenchContext) => Promise<BenchRow[]>;

export async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
}
