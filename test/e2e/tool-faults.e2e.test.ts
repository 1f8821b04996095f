import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { Contract, Wallet, keccak256 } from "ethers";
import { StandaloneNode, hardhat, jsonOf, startNode } from "../helpers/node";
import { startHttpSink } from "../notify/sinks";
import type { DeploymentFile } from "../../lib/core/deployments";
import { addParticipant } from "../../lib/registry";
import { parseConfig } from "../../lib/notify/config";
import { readCheckpoint } from "../../lib/notify/checkpoint";
import { Watcher } from "../../lib/notify/watcher";
import type { ParticipantRegistry } from "../../typechain-types";

/**
 * The operator tools against the faults operations met, on a standalone node: a stale deployments file on a
 * fresh node, a refused task, and webhooks that fail or hang.
 */
describe("operator tools against faults on a standalone node (e2e)", function () {
  let node: StandaloneNode;
  let env: NodeJS.ProcessEnv;
  let deployer: string;
  const file = () => path.join(env.DEPLOYMENTS_DIR!, "localhost.json");

  before(async function () {
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    node = await startNode();
    env = { LOCALHOST_RPC_URL: node.url, DEPLOYMENTS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "csd-faults-")) };
    deployer = (await node.provider.listAccounts())[0].address;
  });

  after(async function () {
    await node?.stop();
  });

  it("refuses a stale deployments file whose addresses hold other code on a fresh node; --fresh deploys anew", async function () {
    // A file left by an earlier node, and at its addresses some other contract's code.
    const other = (await hre.artifacts.readArtifact("AccountIngress")).deployedBytecode;
    const contracts = { ParticipantRegistry: Wallet.createRandom().address, AccountRules: Wallet.createRandom().address };
    for (const address of Object.values(contracts)) await node.provider.send("anvil_setCode", [address, other]);
    const stale: DeploymentFile = {
      network: "localhost",
      chainId: 31337,
      genesisHash: "0x" + "ab".repeat(32),
      block: 1,
      contracts,
      implementations: {},
      codeHashes: { ParticipantRegistry: keccak256(other), AccountRules: keccak256(other) },
      implementationCodeHashes: {},
      updatedAt: "",
    };
    fs.writeFileSync(file(), JSON.stringify(stale));
    const genesis = (await node.provider.getBlock(0))!.hash;

    const refused = hardhat(["suite:deploy", "--network", "localhost"], env);
    expect(refused.status).to.not.equal(0);
    expect(refused.stderr).to.include(`genesis block hash: the file records ${stale.genesisHash}, the node has ${genesis}`);
    expect(refused.stderr).to.include("suite:deploy --network localhost --fresh");
    expect(await node.provider.getTransactionCount(deployer), "nothing sent").to.equal(0);

    const fresh = jsonOf<DeploymentFile>(hardhat(["suite:deploy", "--network", "localhost", "--fresh", "--json"], env));
    expect(fresh.genesisHash).to.equal(genesis);
    expect(fresh.contracts.ParticipantRegistry).to.not.equal(contracts.ParticipantRegistry);
    for (const [name, address] of Object.entries(fresh.contracts)) {
      expect(fresh.codeHashes![name], name).to.equal(keccak256(await node.provider.getCode(address)));
    }
    expect(fs.readdirSync(env.DEPLOYMENTS_DIR!).some((f) => f.startsWith("localhost.json.") && f.endsWith(".bak"))).to.equal(true);
  });

  it("a refused task prints the decoded error and leaves the signer's nonce unchanged", async function () {
    const nonce = await node.provider.getTransactionCount(deployer);
    const r = hardhat(["participants:suspend", "--network", "localhost", "--id", "99", "--reason", "review"], env);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.include("the contract refused: RegistryUnknownParticipant(99); nothing was sent");
    expect(await node.provider.getTransactionCount(deployer)).to.equal(nonce);
  });

  it("a webhook answering 500 and a hung one delay no third; their dead letters survive a restart", async function () {
    const deployment = JSON.parse(fs.readFileSync(file(), "utf8")) as DeploymentFile;
    const { abi } = await hre.artifacts.readArtifact("ParticipantRegistry");
    const registry = new Contract(
      deployment.contracts.ParticipantRegistry,
      abi,
      await node.provider.getSigner(deployer),
    ) as unknown as ParticipantRegistry;
    const start = (await node.provider.getBlockNumber()) + 1;
    const ids: number[] = [];
    for (const name of ["failing", "hung", "prompt"]) {
      ids.push((await addParticipant(registry, { kind: "Bank", identity: name, jurisdiction: "RU", signers: [] })).id);
    }
    const http = await startHttpSink();
    http.setRoute("/failing", "500");
    http.setRoute("/hung", "hang");
    process.env.FAULTS_WEBHOOK_SECRET = "faults";
    // Long enough for a loaded machine to answer the prompt endpoint in time, short enough to keep the test quick.
    const timeoutMs = 4_000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "csd-faults-notify-"));
    const config = parseConfig(
      {
        startBlock: start,
        checkpoint: "checkpoint.json",
        webhook: { secretEnv: "FAULTS_WEBHOOK_SECRET", timeoutMs },
        contacts: Object.fromEntries(ids.map((id, i) => [id, { webhook: [`${http.url}/${["failing", "hung", "prompt"][i]}`] }])),
        retry: { maxAttempts: 2, baseBackoffMs: 50 },
      },
      "notify.json",
      dir,
    );
    const watch = () => new Watcher({ config, hre, provider: node.provider, deployment });
    try {
      const began = Date.now();
      const first = await watch().run({ once: true });
      const dead = readCheckpoint(config.checkpoint)!.deadLetters!;
      const prompt = http.hooks.filter((h) => h.path === "/prompt");
      const why = `stats ${JSON.stringify(first)}; dead letters ${JSON.stringify(dead.map((d) => [d.target, d.lastError]))}`;
      expect(prompt.length, `the prompt endpoint was served (${why})`).to.be.greaterThan(0);
      expect(Math.max(...prompt.map((h) => h.at)) - began, "the prompt endpoint waited for no other").to.be.lessThan(timeoutMs);
      expect(new Set(dead.map((d) => new URL(d.target).pathname))).to.deep.equal(new Set(["/failing", "/hung"]));
      expect(first.failed).to.equal(dead.length);
      expect(http.refused.length + http.hung.length, "one request per attempt").to.equal(dead.length * 2);

      const requests = http.refused.length + http.hung.length;
      const again = await watch().run({ once: true });
      expect(again.deadLetters).to.equal(dead.length);
      expect(readCheckpoint(config.checkpoint)!.deadLetters!.map((d) => d.key)).to.deep.equal(dead.map((d) => d.key));
      expect(http.refused.length + http.hung.length, "dead letters are not retried unasked").to.equal(requests);
    } finally {
      await http.close();
    }
  });
});
