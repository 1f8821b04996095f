import { readableAbi } from "../core/abi";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Contract, isError, type ContractFactory, type Signer } from "ethers";
import { UserError } from "../core/cli";
import { readDeployment, recordContract, writeDeployment } from "../core/deployments";

/** The read that says whether a proxy holds records, by contract: one that holds none can take any layout. */
const RECORD_COUNTS: Record<string, string> = {
  ParticipantRegistry: "participantCount",
  PledgeBook: "pledgeCount",
  RepoBook: "dealCount",
  QuotaRegistry: "offeringCount",
};

/** `storageLayoutVersion()` of a contract; 1 for an implementation from before that function. */
async function layoutVersion(address: string, signer: Signer): Promise<bigint> {
  const c = new Contract(address, ["function storageLayoutVersion() view returns (uint256)"], signer);
  try {
    return (await c.storageLayoutVersion()) as bigint;
  } catch (e) {
    if (isError(e, "CALL_EXCEPTION")) return 1n;
    throw e;
  }
}

/**
 * Refuses to put an implementation of another storage layout version behind a proxy that holds records (or whose
 * records cannot be counted): the upgrades plugin checks layouts declared in contracts, not a namespaced struct
 * declared in a library, whose changes the contract states by its version. The plugin deploys the new
 * implementation (or finds it deployed) to ask it.
 */
async function checkLayoutVersion(
  hre: HardhatRuntimeEnvironment,
  req: UpgradeRequest,
  factory: ContractFactory,
  options: Parameters<HardhatRuntimeEnvironment["upgrades"]["prepareUpgrade"]>[2],
): Promise<void> {
  const prepared = await hre.upgrades.prepareUpgrade(req.proxy, factory, options);
  const implementation = typeof prepared === "string" ? prepared : ((await prepared.wait())?.contractAddress ?? "");
  const [live, next] = [await layoutVersion(req.proxy, req.signer), await layoutVersion(implementation, req.signer)];
  if (live === next) return;
  const read = RECORD_COUNTS[req.name];
  const records = read
    ? ((await new Contract(req.proxy, [`function ${read}() view returns (uint256)`], req.signer)[read]()) as bigint)
    : undefined;
  if (records === 0n) return;
  throw new UserError(
    `${req.name} at ${req.proxy} keeps storage layout version ${live}${records === undefined ? "" : ` and holds ${records} record(s)`}; ` +
      `${req.implementation} reads version ${next}: upgrading in place would misread them. Upgrade an empty ${req.name}, ` +
      `or deploy the new version beside it and move the records.`,
  );
}

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
  /** Linked libraries deployed for the new implementation (name → address), when it links any. */
  libraries?: Record<string, string>;
  /** `upgraded`, or `prepared` with the call data the admin (timelock, multisig) must send to the proxy. */
  status: "upgraded" | "prepared";
  calldata?: string;
}

/**
 * Upgrades a UUPS proxy through @openzeppelin/hardhat-upgrades, which refuses storage-layout breaks and
 * unsafe implementations; a change of the contract's own storage layout version is refused while the proxy holds
 * records. When the signer is not the consortium admin (the admin is a timelock or
 * multisig), or `prepareOnly` is set, the implementation is deployed and the `upgradeToAndCall` call
 * data is returned for the admin to schedule. An implementation that links libraries (the repo and pledge books)
 * gets them deployed fresh from the current sources and linked, as the deploy steps do.
 */
export async function upgradeSingleton(hre: HardhatRuntimeEnvironment, req: UpgradeRequest): Promise<UpgradeResult> {
  const artifact = await hre.artifacts.readArtifact(req.implementation);
  const libraries: Record<string, string> = {};
  for (const names of Object.values(artifact.linkReferences)) {
    for (const lib of Object.keys(names)) {
      // From the readable part of the library's ABI, as the deploy steps do (no warnings in JSON output).
      const { abi, bytecode } = await hre.artifacts.readArtifact(lib);
      const deployed = await (await hre.ethers.getContractFactory(readableAbi(abi), bytecode, req.signer)).deploy();
      await deployed.waitForDeployment();
      libraries[lib] = await deployed.getAddress();
    }
  }
  const linked = Object.keys(libraries).length > 0;
  const factory = await hre.ethers.getContractFactory(req.implementation, { signer: req.signer, libraries });
  // Linked libraries are stateless and hold no upgrade-unsafe code; the plugin's generic warning is silenced.
  if (linked) hre.upgrades.silenceWarnings();
  const options = { kind: "uups" as const, ...(linked ? { unsafeAllow: ["external-library-linking" as const] } : {}) };
  const previousImplementation = await hre.upgrades.erc1967.getImplementationAddress(req.proxy);
  await checkLayoutVersion(hre, req, factory, options);
  const access = await hre.ethers.getContractAt("AccessControlUpgradeable", req.proxy);
  const isAdmin = await access.hasRole(hre.ethers.ZeroHash, await req.signer.getAddress());

  let newImplementation: string;
  let status: UpgradeResult["status"];
  let calldata: string | undefined;
  if (isAdmin && !req.prepareOnly) {
    const upgraded = await hre.upgrades.upgradeProxy(req.proxy, factory, options);
    await upgraded.waitForDeployment();
    newImplementation = await hre.upgrades.erc1967.getImplementationAddress(req.proxy);
    status = "upgraded";
  } else {
    const prepared = await hre.upgrades.prepareUpgrade(req.proxy, factory, options);
    newImplementation = typeof prepared === "string" ? prepared : ((await prepared.wait())?.contractAddress ?? "");
    const uups = await hre.ethers.getContractAt("UUPSUpgradeable", req.proxy);
    calldata = uups.interface.encodeFunctionData("upgradeToAndCall", [newImplementation, "0x"]);
    status = "prepared";
  }

  const d = readDeployment(hre.network.name);
  if (d && status === "upgraded") {
    // The new implementation and libraries with their code hashes, so a later suite:deploy reuses them.
    await recordContract(hre.ethers.provider, d, req.name, req.proxy, newImplementation);
    for (const [lib, address] of Object.entries(libraries)) await recordContract(hre.ethers.provider, d, lib, address);
    writeDeployment(d);
  }
  return {
    contract: req.name,
    proxy: req.proxy,
    previousImplementation,
    newImplementation,
    ...(linked ? { libraries } : {}),
    status,
    calldata,
  };
}
