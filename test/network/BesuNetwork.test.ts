import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { decodeRlp } from "ethers";
import { ACCOUNT_INGRESS_ADDRESS, NODE_INGRESS_ADDRESS } from "../../lib/network/besu";
import { enodeIdOf, qbftExtraData, writeDevNetwork } from "../../lib/network/besu-network";

describe("Besu dev network files", function () {
  const KEYS = [1, 2, 3, 4].map((i) => ethers.zeroPadValue(ethers.toBeHex(i + 1000), 32));
  const DEPLOYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

  async function write() {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "csd-besu-"));
    const result = await writeDevNetwork(hre, { outDir, deployer: DEPLOYER, nodeKeys: KEYS, chainId: 2026 });
    return { outDir, ...result, genesis: JSON.parse(fs.readFileSync(result.genesisFile, "utf8")) };
  }

  it("encodes the QBFT extraData with the four validators, no vote, round 0 and no seals", async function () {
    const { genesis, validators } = await write();
    const decoded = decodeRlp(genesis.extraData) as unknown[];
    expect(decoded[0]).to.equal(ethers.ZeroHash);
    expect((decoded[1] as string[]).map((a) => ethers.getAddress(a))).to.deep.equal(validators.map((v) => v.address));
    expect(decoded.slice(2)).to.deep.equal([[], "0x", []]);
  });

  it("matches Besu's documented extraData for a known validator set", function () {
    // From besu-docs (QBFT genesis example with four validators).
    const docs =
      "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0";
    const validators = (decodeRlp(docs) as unknown[])[1] as string[];
    expect(qbftExtraData(validators)).to.equal(docs);
  });

  it("pre-deploys both ingresses with runtime code and the admin slot, and funds the deployer", async function () {
    const { genesis } = await write();
    const account = genesis.alloc[ACCOUNT_INGRESS_ADDRESS.slice(2)];
    const node = genesis.alloc[NODE_INGRESS_ADDRESS.slice(2)];
    expect(account.code).to.equal((await hre.artifacts.readArtifact("AccountIngress")).deployedBytecode);
    expect(node.code).to.equal((await hre.artifacts.readArtifact("NodeIngress")).deployedBytecode);
    expect(Object.values(account.storage)).to.deep.equal([ethers.zeroPadValue(DEPLOYER.toLowerCase(), 32)]);
    expect(genesis.alloc[DEPLOYER.slice(2).toLowerCase()].balance).to.match(/^0x/);
    expect(genesis.config).to.include({ chainId: 2026, shanghaiTime: 0, cancunTime: 0, zeroBaseFee: true });
    expect(genesis.config).to.not.have.property("pragueTime");
    expect(genesis.baseFeePerGas).to.equal("0x0");
  });

  it("lists every validator as a bootnode and keeps on-chain permissioning on", async function () {
    const { outDir, validators } = await write();
    const toml = fs.readFileSync(path.join(outDir, "config", "config.toml"), "utf8");
    for (const v of validators) expect(toml).to.contain(v.enode);
    expect(toml).to.match(/permissions-nodes-contract-version=2/);
    expect(toml).to.match(/min-gas-price=0/);
  });

  it("writes node keys whose public half is the enode id", async function () {
    const { outDir, validators } = await write();
    const key = fs.readFileSync(path.join(outDir, "keys", "node1", "key"), "utf8");
    expect(enodeIdOf("0x" + key)).to.equal(validators[0].enodeId);
    expect(validators[0].enodeId).to.have.length(128);
  });

  it("pins the compose file to Besu 25.5.0, the last release with on-chain permissioning", function () {
    const compose = fs.readFileSync(path.resolve(__dirname, "../../besu/docker-compose.yml"), "utf8");
    expect(compose).to.contain("image: hyperledger/besu:25.5.0");
    expect(compose.match(/--node-private-key-file=\/keys\/node\d\/key/g)).to.have.length(4);
  });

  it("writes the current-Besu variant: local permissioning flags, no contract flags, the deployer and validators allowed", async function () {
    const { outDir, validators } = await write();
    const toml = fs.readFileSync(path.join(outDir, "config", "config-local.toml"), "utf8");
    for (const v of validators) expect(toml).to.contain(v.enode);
    expect(toml).to.match(/^permissions-accounts-config-file-enabled=true$/m);
    expect(toml).to.match(/^permissions-nodes-config-file-enabled=true$/m);
    expect(toml).to.match(/^rpc-http-authentication-enabled=true$/m);
    expect(toml).to.match(/^rpc-http-api=\[.*"PERM".*\]$/m);
    expect(toml).to.not.match(/^permissions-[a-z]+-contract/m);
    const perms = fs.readFileSync(path.join(outDir, "config", "permissions_config.toml"), "utf8");
    expect(JSON.parse(/^accounts-allowlist=(.*)$/m.exec(perms)![1])).to.deep.equal([DEPLOYER.toLowerCase()]);
    expect(JSON.parse(/^nodes-allowlist=(.*)$/m.exec(perms)![1])).to.deep.equal(validators.map((v) => v.enode));
    const nodes = JSON.parse(fs.readFileSync(path.join(outDir, "nodes.json"), "utf8"));
    expect(nodes.protected.nodes).to.deep.equal(validators.map((v) => v.enode));
    expect(Object.keys(nodes.nodes)).to.deep.equal(["node1", "node2", "node3", "node4"]);
  });

  it("runs the local-permissioning compose file on a release after 25.5 with the local configuration", function () {
    const compose = fs.readFileSync(path.resolve(__dirname, "../../besu/local-permissioning/docker-compose.yml"), "utf8");
    const [, major, minor] = /image: hyperledger\/besu:(\d+)\.(\d+)\.\d+/.exec(compose)!;
    expect(Number(major) * 100 + Number(minor)).to.be.above(2505);
    expect(compose.match(/--config-file=\/config\/config-local.toml/g)).to.have.length(4);
    expect(compose.match(/"127\.0\.0\.1:854\d:8545"/g)).to.have.length(4);
  });
});
