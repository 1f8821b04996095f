import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { AccountRules, NodeRules, ParticipantRegistry } from "../../typechain-types";
import { suiteAddress } from "../core/suite";

/** Typed handles on the deployed suite, for tasks and scripts. */
export async function registryAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<ParticipantRegistry> {
  return (await hre.ethers.getContractAt(
    "ParticipantRegistry",
    suiteAddress(hre, "ParticipantRegistry"),
    signer,
  )) as unknown as ParticipantRegistry;
}

export async function accountRulesAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<AccountRules> {
  return (await hre.ethers.getContractAt("AccountRules", suiteAddress(hre, "AccountRules"), signer)) as unknown as AccountRules;
}

export async function nodeRulesAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<NodeRules> {
  return (await hre.ethers.getContractAt("NodeRules", suiteAddress(hre, "NodeRules"), signer)) as unknown as NodeRules;
}
