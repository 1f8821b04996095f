import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import { createContext, DeployStep } from "./context";
import { DeploymentFile } from "../core/deployments";

/** The numbered steps in `lib/deploy/steps/`, in order. Each later part of the suite adds a file. */
export function loadSteps(): DeployStep[] {
  const dir = path.join(__dirname, "steps");
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{2,}-.*\.ts$/.test(f) && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(dir, f));
      return (mod.default ?? mod.step) as DeployStep;
    });
}

export interface DeployOptions {
  deployer?: Signer;
  log?: (message: string) => void;
  /** Ignore the recorded deployment and deploy everything anew (the old file is kept as a .bak copy). */
  fresh?: boolean;
}

/**
 * Deploys every contract of the suite to the selected network, wires roles and records addresses in
 * `deployments/<network>.json`. Safe to re-run: deployed contracts are reused (only on the same chain with
 * the code deployed; otherwise refused, or everything deployed anew with `fresh`), roles granted once.
 */
export async function deploySuite(hre: HardhatRuntimeEnvironment, opts: DeployOptions = {}): Promise<DeploymentFile> {
  const deployer = opts.deployer ?? (await hre.ethers.getSigners())[0];
  if (!deployer) throw new Error(`no account configured for network ${hre.network.name} (see .env.example)`);
  const log = opts.log ?? (() => undefined);
  const ctx = await createContext(hre, deployer, log, { fresh: opts.fresh });
  for (const step of loadSteps()) {
    log(`step ${step.id}: ${step.description}`);
    await step.run(ctx);
  }
  return ctx.file;
}
