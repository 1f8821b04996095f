import hre, { ethers } from "hardhat";
import type { Log } from "ethers";
import { decodeLog, deploymentContracts, discoverTokens, fetchEvents, type FollowedContract, type SuiteEvent } from "../../lib/core/events";
import { readDeployment } from "../../lib/core/deployments";

/** Every event of the suite on this network, as the audit replay fetches them, and the contracts followed. */
export async function suiteEvents(): Promise<{ events: SuiteEvent[]; followed: Map<string, FollowedContract> }> {
  const d = readDeployment(hre.network.name)!;
  const head = await ethers.provider.getBlockNumber();
  const followed = await deploymentContracts(hre, d);
  await discoverTokens(hre, ethers.provider, d.contracts.TokenFactory, followed, d.block, head);
  return { events: await fetchEvents(ethers.provider, followed, d.block, head), followed };
}

/** The log of `ev` encoded again with `args` (its arguments, some changed), decoded as the replay would see it. */
export function reencoded(ev: SuiteEvent, followed: Map<string, FollowedContract>, args: unknown[]): SuiteEvent {
  const c = followed.get(ev.address.toLowerCase())!;
  const { topics, data } = c.iface.encodeEventLog(ev.parsed.fragment, args);
  const log = {
    address: ev.address,
    topics,
    data,
    blockNumber: ev.blockNumber,
    blockHash: ev.blockHash,
    transactionHash: ev.txHash,
    index: ev.logIndex,
  };
  return decodeLog(followed, log as unknown as Log)!;
}
