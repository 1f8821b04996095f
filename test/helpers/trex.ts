/**
 * T-REX (ERC-3643) 4.1.6, deployed from the compiled artifacts of its npm package
 * `@tokenysolutions/t-rex`, as the baseline the tokens are compared with in the bench. The suite is the one
 * T-REX's own fixtures deploy: claim topics registry with one KYC topic, trusted issuers registry with one
 * claim issuer, identity registry and its storage, modular compliance with one country-allow module, and the
 * token; holders get an ONCHAINID identity carrying a KYC claim signed by the issuer's key and are registered
 * with a country the module allows.
 *
 * Contracts are deployed as their implementations, without T-REX's proxies and implementation authority: a
 * T-REX call through its proxies costs more, so the measured T-REX gas is a lower bound and the ratios
 * against it favour T-REX.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, ContractRunner, ContractTransactionResponse } from "ethers";
import { ethers } from "hardhat";

/** ISO 3166 numeric code of the Russian Federation, the country the module allows. */
export const TREX_ALLOWED_COUNTRY = 643;
/** Claim topic the identity registry requires of every holder. */
export const TREX_KYC_TOPIC = ethers.id("CLAIM_TOPIC_KYC");

const ROOT = "@tokenysolutions/t-rex/artifacts";
const ARTIFACTS = {
  Token: `${ROOT}/contracts/token/Token.sol/Token.json`,
  IdentityRegistry: `${ROOT}/contracts/registry/implementation/IdentityRegistry.sol/IdentityRegistry.json`,
  IdentityRegistryStorage: `${ROOT}/contracts/registry/implementation/IdentityRegistryStorage.sol/IdentityRegistryStorage.json`,
  ClaimTopicsRegistry: `${ROOT}/contracts/registry/implementation/ClaimTopicsRegistry.sol/ClaimTopicsRegistry.json`,
  TrustedIssuersRegistry: `${ROOT}/contracts/registry/implementation/TrustedIssuersRegistry.sol/TrustedIssuersRegistry.json`,
  ModularCompliance: `${ROOT}/contracts/compliance/modular/ModularCompliance.sol/ModularCompliance.json`,
  CountryAllowModule: `${ROOT}/contracts/compliance/modular/modules/CountryAllowModule.sol/CountryAllowModule.json`,
  Identity: `${ROOT}/@onchain-id/solidity/contracts/Identity.sol/Identity.json`,
  ClaimIssuer: `${ROOT}/@onchain-id/solidity/contracts/ClaimIssuer.sol/ClaimIssuer.json`,
} as const;

/** A T-REX contract: its ABI is only known at run time, so calls go through the generic contract type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TrexContract = { connect(runner: ContractRunner | null): TrexContract } & BaseContract & Record<string, any>;

export interface TrexSuite {
  token: TrexContract;
  identityRegistry: TrexContract;
  compliance: TrexContract;
  countryModule: TrexContract;
  claimIssuer: TrexContract;
  /** Owner of every T-REX contract, and agent of the token and the identity registry. */
  agent: HardhatEthersSigner;
  /** Key of the claim issuer that signs KYC claims. */
  claimSigner: HardhatEthersSigner;
  /** Deploys an identity for `holder` with a signed KYC claim and registers it with `country`. */
  onboard(holder: HardhatEthersSigner, country?: number): Promise<TrexContract>;
}

async function deploy(name: keyof typeof ARTIFACTS, signer: HardhatEthersSigner, args: unknown[] = []): Promise<TrexContract> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const artifact = require(ARTIFACTS[name]) as { abi: unknown[]; bytecode: string };
  const factory = new ethers.ContractFactory(artifact.abi as never, artifact.bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract as unknown as TrexContract;
}

async function mined(tx: Promise<ContractTransactionResponse>): Promise<void> {
  await (await tx).wait();
}

const coder = ethers.AbiCoder.defaultAbiCoder();

/**
 * Deploys the T-REX suite with `agent` as owner and agent, and `claimSigner` as the claim issuer's signing
 * key. The token is unpaused and has no holders yet: `onboard` them, then `token.mint`.
 */
export async function deployTrex(agent: HardhatEthersSigner, claimSigner: HardhatEthersSigner): Promise<TrexSuite> {
  const topics = await deploy("ClaimTopicsRegistry", agent);
  await mined(topics.init());
  await mined(topics.addClaimTopic(TREX_KYC_TOPIC));

  const claimIssuer = await deploy("ClaimIssuer", agent, [agent.address]);
  await mined(claimIssuer.addKey(ethers.keccak256(coder.encode(["address"], [claimSigner.address])), 3, 1));
  const issuers = await deploy("TrustedIssuersRegistry", agent);
  await mined(issuers.init());
  await mined(issuers.addTrustedIssuer(await claimIssuer.getAddress(), [TREX_KYC_TOPIC]));

  const storage = await deploy("IdentityRegistryStorage", agent);
  await mined(storage.init());
  const identityRegistry = await deploy("IdentityRegistry", agent);
  await mined(identityRegistry.init(await issuers.getAddress(), await topics.getAddress(), await storage.getAddress()));
  await mined(storage.bindIdentityRegistry(await identityRegistry.getAddress()));
  await mined(identityRegistry.addAgent(agent.address));

  const compliance = await deploy("ModularCompliance", agent);
  await mined(compliance.init());
  const countryModule = await deploy("CountryAllowModule", agent);
  await mined(countryModule.initialize());
  await mined(compliance.addModule(await countryModule.getAddress()));
  await mined(
    compliance.callModuleFunction(
      countryModule.interface.encodeFunctionData("addAllowedCountry", [TREX_ALLOWED_COUNTRY]),
      await countryModule.getAddress(),
    ),
  );

  const token = await deploy("Token", agent);
  await mined(token.init(await identityRegistry.getAddress(), await compliance.getAddress(), "T-REX share", "TREX", 0, ethers.ZeroAddress));
  await mined(token.addAgent(agent.address));
  await mined(token.unpause());

  const claimIssuerAddress = await claimIssuer.getAddress();
  async function onboard(holder: HardhatEthersSigner, country = TREX_ALLOWED_COUNTRY): Promise<TrexContract> {
    const identity = await deploy("Identity", holder, [holder.address, false]);
    const identityAddress = await identity.getAddress();
    const data = ethers.hexlify(ethers.toUtf8Bytes("KYC passed"));
    const digest = ethers.keccak256(coder.encode(["address", "uint256", "bytes"], [identityAddress, TREX_KYC_TOPIC, data]));
    const signature = await claimSigner.signMessage(ethers.getBytes(digest));
    await mined(identity.addClaim(TREX_KYC_TOPIC, 1, claimIssuerAddress, signature, data, ""));
    await mined(identityRegistry.registerIdentity(holder.address, identityAddress, country));
    return identity;
  }

  return { token, identityRegistry, compliance, countryModule, claimIssuer, agent, claimSigner, onboard };
}
