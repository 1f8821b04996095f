/**
 * Before `suite:deploy` reuses anything recorded in `deployments/<network>.json`, it checks that the file
 * describes this chain and that every recorded address still holds the code it deployed. A deployments
 * file left over from a reset node (or another chain with the same id) would otherwise make the suite
 * trust whatever code now sits at those addresses.
 */
import { getAddress, type Provider } from "ethers";
import { codeHashAt, type DeploymentFile } from "../core/deployments";

/** ERC-1967 implementation slot: keccak256("eip1967.proxy.implementation") − 1. */
export const IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
/** ERC-1967 beacon slot: keccak256("eip1967.proxy.beacon") − 1. */
export const BEACON_SLOT = "0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50";
const IMPLEMENTATION_SELECTOR = "0x5c60da1b"; // implementation()
const EMPTY_CODE_HASH = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

function slotAddress(word: string): string | undefined {
  const a = "0x" + word.slice(-40);
  return /^0x0{40}$/.test(a) ? undefined : getAddress(a);
}

/** The implementation behind `address`: its ERC-1967 slot, the beacon named in its beacon slot, or its own `implementation()` (a beacon). */
export async function implementationOf(provider: Provider, address: string): Promise<{ implementation?: string; beacon?: string }> {
  const direct = slotAddress(await provider.getStorage(address, IMPLEMENTATION_SLOT));
  if (direct) return { implementation: direct };
  const beacon = slotAddress(await provider.getStorage(address, BEACON_SLOT));
  const target = beacon ?? address;
  try {
    const word = await provider.call({ to: target, data: IMPLEMENTATION_SELECTOR });
    return { implementation: word.length >= 66 ? slotAddress(word.slice(0, 66)) : undefined, beacon };
  } catch {
    return { beacon };
  }
}

/**
 * What differs between the deployments file and the chain, one line each; empty when every recorded
 * contract may be reused. An older file without the chain's genesis hash or the code hashes cannot be
 * checked: that is reported as a difference too.
 */
export async function deploymentDifferences(provider: Provider, file: DeploymentFile): Promise<string[]> {
  const out: string[] = [];
  const chainId = Number((await provider.getNetwork()).chainId);
  if (file.chainId !== chainId) return [`the file is for chain id ${file.chainId}, the node is chain id ${chainId}`];
  const missing = [
    ...(file.genesisHash ? [] : ["the genesis block hash"]),
    ...(file.codeHashes ? [] : ["the code hashes of the contracts"]),
  ];
  if (missing.length > 0) return [`the file was written by an older suite:deploy and does not record ${missing.join(" or ")}`];
  const genesis = (await provider.getBlock(0))?.hash;
  if (genesis?.toLowerCase() !== file.genesisHash!.toLowerCase()) {
    return [`genesis block hash: the file records ${file.genesisHash}, the node has ${genesis} (another chain, or the node was reset)`];
  }
  for (const [name, address] of Object.entries(file.contracts)) {
    const recorded = file.codeHashes![name];
    const actual = await codeHashAt(provider, address);
    if (actual === EMPTY_CODE_HASH) {
      out.push(`${name} at ${address}: no code`);
      continue;
    }
    if (!recorded) out.push(`${name} at ${address}: no code hash recorded`);
    else if (actual !== recorded) out.push(`${name} at ${address}: code hash ${actual}, deployed ${recorded}`);
    const expected = file.implementations[name];
    if (!expected) continue;
    const { implementation, beacon } = await implementationOf(provider, address);
    const via = beacon ? ` (through beacon ${beacon})` : "";
    if (!implementation) {
      out.push(`${name} at ${address}: no implementation found${via}, recorded ${expected}`);
      continue;
    }
    if (getAddress(implementation) !== getAddress(expected)) {
      out.push(`${name} at ${address}: implementation ${implementation}${via}, recorded ${expected}`);
      continue;
    }
    const implRecorded = file.implementationCodeHashes?.[name];
    const implActual = await codeHashAt(provider, implementation);
    if (!implRecorded) out.push(`${name}: no code hash recorded for implementation ${implementation}`);
    else if (implActual !== implRecorded)
      out.push(`${name}: implementation ${implementation} has code hash ${implActual}, deployed ${implRecorded}`);
  }
  return out;
}
