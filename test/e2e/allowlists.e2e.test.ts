import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { Contract, Wallet, encodeBytes32String, id } from "ethers";
import { StandaloneNode, TaskResult, hardhat, startNode } from "../helpers/node";
import { BesuPermDouble, jwtKeyPair, signJwt } from "../helpers/besu-perm-double";
import type { DeploymentFile } from "../../lib/core/deployments";

const ROOT = path.resolve(__dirname, "../..");
const HARDHAT = path.join(ROOT, "node_modules/.bin/hardhat");
const VALIDATOR = `enode://${"c3".repeat(64)}@172.16.240.11:30303`;
const BROKER_NODE = `enode://${"a1".repeat(64)}@10.0.0.1:30303`;

/**
 * End to end on a standalone chain: the suite deployed by `suite:deploy`, two simulated Besu nodes
 * (PERM JSON-RPC doubles, one behind JWT authentication) and the allowlist sync running as its own
 * process, killed with SIGKILL and restarted from its checkpoint. The doubles live in this process, so
 * every task runs asynchronously (a blocking spawn would stop them answering).
 */
describe("allowlist sync against a standalone node (e2e)", function () {
  this.timeout(120_000);
  let node: StandaloneNode;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let registry: Contract;
  let nodeRules: Contract;
  let n1: BesuPermDouble;
  let n2: BesuPermDouble;
  let agent: { child: ChildProcess; log: string[] } | undefined;
  const bank = Wallet.createRandom().address.toLowerCase();
  const broker = Wallet.createRandom().address.toLowerCase();

  function run(args: string[]): Promise<TaskResult> {
    return new Promise((resolve) => {
      const child = spawn(HARDHAT, args, {
        cwd: ROOT,
        env: { ...process.env, ...env, HARDHAT_NETWORK: undefined, TS_NODE_TRANSPILE_ONLY: "true" },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += String(d)));
      child.stderr.on("data", (d) => (stderr += String(d)));
      child.on("exit", (status) => resolve({ status: status ?? -1, stdout, stderr }));
    });
  }

  function startAgent() {
    const args = [
      "network:sync-allowlists",
      "--network",
      "localhost",
      "--nodes",
      path.join(dir, "nodes.json"),
      "--checkpoint",
      path.join(dir, "cp.json"),
      "--interval",
      "300",
    ];
    const child = spawn(HARDHAT, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, HARDHAT_NETWORK: undefined, TS_NODE_TRANSPILE_ONLY: "true" },
    });
    const log: string[] = [];
    child.stderr!.on("data", (d) => log.push(...String(d).split("\n").filter(Boolean)));
    agent = { child, log };
    return agent;
  }

  async function until(what: string, check: () => boolean, ms = 30_000) {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}\n${agent?.log.join("\n")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const has = (d: BesuPermDouble, a: string) => d.accounts.includes(a);

  before(async function () {
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    node = await startNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "csd-allowlists-e2e-"));
    env = { LOCALHOST_RPC_URL: node.url, DEPLOYMENTS_DIR: dir };
    const deployed = hardhat(["suite:deploy", "--network", "localhost"], env);
    expect(deployed.status, deployed.stdout + deployed.stderr).to.equal(0);
    const deployment = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8")) as DeploymentFile;
    const admin = await node.provider.getSigner(0);
    registry = new Contract(
      deployment.contracts.ParticipantRegistry,
      [
        "function addParticipant(uint8,bytes32,bytes2,address[]) returns (uint32)",
        "function suspend(uint32,bytes32)",
        "function reinstate(uint32,bytes32)",
      ],
      admin,
    );
    nodeRules = new Contract(deployment.contracts.NodeRules, ["function allowNode(string,string,uint16,uint32)"], admin);

    const keys = jwtKeyPair();
    n1 = await new BesuPermDouble({ fixedNodes: [VALIDATOR] }).start();
    n2 = await new BesuPermDouble({ jwtPublicKey: keys.publicKey, fixedNodes: [VALIDATOR] }).start();
    fs.writeFileSync(
      path.join(dir, "node2.jwt"),
      signJwt(keys.privateKey, { permissions: ["perm:*"], exp: Math.floor(Date.now() / 1000) + 3600 }),
    );
    fs.writeFileSync(
      path.join(dir, "nodes.json"),
      JSON.stringify({
        nodes: { node1: { url: n1.url }, node2: { url: n2.url, tokenFile: "node2.jwt" } },
        protected: { accounts: [await admin.getAddress()], nodes: [VALIDATOR] },
        timeoutMs: 1_000,
        retries: 1,
      }),
    );
  });

  after(async function () {
    if (agent?.child.exitCode === null) agent.child.kill("SIGKILL");
    await n1?.stop();
    await n2?.stop();
    await node?.stop();
  });

  it("reconciles both nodes on start, then follows onboarding, suspension and reinstatement", async function () {
    const admin = (await (await node.provider.getSigner(0)).getAddress()).toLowerCase();
    startAgent();
    await until("both nodes allow the depository's admin", () => has(n1, admin) && has(n2, admin));
    expect(n1.nodes).to.deep.equal([VALIDATOR]);

    await (await registry.addParticipant(2, id("bank licence"), "0x5255", [bank])).wait(); // participant 1, Bank
    await until("both nodes allow the bank", () => has(n1, bank) && has(n2, bank));

    await (await registry.addParticipant(3, id("broker licence"), "0x5255", [broker])).wait(); // participant 2, Broker
    await (await nodeRules.allowNode("a1".repeat(64), "10.0.0.1", 30303, 2)).wait();
    await until("both nodes allow the broker and its node", () => [n1, n2].every((d) => has(d, broker) && d.nodes.includes(BROKER_NODE)));

    await (await registry.suspend(1, encodeBytes32String("audit"))).wait();
    await until("the bank is removed from both nodes", () => !has(n1, bank) && !has(n2, bank));
    expect(has(n1, broker) && has(n2, broker)).to.equal(true);

    await (await registry.reinstate(1, encodeBytes32String("cleared"))).wait();
    await until("the bank is back on both nodes", () => has(n1, bank) && has(n2, bank));
    expect(n2.unauthorized).to.equal(0);
  });

  it("survives SIGKILL: restarted from its checkpoint, it catches up, and a node that was down is reconciled on return", async function () {
    await n2.stop();
    await (await registry.suspend(2, encodeBytes32String("audit"))).wait();
    await until("node1 drops the broker and its node", () => !has(n1, broker) && !n1.nodes.includes(BROKER_NODE));
    await until("node2 is reported unreachable", () => agent!.log.some((l) => /node2: not reconciled, retried next round/.test(l)));

    agent!.child.kill("SIGKILL");
    await new Promise((r) => agent!.child.once("exit", r));
    const saved = JSON.parse(fs.readFileSync(path.join(dir, "cp.json"), "utf8")) as { nextBlock: number; pending: Record<string, string> };
    expect(saved.pending).to.have.property("node2");

    // While the agent is down: the bank is suspended again and node2 comes back.
    await (await registry.suspend(1, encodeBytes32String("audit"))).wait();
    await n2.start();
    const restarted = startAgent();
    await until("both nodes drop the bank and the broker", () =>
      [n1, n2].every((d) => !has(d, bank) && !has(d, broker) && !d.nodes.includes(BROKER_NODE)),
    );
    expect(restarted.log.some((l) => l.includes(`from block ${saved.nextBlock};`))).to.equal(true);
    expect(restarted.log.some((l) => /block \d+ node2: removed account/.test(l))).to.equal(true);

    agent!.child.kill("SIGTERM");
    await new Promise((r) => agent!.child.once("exit", r));
  });

  it("network:check-allowlists exits 0 when in sync and non-zero with the difference on drift", async function () {
    const inSync = await run(["network:check-allowlists", "--network", "localhost", "--nodes", path.join(dir, "nodes.json")]);
    expect(inSync.status, inSync.stdout + inSync.stderr).to.equal(0);

    const stray = "0x00000000000000000000000000000000000000aa";
    n2.accounts.push(stray);
    const drift = await run(["network:check-allowlists", "--network", "localhost", "--nodes", path.join(dir, "nodes.json")]);
    expect(drift.status).to.not.equal(0);
    expect(drift.stdout).to.match(new RegExp(`node2\\s*│ account not allowed\\s*│ ${stray}`));
    expect(drift.stderr + drift.stdout).to.match(/allowlists differ from the registry on node2/);
  });
});
