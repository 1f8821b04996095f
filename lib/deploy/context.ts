import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { BaseContract, ContractFactory, Signer } from "ethers";
import { DeploymentFile, readDeployment, writeDeployment } from "../deployments";

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

export async function createContext(hre: HardhatRuntimeEnvironment, deployer: Signer, log: (m: string) => void): Promise<DeployContext> {
  const network = hre.network.name;
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const deployerAddress = await deployer.getAddress();
  const previous = readDeployment(network);
  const file: DeploymentFile =
    previous && previous.chainId === chainId ? previous : { network, chainId, block: 0, contracts: {}, implementations: {}, updatedAt: "" };

  async function hasCode(address: string | undefined): Promise<boolean> {
    return !!address && (await hre.ethers.provider.getCode(address)) !== "0x";
  }

  async function record(name: string, address: string, implementation?: string): Promise<void> {
    file.contracts[name] = address;
    if (implementation) file.implementations[name] = implementation;
    if (file.block === 0) file.block = await hre.ethers.provider.getBlockNumber();
    writeDeployment(file);
  }

  async function factory(contract: string): Promise<ContractFactory> {
    return hre.ethers.getContractFactory(contract, deployer);
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
      if (await hasCode(file.contracts[name])) {
        log(`  reuse   ${name.padEnd(22)} ${file.contracts[name]}`);
        return file.contracts[name];
      }
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
      if (await hasCode(file.contracts[name])) {
        log(`  reuse   ${name.padEnd(22)} ${file.contracts[name]}`);
        return file.contracts[name];
      }
      const c = await (await factory(contract)).deploy(...ctorArgs);
      await c.waitForDeployment();
      const address = await c.getAddress();
      await record(name, address);
      log(`  deploy  ${name.padEnd(22)} ${address}`);
      return address;
    },
    async beacon(name, contract) {
      if (await hasCode(file.contracts[name])) {
        log(`  reuse   ${name.padEnd(22)} ${file.contracts[name]}`);
        return file.contracts[name];
      }
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
