import fs from "node:fs";
import path from "node:path";

/** What `suite:deploy` records per network in `deployments/<network>.json`. */
export interface DeploymentFile {
  network: string;
  chainId: number;
  /** Block of the first contract deployed by the suite (where event scans start). */
  block: number;
  /** Contract name → address (proxies for upgradeable singletons). */
  contracts: Record<string, string>;
  /** Proxy name → current implementation address. */
  implementations: Record<string, string>;
  updatedAt: string;
}

const ROOT = path.resolve(__dirname, "..");

/** Folder holding deployment files; `DEPLOYMENTS_DIR` overrides it (tests and the demo use their own). */
export function deploymentsDir(): string {
  return path.resolve(process.env.DEPLOYMENTS_DIR ?? path.join(ROOT, "deployments"));
}

export function deploymentPath(network: string): string {
  return path.join(deploymentsDir(), `${network}.json`);
}

export function readDeployment(network: string): DeploymentFile | undefined {
  const file = deploymentPath(network);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentFile;
}

/** Writes atomically (temp file + rename) so a killed deploy never leaves a torn file. */
export function writeDeployment(d: DeploymentFile): void {
  const file = deploymentPath(d.network);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ ...d, updatedAt: new Date().toISOString() }, null, 2) + "\n");
  fs.renameSync(tmp, file);
}
