import fs from "node:fs";
import path from "node:path";
import { keccak256, type Provider } from "ethers";

/** What `suite:deploy` records per network in `deployments/<network>.json`. */
export interface DeploymentFile {
  network: string;
  chainId: number;
  /** Hash of block 0 of the chain deployed to: a node reset or another chain with the same id differs. */
  genesisHash?: string;
  /** Block of the first contract deployed by the suite (where event scans start). */
  block: number;
  /** Contract name → address (proxies for upgradeable singletons). */
  contracts: Record<string, string>;
  /** Proxy name → current implementation address. */
  implementations: Record<string, string>;
  /** Contract name → keccak256 of the runtime code found at its address right after it was deployed. */
  codeHashes?: Record<string, string>;
  /** Proxy or beacon name → keccak256 of its implementation's runtime code. */
  implementationCodeHashes?: Record<string, string>;
  updatedAt: string;
}

/** keccak256 of the runtime code at `address` (the hash of `0x` when there is none). */
export async function codeHashAt(provider: Provider, address: string): Promise<string> {
  return keccak256(await provider.getCode(address));
}

/**
 * Records `name` at `address` (and its implementation) in `file` with the code hashes that let a later
 * `suite:deploy` check it is still the contract deployed. Does not write the file.
 */
export async function recordContract(
  provider: Provider,
  file: DeploymentFile,
  name: string,
  address: string,
  implementation?: string,
): Promise<void> {
  file.contracts[name] = address;
  (file.codeHashes ??= {})[name] = await codeHashAt(provider, address);
  if (implementation) {
    file.implementations[name] = implementation;
    (file.implementationCodeHashes ??= {})[name] = await codeHashAt(provider, implementation);
  }
}

const ROOT = path.resolve(__dirname, "..", "..");

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
