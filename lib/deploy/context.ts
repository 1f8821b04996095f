import { readableAbi } from "../core/abi";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { BaseContract, ContractFactory, Signer } from "ethers";
import fs from "node:fs";
import { DeploymentFile, deploymentPath, readDeployment, recordContract, writeDeployment } from "../core/deployments";
import { UserError } from "../core/cli";
import { deploymentDifferences } from "./verify";

/** What every deploy step receives. */
export interface DeployContext {
  hre: HardhatRuntimeEnvironment;
  deployer: Signer;
  deployerAddress: string;
  file: DeploymentFile;
  log: (message: string) => void;
  /** Address of an already deployed contract of the suite (throws if missing). */
  address(name: string): string;
  /**
   * Deploys (or reuses) a UUPS proxy named `name` of `contract`, initialised with `initArgs`. `libraries`
   * names the stateless libraries the implementation links: each is deployed (or reused) under its own name
   * first and linked.
   */
  proxy(name: string, contract: string, initArgs: unknown[], libraries?: readonly string[]): Promise<string>;
  /** Deploys (or reuses) a plain contract. */
  plain(name: string, contract: string, ctorArgs: unknown[]): Promise<string>;
  /** Records a contract the suite did not deploy (a Besu genesis ingress) with the code found at `address`. */
  adopt(name: string, address: string): Promise<string>;
  /** Deploys (or reuses) an upgradeable beacon for `contract`. */
  beacon(name: string, contract: string): Promise<string>;
  /** Adds `role` for `account` to the token factory's standing roles (granted on every token) if missing. */
  standingRole(role: string, account: string): Promise<void>;
  /** Grants `role` on an AccessControl contract if not granted yet. */
  grantRole(contractName: string, role: string, account: string): Promise<void>;
  /** Sends a transaction and waits for it, logging the call. */
  send(label: string, tx: Promise<{ wait(): Promise<unknown>; hash: string }>): Promise<void>;
}

/** A numbered step of `suite:deploy`, a file in `lib/deploy/steps/`. Steps must be idempotent. */
export interface DeployStep {
  id: string;
  description: string;
  run(ctx: DeployContext): Promise<void>;
}

/**
 * The deployments file to build on. A recorded file is reused only when it describes this chain (chain id and
 * genesis block hash) and every recorded address still holds the code deployed there (runtime code hash, and
 * for proxies and beacons the implementation and its code hash); otherwise the deploy is refused naming what
 * differs. `fresh` starts a new file instead (the old one is kept next to it as `<network>.json.<time>.bak`).
 */
export async function startingFile(
  hre: HardhatRuntimeEnvironment,
  opts: { fresh?: boolean; log?: (m: string) => void } = {},
): Promise<DeploymentFile> {
  const network = hre.network.name;
  const provider = hre.ethers.provider;
  const chainId = Number((await provider.getNetwork()).chainId);
  const genesisHash = (await provider.getBlock(0))!.hash!;
  const empty: DeploymentFile = {
    network,
    chainId,
    genesisHash,
    block: 0,
    contracts: {},
    implementations: {},
    codeHashes: {},
    implementationCodeHashes: {},
    updatedAt: "",
  };
  const previous = readDeployment(network);
  if (!previous) return empty;
  const file = deploymentPath(network);
  if (opts.fresh) {
    const kept = `${file}.${new Date().toISOString().replace(/[:.]/g, "-")}.bak`;
    fs.copyFileSync(file, kept);
    opts.log?.(`--fresh: deploying everything anew; the previous file is kept as ${kept}`);
    return empty;
  }
  const differences = await deploymentDifferences(provider, previous);
  if (differences.length > 0) {
    throw new UserError(
      [
        `${file} does not match the chain of network "${network}", so nothing recorded in it is reused:`,
        ...differences.map((d) => `  - ${d}`),
        `Run \`npx hardhat suite:deploy --network ${network} --fresh\` to deploy the whole suite anew (the old file is kept as a .bak copy).`,
      ].join("\n"),
    );
  }
  return previous;
}

export async function createContext(
  hre: HardhatRuntimeEnvironment,
  deployer: Signer,
  log: (m: string) => void,
  opts: { fresh?: boolean } = {},
): Promise<DeployContext> {
  const network = hre.network.name;
  const deployerAddress = await deployer.getAddress();
  const file = await startingFile(hre, { fresh: opts.fresh, log });

  /** Every recorded contract was checked by startingFile: recorded means verified, so it is reused. */
  function reused(name: string): string | undefined {
    const address = file.contracts[name];
    if (address) log(`  reuse   ${name.padEnd(22)} ${address}`);
    return address;
  }

  async function record(name: string, address: string, implementation?: string): Promise<void> {
    await recordContract(hre.ethers.provider, file, name, address, implementation);
    if (file.block === 0) file.block = await hre.ethers.provider.getBlockNumber();
    writeDeployment(file);
  }

  async function factory(contract: string): Promise<ContractFactory> {
    // Built from the readable part of the ABI: a library's struct-typed functions would print warnings.
    const { abi, bytecode } = await hre.artifacts.readArtifact(contract);
    return hre.ethers.getContractFactory(readableAbi(abi), bytecode, deployer);
  }

  const ctx: DeployContext = {
    hre,
    deployer,
    deployerAddress,
    file,
    log,
    address(name) {
      const a = file.contracts[name];
      if (!a) throw new Error(`${name} is not deployed on ${network}; run suite:deploy first`);
      return a;
    },
    async proxy(name, contract, initArgs, libraries = []) {
      const linked: Record<string, string> = {};
      for (const lib of libraries) linked[lib] = await ctx.plain(lib, lib, []);
      const existing = reused(name);
      if (existing) return existing;
      const linking = libraries.length > 0;
      // Linked libraries are stateless and hold no upgrade-unsafe code (no selfdestruct, no delegatecall of their
      // own); the plugin's generic warning about library linking is silenced after this review.
      if (linking) hre.upgrades.silenceWarnings();
      const proxy = (await hre.upgrades.deployProxy(
        await hre.ethers.getContractFactory(contract, { signer: deployer, libraries: linked }),
        initArgs,
        {
          kind: "uups",
          initializer: "initialize",
          ...(linking ? { unsafeAllow: ["external-library-linking" as const] } : {}),
        },
      )) as unknown as BaseContract;
      await proxy.waitForDeployment();
      const address = await proxy.getAddress();
      const impl = await hre.upgrades.erc1967.getImplementationAddress(address);
      await record(name, address, impl);
      log(`  deploy  ${name.padEnd(22)} ${address} (UUPS proxy, implementation ${impl})`);
      return address;
    },
    async plain(name, contract, ctorArgs) {
      const existing = reused(name);
      if (existing) return existing;
      const c = await (await factory(contract)).deploy(...ctorArgs);
      await c.waitForDeployment();
      const address = await c.getAddress();
      await record(name, address);
      log(`  deploy  ${name.padEnd(22)} ${address}`);
      return address;
    },
    async adopt(name, address) {
      if ((await hre.ethers.provider.getCode(address)) === "0x") throw new UserError(`${name}: no code at ${address}`);
      if (file.contracts[name]?.toLowerCase() === address.toLowerCase()) return reused(name)!;
      await record(name, address);
      log(`  adopt   ${name.padEnd(22)} ${address}`);
      return address;
    },
    async beacon(name, contract) {
      const existing = reused(name);
      if (existing) return existing;
      const b = (await hre.upgrades.deployBeacon(await factory(contract))) as unknown as BaseContract;
      await b.waitForDeployment();
      const address = await b.getAddress();
      const impl = await hre.upgrades.beacon.getImplementationAddress(address);
      await record(name, address, impl);
      log(`  deploy  ${name.padEnd(22)} ${address} (beacon, implementation ${impl})`);
      return address;
    },
    async standingRole(role, account) {
      const tokenFactory = await hre.ethers.getContractAt("TokenFactory", ctx.address("TokenFactory"), deployer);
      const id = hre.ethers.id(role);
      const standing = await tokenFactory.standingRoles();
      if (standing.some((r) => r.role === id && r.account.toLowerCase() === account.toLowerCase())) return;
      await ctx.send(`TokenFactory.addStandingRole(${role}, ${account})`, tokenFactory.addStandingRole(id, account));
    },
    async grantRole(contractName, role, account) {
      const c = await hre.ethers.getContractAt("AccessControlUpgradeable", ctx.address(contractName), deployer);
      const roleId = role === "DEFAULT_ADMIN_ROLE" ? hre.ethers.ZeroHash : hre.ethers.id(role);
      if (await c.hasRole(roleId, account)) return;
      await ctx.send(`${contractName}.grantRole(${role}, ${account})`, c.grantRole(roleId, account));
    },
    async send(label, tx) {
      const t = await tx;
      await t.wait();
      log(`  tx      ${label} ${t.hash}`);
    },
  };
  return ctx;
}
