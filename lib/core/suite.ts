import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import { readDeployment } from "./deployments";
import { UserError } from "./cli";
import { simulating } from "./tx";

/** Address of a suite contract on the selected network, from `deployments/<network>.json`. */
export function suiteAddress(hre: HardhatRuntimeEnvironment, name: string): string {
  const d = readDeployment(hre.network.name);
  const address = d?.contracts[name];
  if (!address) {
    throw new UserError(`${name} is not deployed on "${hre.network.name}": run \`npx hardhat suite:deploy --network ${hre.network.name}\``);
  }
  return address;
}

/**
 * The signer a task acts as: `from` is an account index (0, 1, …) or an address among the network's
 * accounts; default the first account. It simulates every transaction before sending it and refuses,
 * sending nothing, what the chain would refuse (lib/core/tx.ts).
 */
export async function pickSigner(hre: HardhatRuntimeEnvironment, from?: string): Promise<Signer> {
  const signers = await hre.ethers.getSigners();
  if (signers.length === 0) throw new UserError(`no account configured for network "${hre.network.name}" (see .env.example)`);
  if (from === undefined || from === "") return simulating(hre, signers[0]);
  if (/^\d+$/.test(from)) {
    const s = signers[Number(from)];
    if (!s) throw new UserError(`--from ${from}: the network has only ${signers.length} accounts`);
    return simulating(hre, s);
  }
  const s = signers.find((x) => x.address.toLowerCase() === from.toLowerCase());
  if (!s) throw new UserError(`--from ${from}: not an account of network "${hre.network.name}"`);
  return simulating(hre, s);
}
