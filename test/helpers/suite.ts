import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { deploySuite } from "../../lib/deploy/suite";
import { Actors, castActors } from "../../lib/core/actors";
import { addParticipant } from "../../lib/registry";
import type { AccountIngress, AccountRules, NodeIngress, NodeRules, ParticipantRegistry } from "../../typechain-types";

/**
 * Points deployment files of in-process runs at a new temporary folder, never the repository's, so each
 * fixture deploys afresh instead of reusing addresses recorded by an earlier fixture.
 */
export function useTempDeployments(): string {
  process.env.DEPLOYMENTS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "csd-deployments-"));
  return process.env.DEPLOYMENTS_DIR;
}

export interface Suite {
  actors: Actors;
  contracts: Record<string, string>;
  registry: ParticipantRegistry;
  accountRules: AccountRules;
  nodeRules: NodeRules;
  accountIngress: AccountIngress;
  nodeIngress: NodeIngress;
  /** Participant ids of the cast. */
  ids: {
    csd: number;
    bankA: number;
    bankB: number;
    broker: number;
    platformA: number;
    platformB: number;
    oracle: number;
    regulator: number;
    investors: number[];
  };
}

/**
 * The whole suite deployed by the real `suite:deploy` logic, with the cast onboarded:
 * depository (csd, csdAgent), bank A (bankA, bankA2), bank B, a broker, two platforms, an oracle
 * operator organisation (oracle1, oracle2), a regulator and five investors. `stranger` is unknown.
 * Use with `loadFixture(suiteFixture)`.
 */
export async function suiteFixture(): Promise<Suite> {
  // A fresh deployments folder per call: every call deploys a fresh suite, so fixtures can build on it
  // and the benchmark can call it once per suite on the same chain.
  useTempDeployments();
  const actors = castActors(await ethers.getSigners());
  const file = await deploySuite(hre, { deployer: actors.csd });
  const at = async <T>(name: string, contract: string) => (await ethers.getContractAt(contract, file.contracts[name])) as unknown as T;
  const registry = await at<ParticipantRegistry>("ParticipantRegistry", "ParticipantRegistry");
  const add = async (kind: string, identity: string, jurisdiction: string, signers: string[]) =>
    (await addParticipant(registry, { kind, identity, jurisdiction, signers })).id;
  const ids = {
    csd: await add("Depository", "csd-licence", "RU", [actors.csd.address, actors.csdAgent.address]),
    bankA: await add("Bank", "bank-a-licence", "RU", [actors.bankA.address, actors.bankA2.address]),
    bankB: await add("Bank", "bank-b-licence", "GB", [actors.bankB.address]),
    broker: await add("Broker", "broker-licence", "RU", [actors.broker.address]),
    platformA: await add("Platform", "platform-a-licence", "CN", [actors.platformA.address]),
    platformB: await add("Platform", "platform-b-licence", "CN", [actors.platformB.address]),
    oracle: await add("Oracle", "oracle-licence", "RU", [actors.oracle1.address, actors.oracle2.address]),
    regulator: await add("Regulator", "regulator", "RU", [actors.regulator.address]),
    investors: [] as number[],
  };
  for (let i = 0; i < actors.investors.length; i++) {
    ids.investors.push(await add("Investor", `investor-passport-${i}`, "RU", [actors.investors[i].address]));
  }
  return {
    actors,
    contracts: file.contracts,
    registry,
    accountRules: await at<AccountRules>("AccountRules", "AccountRules"),
    nodeRules: await at<NodeRules>("NodeRules", "NodeRules"),
    accountIngress: await at<AccountIngress>("AccountIngress", "AccountIngress"),
    nodeIngress: await at<NodeIngress>("NodeIngress", "NodeIngress"),
    ids,
  };
}
