import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { Contract } from "ethers";
import { StandaloneNode, hardhat, jsonOf, startNode } from "../helpers/node";
import type { DeploymentFile } from "../../lib/core/deployments";

/**
 * End to end against a standalone JSON-RPC node: `suite:deploy` twice over JSON-RPC, then the
 * participant and network tasks as separate processes, checked on chain.
 */
describe("suite against a standalone node (e2e)", function () {
  let node: StandaloneNode;
  let env: NodeJS.ProcessEnv;
  let first: DeploymentFile;

  before(async function () {
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    node = await startNode();
    env = { LOCALHOST_RPC_URL: node.url, DEPLOYMENTS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "csd-e2e-")) };
    first = jsonOf<DeploymentFile>(hardhat(["suite:deploy", "--network", "localhost", "--json"], env));
  });

  after(async function () {
    await node?.stop();
  });

  it("deploys every contract and records it in deployments/localhost.json", async function () {
    const file = JSON.parse(fs.readFileSync(path.join(env.DEPLOYMENTS_DIR!, "localhost.json"), "utf8")) as DeploymentFile;
    expect(file.chainId).to.equal(31337);
    expect(Object.keys(file.contracts)).to.include.members([
      "ParticipantRegistry",
      "AccountRules",
      "NodeRules",
      "AccountIngress",
      "NodeIngress",
    ]);
    for (const address of Object.values(file.contracts)) expect(await node.provider.getCode(address)).to.not.equal("0x");
  });

  it("re-running suite:deploy reuses every contract", function () {
    const r = hardhat(["suite:deploy", "--network", "localhost"], env);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.not.match(/\bdeploy\s/);
    expect(r.stdout.match(/\breuse\s/g)?.length).to.equal(Object.keys(first.contracts).length);
    const again = JSON.parse(fs.readFileSync(path.join(env.DEPLOYMENTS_DIR!, "localhost.json"), "utf8")) as DeploymentFile;
    expect(again.contracts).to.deep.equal(first.contracts);
  });

  it("onboards, suspends and lists participants through the tasks, and the chain agrees", async function () {
    const bank = "0x90f79bf6eb2c4f870365e785982e1f8b8f93b906";
    const added = jsonOf<{ id: number; status: string }>(
      hardhat(
        [
          "participants:add",
          "--network",
          "localhost",
          "--kind",
          "Bank",
          "--identity",
          "bank licence 1481",
          "--jurisdiction",
          "ru",
          "--signers",
          bank,
          "--json",
        ],
        env,
      ),
    );
    expect(added).to.include({ id: 1, status: "Active" });
    const registry = new Contract(
      first.contracts.ParticipantRegistry,
      ["function signerOf(address) view returns (uint32,uint8,uint8)", "function participantCount() view returns (uint32)"],
      node.provider,
    );
    expect(await registry.signerOf(bank)).to.deep.equal([1n, 2n, 1n]);

    const allowed = jsonOf<{ allowed: boolean }>(
      hardhat(["network:check-account", "--network", "localhost", "--account", bank, "--json"], env),
    );
    expect(allowed.allowed).to.equal(true);

    jsonOf(hardhat(["participants:suspend", "--network", "localhost", "--id", "1", "--reason", "audit", "--json"], env));
    expect(await registry.signerOf(bank)).to.deep.equal([1n, 2n, 2n]);
    const refused = jsonOf<{ allowed: boolean }>(
      hardhat(["network:check-account", "--network", "localhost", "--account", bank, "--json"], env),
    );
    expect(refused.allowed).to.equal(false);

    const list = jsonOf<{ id: number; status: string }[]>(hardhat(["participants:list", "--network", "localhost", "--json"], env));
    expect(list.map((p) => [p.id, p.status])).to.deep.equal([[1, "Suspended"]]);
  });

  it("reports a contract refusal as one readable line and a non-zero exit", function () {
    const r = hardhat(["participants:reinstate", "--network", "localhost", "--id", "7"], env);
    expect(r.status).to.not.equal(0);
    expect(r.stderr + r.stdout).to.match(/RegistryUnknownParticipant\(7\)/);
  });

  it("refuses bad input before sending anything", function () {
    const r = hardhat(["participants:add", "--network", "localhost", "--kind", "Bakery", "--identity", "x", "--jurisdiction", "RU"], env);
    expect(r.status).to.not.equal(0);
    expect(r.stderr + r.stdout).to.match(/unknown participant kind "Bakery"/);
  });

  it("admits a node through network:allow-node and answers Besu's node check", function () {
    const enode = `enode://${"ab".repeat(64)}@10.1.2.3:30303`;
    jsonOf(
      hardhat(
        ["participants:add", "--network", "localhost", "--kind", "Depository", "--identity", "csd", "--jurisdiction", "RU", "--json"],
        env,
      ),
    );
    const r = jsonOf<{ allowed: boolean }>(
      hardhat(["network:allow-node", "--network", "localhost", "--enode", enode, "--participant", "2", "--json"], env),
    );
    expect(r.allowed).to.equal(true);
    const check = jsonOf<{ allowed: boolean }>(hardhat(["network:check-node", "--network", "localhost", "--enode", enode, "--json"], env));
    expect(check.allowed).to.equal(true);
  });
});
