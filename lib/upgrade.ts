import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import { readDeployment, writeDeployment } from "./deployments";

export interface UpgradeRequest {
  name: string;
  proxy: string;
  implementation: string;
  signer: Signer;
  /** Validate and deploy the new implementation only, for a timelock or multisig to execute. */
  prepareOnly?: boolean;
}

export interface UpgradeResult {
  contract: string;
  proxy: string;
  previousImplementation: string;
  newImplementation: string;
  /** `upgraded`, or `prepared` with the call data the admin (timelock, multisig) must send to the proxy. */
  status: "upgraded" | "prepared";
  calldata?: string;
}

/**
 * Upgrades a UUPS proxy through @openzeppelin/hardhat-upgrades, which refuses storage-layout breaks and
 * unsafe implementations. When the signer is not the consortium admin (the admin is a timelock or
 * multisig), or `prepareOnly` is set, the implementation is deployed and the `upgradeToAndCall` call
 * data is returned for the admin to schedule.
 */
export async function upgradeSingleton(hre: HardhatRuntimeEnvironment, req: UpgradeRequest): Promise<UpgradeResult> {
  const factory = await hre.ethers.getContractFactory(req.implementation, req.signer);
  const previousImplementation = await hre.upgrades.erc1967.getImplementationAddress(req.proxy);
  const access = await hre.ethers.getContractAt("AccessControlUpgradeable", req.proxy);
  const isAdmin = await access.hasRole(hre.ethers.ZeroHash, await req.signer.getAddress());

  let newImplementation: string;
  let status: UpgradeResult["status"];
  let calldata: string | undefined;
  if (isAdmin && !req.prepareOnly) {
    const upgraded = await hre.upgrades.upgradeProxy(req.proxy, factory, { kind: "uups" });
    await upgraded.waitForDeployment();
    newImplementation = await hre.upgrades.erc1967.getImplementationAddress(req.proxy);
    status = "upgraded";
  } else {
    const prepared = await hre.upgrades.prepareUpgrade(req.proxy, factory, { kind: "uups" });
    newImplementation = typeof prepared === "string" ? prepared : ((await prepared.wait())?.contractAddress ?? "");
    const uups = await hre.ethers.getContractAt("UUPSUpgradeable", req.proxy);
    calldata = uups.interface.encodeFunctionData("upgradeToAndCall", [newImplementation, "0x"]);
    status = "prepared";
  }

  const d = readDeployment(hre.network.name);
  if (d && status === "upgraded") {
    d.implementations[req.name] = newImplementation;
    writeDeployment(d);
  }
  return { contract: req.name, proxy: req.proxy, previousImplementation, newImplementation, status, calldata };
}
