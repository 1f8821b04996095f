import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { AccountRules, NodeRules } from "../../typechain-types";
import { suiteAddress } from "../core/suite";

/** Typed handles on the deployed account and node rules, for tasks and scripts. */
export async function accountRulesAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<AccountRules> {
  return (await hre.ethers.getContractAt("AccountRules", suiteAddress(hre, "AccountRules"), signer)) as unknown as AccountRules;
}

export async function nodeRulesAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<NodeRules> {
  return (await hre.ethers.getContractAt("NodeRules", suiteAddress(hre, "NodeRules"), signer)) as unknown as NodeRules;
}
