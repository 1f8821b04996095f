import { expect } from "chai";
import fs from "node:fs";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../../lib/deploy/suite";
import { deploymentPath, readDeployment, type DeploymentFile } from "../../lib/core/deployments";
import { IMPLEMENTATION_SLOT, deploymentDifferences } from "../../lib/deploy/verify";
import { useTempDeployments } from "../helpers/suite";

/** The suite deployed into a fresh deployments folder; the file as written. */
async function deployedFixture(): Promise<{ dir: string; file: DeploymentFile }> {
  const dir = useTempDeployments();
  const file = await deploySuite(hre, { deployer: (await ethers.getSigners())[0] });
  return { dir, file: JSON.parse(fs.readFileSync(deploymentPath(hre.network.name), "utf8")) };
}

async function use(): Promise<DeploymentFile> {
  const { dir, file } = await loadFixture(deployedFixture);
  process.env.DEPLOYMENTS_DIR = dir;
  fs.writeFileSync(deploymentPath(hre.network.name), JSON.stringify(file));
  return file;
}

const deploy = async (fresh = false) => deploySuite(hre, { deployer: (await ethers.getSigners())[0], fresh });

describe("suite:deploy reuses only what it deployed on this chain", function () {
  it("records the chain's genesis hash and the code hash of every contract and implementation", async function () {
    const file = await use();
    expect(file.genesisHash).to.equal((await ethers.provider.getBlock(0))!.hash);
    for (const [name, address] of Object.entries(file.contracts)) {
      expect(file.codeHashes![name], name).to.equal(ethers.keccak256(await ethers.provider.getCode(address)));
    }
    for (const [name, impl] of Object.entries(file.implementations)) {
      expect(file.implementationCodeHashes![name], name).to.equal(ethers.keccak256(await ethers.provider.getCode(impl)));
    }
    expect(await deploymentDifferences(ethers.provider, file)).to.deep.equal([]);
  });

  it("reuses every recorded contract on the same chain with the same code", async function () {
    const file = await use();
    const again = await deploy();
    expect(again.contracts).to.deep.equal(file.contracts);
  });

  it("refuses when a recorded address holds other code, naming the contract and both code hashes", async function () {
    const file = await use();
    const other = await ethers.provider.getCode(file.contracts.AccountIngress);
    await ethers.provider.send("hardhat_setCode", [file.contracts.NodeIngress, other]);
    await expect(deploy()).to.be.rejectedWith(
      `NodeIngress at ${file.contracts.NodeIngress}: code hash ${ethers.keccak256(other)}, deployed ${file.codeHashes!.NodeIngress}`,
    );
  });

  it("refuses when a proxy points at another implementation than the one recorded", async function () {
    const file = await use();
    const proxy = file.contracts.QuotaRegistry;
    const elsewhere = file.implementations.PriceOracle;
    await ethers.provider.send("hardhat_setStorageAt", [proxy, IMPLEMENTATION_SLOT, ethers.zeroPadValue(elsewhere, 32)]);
    await expect(deploy()).to.be.rejectedWith(
      `QuotaRegistry at ${proxy}: implementation ${elsewhere}, recorded ${file.implementations.QuotaRegistry}`,
    );
  });

  it("refuses when a beacon's implementation code is not the one deployed", async function () {
    const file = await use();
    const impl = file.implementations.SecurityTokenBeacon;
    const other = await ethers.provider.getCode(file.contracts.AccountIngress);
    await ethers.provider.send("hardhat_setCode", [impl, other]);
    await expect(deploy()).to.be.rejectedWith(`SecurityTokenBeacon: implementation ${impl} has code hash ${ethers.keccak256(other)}`);
  });

  it("refuses a file of another chain, and one from before chain and code were recorded, telling to use --fresh", async function () {
    const file = await use();
    const write = (f: object) => fs.writeFileSync(deploymentPath(hre.network.name), JSON.stringify(f));
    write({ ...file, genesisHash: "0x" + "ab".repeat(32) });
    await expect(deploy()).to.be.rejectedWith(/genesis block hash: the file records 0x(ab){32}, the node has 0x[0-9a-f]{64}/);
    write({ ...file, chainId: 1337 });
    await expect(deploy()).to.be.rejectedWith(/the file is for chain id 1337, the node is chain id 31337/);
    const old = { ...file } as Partial<DeploymentFile>;
    delete old.genesisHash;
    delete old.codeHashes;
    delete old.implementationCodeHashes;
    write(old);
    await expect(deploy()).to.be.rejectedWith(
      /does not record the genesis block hash or the code hashes of the contracts[\s\S]*suite:deploy --network hardhat --fresh/,
    );
  });

  it("--fresh deploys everything anew and keeps the old file as a copy", async function () {
    const file = await use();
    fs.writeFileSync(deploymentPath(hre.network.name), JSON.stringify({ ...file, genesisHash: "0x" + "ab".repeat(32) }));
    const fresh = await deploy(true);
    for (const name of Object.keys(file.contracts)) expect(fresh.contracts[name], name).to.not.equal(file.contracts[name]);
    expect(readDeployment(hre.network.name)!.genesisHash).to.equal((await ethers.provider.getBlock(0))!.hash);
    const kept = fs.readdirSync(process.env.DEPLOYMENTS_DIR!).filter((f) => f.endsWith(".bak"));
    expect(kept).to.have.length(1);
  });
});
