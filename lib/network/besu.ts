import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { AbiCoder, Interface, ZeroAddress, getAddress, isAddress, toBeHex, zeroPadValue, type Provider } from "ethers";

/** Genesis addresses Besu's flags point at (BESU.md §3). */
export const ACCOUNT_INGRESS_ADDRESS = "0x0000000000000000000000000000000000008888";
export const NODE_INGRESS_ADDRESS = "0x0000000000000000000000000000000000009999";

/** The exact function signatures Besu 25.5.0 calls. */
export const BESU_ACCOUNT_ABI = new Interface([
  "function transactionAllowed(address sender, address target, uint256 value, uint256 gasPrice, uint256 gasLimit, bytes payload) view returns (bool)",
]);
export const BESU_NODE_ABI = new Interface([
  "function connectionAllowed(string enodeId, string enodeHost, uint16 enodePort) view returns (bool)",
]);

const TRUE_WORD = "0x" + "0".repeat(63) + "1";
const FALSE_WORD = "0x" + "0".repeat(64);

/**
 * Reads Besu's answer the way Besu does: the output must be exactly `abi.encode(true)` or
 * `abi.encode(false)`; anything else (revert, other length) is reported as such.
 */
function strictBool(raw: string): boolean | "malformed" {
  if (raw === TRUE_WORD) return true;
  if (raw === FALSE_WORD) return false;
  return "malformed";
}

async function besuCall(provider: Provider, to: string, data: string): Promise<boolean | "reverted" | "malformed"> {
  try {
    // Besu simulates from address 0 at the chain head, like eth_call.
    const raw = await provider.call({ to, data, from: ZeroAddress, gasLimit: 30_000_000 });
    return strictBool(raw);
  } catch {
    return "reverted";
  }
}

export async function checkAccount(provider: Provider, ingress: string, account: string, target?: string) {
  if (!isAddress(account)) throw new Error(`"${account}" is not an address`);
  const data = BESU_ACCOUNT_ABI.encodeFunctionData("transactionAllowed", [account, target ?? ZeroAddress, 0, 0, 30_000_000, "0x"]);
  return {
    ingress,
    account: getAddress(account),
    target: target ?? "(contract creation)",
    allowed: await besuCall(provider, ingress, data),
  };
}

export async function checkNode(provider: Provider, ingress: string, enodeId: string, host: string, port: number) {
  const data = BESU_NODE_ABI.encodeFunctionData("connectionAllowed", [enodeId, host, port]);
  return { ingress, enode: `enode://${enodeId.slice(0, 8)}…@${host}:${port}`, allowed: await besuCall(provider, ingress, data) };
}

interface StorageEntry {
  label: string;
  slot: string;
  offset: number;
}

async function storageSlot(hre: HardhatRuntimeEnvironment, fqn: string, label: string): Promise<string> {
  const info = await hre.artifacts.getBuildInfo(fqn);
  const [source, name] = fqn.split(":");
  const layout = (info?.output.contracts[source]?.[name] as unknown as { storageLayout?: { storage: StorageEntry[] } })?.storageLayout;
  const entry = layout?.storage.find((s) => s.label === label);
  if (!entry) throw new Error(`no storage variable ${label} in ${fqn}: compile with storageLayout output`);
  if (entry.offset !== 0) throw new Error(`${fqn}.${label} is packed at offset ${entry.offset}; genesis writer expects a full slot`);
  return zeroPadValue(toBeHex(BigInt(entry.slot)), 32);
}

/**
 * Genesis `alloc` entries for the two ingresses: runtime code (constructors do not run in genesis) and
 * the admin slot written by hand from the compiler's storage layout. Rules stay unset: `suite:deploy`
 * registers them once the registry holds its admins.
 */
export async function genesisAlloc(hre: HardhatRuntimeEnvironment, admin: string): Promise<Record<string, unknown>> {
  if (!isAddress(admin) || admin === ZeroAddress) throw new Error(`ingress admin "${admin}" is not a non-zero address`);
  const out: Record<string, unknown> = {};
  for (const [address, contract] of [
    [ACCOUNT_INGRESS_ADDRESS, "AccountIngress"],
    [NODE_INGRESS_ADDRESS, "NodeIngress"],
  ] as const) {
    const fqn = `contracts/network/${contract}.sol:${contract}`;
    const artifact = await hre.artifacts.readArtifact(fqn);
    const adminSlot = await storageSlot(hre, fqn, "_admin");
    out[address.slice(2)] = {
      comment: `${contract} (csd-ledger), admin ${getAddress(admin)}`,
      balance: "0x0",
      code: artifact.deployedBytecode,
      storage: { [adminSlot]: AbiCoder.defaultAbiCoder().encode(["address"], [admin]) },
    };
  }
  return out;
}
