import { expect } from "chai";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { suiteFixture, type Suite } from "../helpers/suite";
import { BesuPermDouble, jwtKeyPair, signJwt } from "../helpers/besu-perm-double";
import { freePort } from "../helpers/node";
import { runJson } from "../helpers/tasks";
import {
  AllowlistSync,
  checkAllowlists,
  loadNodesConfig,
  parseNodesConfig,
  permissionsFile,
  readSyncCheckpoint,
  type ChainSource,
  type NodesConfig,
} from "../../lib/network/allowlists";
import { PermClient, PermRpcError, NodeUnreachableError } from "../../lib/network/perm-rpc";

const ENODE_A = "a1".repeat(64);
const ENODE_B = "b2".repeat(64);
const VALIDATOR = `enode://${"c3".repeat(64)}@172.16.240.11:30303`;
const reason = ethers.encodeBytes32String("audit");
const lower = (xs: string[]) => xs.map((x) => x.toLowerCase()).sort();

describe("Local allowlists follow the registry", function () {
  let doubles: BesuPermDouble[] = [];
  let dir: string;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "csd-allowlists-"));
  });

  afterEach(async function () {
    for (const d of doubles) await d.stop();
    doubles = [];
  });

  async function double(opts: ConstructorParameters<typeof BesuPermDouble>[0] = {}) {
    const d = await new BesuPermDouble(opts).start();
    doubles.push(d);
    return d;
  }

  function source(s: Suite): ChainSource {
    return { provider: ethers.provider, registry: s.contracts.ParticipantRegistry, nodeRules: s.contracts.NodeRules, fromBlock: 0 };
  }

  function config(nodes: BesuPermDouble[], extra: Partial<NodesConfig> = {}): NodesConfig {
    return {
      nodes: nodes.map((d, i) => ({ name: `node${i + 1}`, url: d.url })),
      protected: { accounts: [], nodes: [VALIDATOR] },
      rpc: { timeoutMs: 1_000, retries: 1, retryDelayMs: 50 },
      ...extra,
    };
  }

  function sync(s: Suite, nodes: BesuPermDouble[], extra: Partial<NodesConfig> = {}, log?: (l: string) => void) {
    return new AllowlistSync({ source: source(s), config: config(nodes, extra), checkpoint: path.join(dir, "cp.json"), log });
  }

  /** Every signer of the cast: all participants start Active. */
  function castAddresses(s: Suite): string[] {
    const a = s.actors;
    return lower([
      a.csd.address,
      a.csdAgent.address,
      a.bankA.address,
      a.bankA2.address,
      a.bankB.address,
      a.broker.address,
      a.platformA.address,
      a.platformB.address,
      a.oracle1.address,
      a.oracle2.address,
      a.regulator.address,
      ...a.investors.map((i) => i.address),
    ]);
  }

  describe("the node double answers as Besu does", function () {
    it('answers "Success" to an addition and lists the account in lower case', async function () {
      const d = await double();
      const client = new PermClient({ name: "n", url: d.url });
      await client.addAccounts(["0x00000000000000000000000000000000000000AA"]);
      expect(await client.getAccounts()).to.deep.equal(["0x00000000000000000000000000000000000000aa"]);
    });

    it("refuses a whole addition when one account is already listed (-32000)", async function () {
      const d = await double({ accounts: ["0x00000000000000000000000000000000000000aa"] });
      const client = new PermClient({ name: "n", url: d.url });
      const err = await client
        .addAccounts(["0x00000000000000000000000000000000000000bb", "0x00000000000000000000000000000000000000aa"])
        .catch((e) => e);
      expect(err).to.be.instanceOf(PermRpcError).and.include({ code: -32000, rpcMessage: "Cannot add an existing account to allowlist" });
      expect(d.accounts).to.deep.equal(["0x00000000000000000000000000000000000000aa"]);
    });

    it("refuses an invalid account and the removal of an absent one (-32000)", async function () {
      const client = new PermClient({ name: "n", url: (await double()).url });
      expect(await client.addAccounts(["0x1234"]).catch((e) => e.rpcMessage)).to.equal("Request contains an invalid account");
      expect(await client.removeAccounts(["0x00000000000000000000000000000000000000aa"]).catch((e) => e.rpcMessage)).to.equal(
        "Cannot remove an absent account from allowlist",
      );
    });

    it("refuses to remove a bootnode", async function () {
      const client = new PermClient({ name: "n", url: (await double({ fixedNodes: [VALIDATOR] })).url });
      expect(await client.removeNodes([VALIDATOR]).catch((e) => e.rpcMessage)).to.equal(
        "Cannot remove a fixed node (bootnode or static node) from allowlist",
      );
    });

    it("refuses a request without a valid token with -40100 Unauthorized", async function () {
      const keys = jwtKeyPair();
      const d = await double({ jwtPublicKey: keys.publicKey });
      const err = await new PermClient({ name: "n", url: d.url }).getAccounts().catch((e) => e);
      expect(err).to.be.instanceOf(PermRpcError).and.include({ code: -40100, rpcMessage: "Unauthorized" });
      const expired = signJwt(keys.privateKey, { permissions: ["perm:*"], exp: Math.floor(Date.now() / 1000) - 10 });
      expect(await new PermClient({ name: "n", url: d.url, token: expired }).getAccounts().catch((e) => e.code)).to.equal(-40100);
      const good = signJwt(keys.privateKey, { permissions: ["perm:*"], exp: Math.floor(Date.now() / 1000) + 600 });
      expect(await new PermClient({ name: "n", url: d.url, token: good }).getAccounts()).to.deep.equal([]);
    });
  });

  describe("network:sync-allowlists logic", function () {
    it("on start, gives every node the active signers, the registry's administrators and the protected entries", async function () {
      const s = await loadFixture(suiteFixture);
      const [n1, n2] = [await double(), await double()];
      const summary = await sync(s, [n1, n2]).run({ once: true });
      for (const n of [n1, n2]) {
        expect(lower(n.accounts)).to.deep.equal(castAddresses(s));
        expect(n.nodes).to.deep.equal([VALIDATOR]);
      }
      expect(summary.unreachable).to.deep.equal([]);
      const added = summary.changes.filter((c) => c.node === "node1" && c.list === "accounts" && c.action === "add");
      expect(added[0].reasons).to.include(`signer of participant ${s.ids.bankA}`);
    });

    it("removes on start what the registry does not allow, but keeps protected accounts and nodes", async function () {
      const s = await loadFixture(suiteFixture);
      const outsider = "0x00000000000000000000000000000000000000aa";
      const keeper = "0x00000000000000000000000000000000000000bb";
      const stray = `enode://${"dd".repeat(64)}@10.0.0.9:30303`;
      const n1 = await double({ accounts: [outsider, keeper], nodes: [stray], fixedNodes: [VALIDATOR] });
      await sync(s, [n1], { protected: { accounts: [keeper], nodes: [VALIDATOR] } }).run({ once: true });
      expect(n1.accounts).to.not.include(outsider);
      expect(n1.accounts).to.include(keeper);
      expect(n1.nodes).to.deep.equal([VALIDATOR]);
    });

    it("reports the changes a node accepted before it refused one, and keeps that node pending", async function () {
      const s = await loadFixture(suiteFixture);
      const bootnode = `enode://${"ee".repeat(64)}@10.0.0.7:30303`; // a bootnode the registry does not know
      const n1 = await double({ fixedNodes: [bootnode] });
      const summary = await sync(s, [n1]).run({ once: true });
      expect(summary.changes.filter((c) => c.action === "add" && c.list === "accounts").flatMap((c) => c.entries)).to.deep.equal(
        castAddresses(s),
      );
      expect(summary.changeCount).to.equal(summary.changes.length);
      expect(summary.unreachable[0].node).to.equal("node1");
      expect(summary.unreachable[0].error).to.match(/Cannot remove a fixed node \(bootnode or static node\) from allowlist/);
    });

    it("changes nothing when the chain has not moved since the last round", async function () {
      const s = await loadFixture(suiteFixture);
      const n1 = await double();
      const agent = sync(s, [n1]);
      await agent.run({ once: true });
      const calls = n1.calls.length;
      const summary = await agent.run({ once: true });
      expect(n1.calls.length).to.equal(calls);
      expect(summary.rounds).to.equal(2);
    });

    it("removes a suspended participant's signers from every node and adds them back on reinstatement", async function () {
      const s = await loadFixture(suiteFixture);
      const [n1, n2] = [await double(), await double()];
      const agent = sync(s, [n1, n2]);
      await agent.run({ once: true });
      const bank = lower([s.actors.bankA.address, s.actors.bankA2.address]);

      await s.registry.connect(s.actors.csd).suspend(s.ids.bankA, reason);
      await agent.run({ once: true });
      for (const n of [n1, n2]) expect(n.accounts).to.not.include.members(bank);

      await s.registry.connect(s.actors.csd).reinstate(s.ids.bankA, reason);
      const summary = await agent.run({ once: true });
      for (const n of [n1, n2]) expect(n.accounts).to.include.members(bank);
      expect(summary.changes.filter((c) => c.action === "remove").flatMap((c) => c.entries)).to.include.members(bank);
    });

    it("removes a closed participant's signers and a revoked signer alone", async function () {
      const s = await loadFixture(suiteFixture);
      const n1 = await double();
      const agent = sync(s, [n1]);
      await agent.run({ once: true });
      await s.registry.connect(s.actors.csd).close(s.ids.broker, reason);
      await s.registry.connect(s.actors.csd).removeSigner(s.ids.bankA, s.actors.bankA2.address);
      await agent.run({ once: true });
      expect(n1.accounts).to.not.include(s.actors.broker.address.toLowerCase());
      expect(n1.accounts).to.not.include(s.actors.bankA2.address.toLowerCase());
      expect(n1.accounts).to.include(s.actors.bankA.address.toLowerCase());
    });

    it("adds a new participant's signers and a newly granted registrar", async function () {
      const s = await loadFixture(suiteFixture);
      const n1 = await double();
      const agent = sync(s, [n1]);
      await agent.run({ once: true });
      const fresh = ethers.Wallet.createRandom().address;
      await s.registry.connect(s.actors.csd).addParticipant(2, ethers.id("new bank"), "0x5255", [fresh]);
      await s.registry.connect(s.actors.csd).grantRole(ethers.id("REGISTRAR_ROLE"), s.actors.stranger.address);
      const summary = await agent.run({ once: true });
      expect(n1.accounts).to.include.members(lower([fresh, s.actors.stranger.address]));
      const reasons = summary.changes.flatMap((c) => c.entries.map((e, i) => [e, c.reasons[i]]));
      expect(reasons).to.deep.include([s.actors.stranger.address.toLowerCase(), "registry administrator"]);

      await s.registry.connect(s.actors.csd).revokeRole(ethers.id("REGISTRAR_ROLE"), s.actors.stranger.address);
      await agent.run({ once: true });
      expect(n1.accounts).to.not.include(s.actors.stranger.address.toLowerCase());
    });

    it("adds a member's node admitted by the node rules and removes it when the member is suspended or the node denied", async function () {
      const s = await loadFixture(suiteFixture);
      const n1 = await double();
      const agent = sync(s, [n1]);
      await s.nodeRules.connect(s.actors.csd).allowNode(ENODE_A, "10.0.0.1", 30303, s.ids.bankA);
      await s.nodeRules.connect(s.actors.csd).allowNode(ENODE_B, "10.0.0.2", 30303, s.ids.bankB);
      await agent.run({ once: true });
      const [a, b] = [`enode://${ENODE_A}@10.0.0.1:30303`, `enode://${ENODE_B}@10.0.0.2:30303`];
      expect(n1.nodes).to.include.members([a, b]);

      await s.registry.connect(s.actors.csd).suspend(s.ids.bankA, reason);
      await s.nodeRules.connect(s.actors.csd).denyNode(ENODE_B, "10.0.0.2", 30303);
      await agent.run({ once: true });
      expect(n1.nodes).to.deep.equal([VALIDATOR]);
    });

    it("reports an unreachable node without holding up the others and reconciles it when it returns", async function () {
      const s = await loadFixture(suiteFixture);
      const [n1, n2] = [await double(), await double()];
      const lines: string[] = [];
      const agent = sync(s, [n1, n2], {}, (l) => lines.push(l));
      await agent.run({ once: true });
      await n2.stop();
      await s.registry.connect(s.actors.csd).suspend(s.ids.bankB, reason);
      const down = await agent.run({ once: true });
      expect(n1.accounts).to.not.include(s.actors.bankB.address.toLowerCase());
      expect(down.unreachable.map((u) => u.node)).to.deep.equal(["node2"]);
      expect(lines.some((l) => /node2: not reconciled, retried next round/.test(l))).to.equal(true);
      expect(readSyncCheckpoint(path.join(dir, "cp.json"))!.pending).to.have.property("node2");

      await n2.start();
      const up = await agent.run({ once: true });
      expect(n2.accounts).to.not.include(s.actors.bankB.address.toLowerCase());
      expect(up.unreachable).to.deep.equal([]);
    });

    it("gives up on a node that never answers after the timeout and the bounded retries", async function () {
      const s = await loadFixture(suiteFixture);
      const port = await freePort();
      const silent = http.createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(port, "127.0.0.1", () => r()));
      try {
        const n1 = await double();
        const cfg = config([n1]);
        cfg.nodes.push({ name: "silent", url: `http://127.0.0.1:${port}` });
        cfg.rpc = { timeoutMs: 200, retries: 1, retryDelayMs: 10 };
        const started = Date.now();
        const summary = await new AllowlistSync({ source: source(s), config: cfg }).run({ once: true });
        expect(Date.now() - started).to.be.below(5_000);
        expect(summary.unreachable[0].node).to.equal("silent");
        expect(summary.unreachable[0].error).to.match(/no answer within 200 ms/);
        expect(lower(n1.accounts)).to.deep.equal(castAddresses(s));
      } finally {
        silent.closeAllConnections();
        silent.close();
      }
    });

    it("resumes from its checkpoint: events before it are not read again, a node changed meanwhile is reconciled", async function () {
      const s = await loadFixture(suiteFixture);
      const n1 = await double();
      await sync(s, [n1]).run({ once: true });
      const saved = readSyncCheckpoint(path.join(dir, "cp.json"))!;
      expect(saved.nextBlock).to.equal((await ethers.provider.getBlockNumber()) + 1);

      await s.registry.connect(s.actors.csd).suspend(s.ids.platformA, reason);
      n1.accounts.push("0x00000000000000000000000000000000000000aa");
      const summary = await sync(s, [n1]).run({ once: true });
      expect(summary.fromBlock).to.equal(saved.nextBlock);
      expect(summary.events).to.equal(1);
      expect(lower(n1.accounts)).to.deep.equal(castAddresses(s).filter((a) => a !== s.actors.platformA.address.toLowerCase()));
    });

    it("sends each node its own JWT and reports a node whose token is refused", async function () {
      const s = await loadFixture(suiteFixture);
      const keys1 = jwtKeyPair();
      const keys2 = jwtKeyPair();
      const n1 = await double({ jwtPublicKey: keys1.publicKey });
      const n2 = await double({ jwtPublicKey: keys2.publicKey });
      const exp = Math.floor(Date.now() / 1000) + 600;
      const tokenFile = path.join(dir, "node1.jwt");
      fs.writeFileSync(tokenFile, signJwt(keys1.privateKey, { permissions: ["perm:*"], exp }) + "\n");
      const cfg = config([n1, n2]);
      cfg.nodes[0].tokenFile = tokenFile;
      cfg.nodes[1].token = signJwt(keys1.privateKey, { permissions: ["perm:*"], exp }); // signed by the wrong key
      const summary = await new AllowlistSync({ source: source(s), config: cfg }).run({ once: true });
      expect(lower(n1.accounts)).to.deep.equal(castAddresses(s));
      expect(n2.accounts).to.deep.equal([]);
      expect(summary.unreachable[0]).to.include({ node: "node2" });
      expect(summary.unreachable[0].error).to.match(/-40100 Unauthorized/);
    });

    it("refuses a checkpoint written for another registry", async function () {
      const s = await loadFixture(suiteFixture);
      const n1 = await double();
      await sync(s, [n1]).run({ once: true });
      const other = { ...source(s), registry: s.contracts.NodeRules };
      const agent = new AllowlistSync({ source: other, config: config([n1]), checkpoint: path.join(dir, "cp.json") });
      await expect(agent.run({ once: true })).to.be.rejectedWith(/belongs to chain/);
    });
  });

  describe("network:check-allowlists and network:permissions-file logic", function () {
    it("reports every difference and an unreachable node, and nothing once in sync", async function () {
      const s = await loadFixture(suiteFixture);
      const [n1, n2] = [await double(), await double()];
      await sync(s, [n1, n2]).run({ once: true });
      expect((await checkAllowlists(source(s), config([n1, n2]))).nodes.every((n) => n.inSync)).to.equal(true);

      n1.accounts.push("0x00000000000000000000000000000000000000aa");
      n1.accounts.splice(n1.accounts.indexOf(s.actors.bankB.address.toLowerCase()), 1);
      await n2.stop();
      const report = await checkAllowlists(source(s), config([n1, n2]));
      expect(report.nodes[0]).to.include({ inSync: false });
      expect(report.nodes[0].removeAccounts).to.deep.equal(["0x00000000000000000000000000000000000000aa"]);
      expect(report.nodes[0].addAccounts).to.deep.equal([s.actors.bankB.address.toLowerCase()]);
      expect(report.nodes[1].inSync).to.equal(false);
      expect(report.nodes[1].error).to.match(/ECONNREFUSED/);
    });

    it("writes Besu's TOML with exactly the allowed accounts and nodes", async function () {
      const s = await loadFixture(suiteFixture);
      await s.nodeRules.connect(s.actors.csd).allowNode(ENODE_A, "10.0.0.1", 30303, s.ids.bankA);
      await s.registry.connect(s.actors.csd).suspend(s.ids.bankB, reason);
      const { toml } = await permissionsFile(source(s), { accounts: [], nodes: [VALIDATOR] });
      const accounts = JSON.parse(/accounts-allowlist=(\[[^\]]*\])/.exec(toml)![1]) as string[];
      const nodes = JSON.parse(/nodes-allowlist=(\[[^\]]*\])/.exec(toml)![1]) as string[];
      expect(accounts).to.deep.equal(castAddresses(s).filter((a) => a !== s.actors.bankB.address.toLowerCase()));
      expect(nodes).to.deep.equal([`enode://${ENODE_A}@10.0.0.1:30303`, VALIDATOR].sort());
    });
  });

  describe("the tasks", function () {
    /**
     * The suite with the deployments folder its tasks read: a cached snapshot of the shared suite fixture may
     * have been taken while another test file's deployments folder was current.
     */
    async function taskSuiteFixture(): Promise<Suite & { deploymentsDir: string }> {
      const s = await suiteFixture();
      return { ...s, deploymentsDir: process.env.DEPLOYMENTS_DIR! };
    }
    async function taskSuite(): Promise<Suite> {
      const s = await loadFixture(taskSuiteFixture);
      process.env.DEPLOYMENTS_DIR = s.deploymentsDir;
      return s;
    }

    function nodesFile(nodes: BesuPermDouble[]): string {
      const file = path.join(dir, "nodes.json");
      const entries = Object.fromEntries(nodes.map((d, i) => [`node${i + 1}`, { url: d.url }]));
      fs.writeFileSync(file, JSON.stringify({ nodes: entries, protected: { nodes: [VALIDATOR] }, timeoutMs: 1000, retries: 0 }));
      return file;
    }

    it("network:sync-allowlists --once brings the nodes in step and network:check-allowlists then passes", async function () {
      const s = await taskSuite();
      const n1 = await double();
      const file = nodesFile([n1]);
      const quiet = console.error;
      console.error = () => undefined;
      try {
        const summary = await runJson("network:sync-allowlists", { nodes: file, once: true, interval: 5000 });
        expect(summary.changeCount).to.equal(2); // one call for the accounts, one for the nodes
        expect(fs.existsSync(path.join(dir, "nodes.hardhat.checkpoint.json"))).to.equal(true);
      } finally {
        console.error = quiet;
      }
      expect(lower(n1.accounts)).to.deep.equal(castAddresses(s));
      const report = await runJson("network:check-allowlists", { nodes: file });
      expect(report.nodes[0].inSync).to.equal(true);
    });

    it("network:check-allowlists fails naming the node that drifted", async function () {
      await taskSuite();
      const n1 = await double();
      await expect(runJson("network:check-allowlists", { nodes: nodesFile([n1]) })).to.be.rejectedWith(
        /allowlists differ from the registry on node1/,
      );
    });

    it("network:permissions-file writes the allowlists and the protected enodes", async function () {
      const s = await taskSuite();
      const out = path.join(dir, "permissions_config.toml");
      const r = await runJson("network:permissions-file", { out, nodes: nodesFile([await double()]) });
      const toml = fs.readFileSync(out, "utf8");
      expect(r.accounts.sort()).to.deep.equal(castAddresses(s));
      expect(toml).to.contain(`"${VALIDATOR}"`);
      expect(toml).to.contain(`"${s.actors.bankB.address.toLowerCase()}"`);
    });
  });

  describe("nodes.json", function () {
    it("reads names, URLs, token files relative to it and protected entries", function () {
      fs.writeFileSync(path.join(dir, "n1.jwt"), "t");
      const file = path.join(dir, "nodes.json");
      fs.writeFileSync(
        file,
        JSON.stringify({
          nodes: { node1: { url: "http://10.0.0.1:8545", tokenFile: "n1.jwt" } },
          protected: { nodes: [VALIDATOR] },
          retries: 3,
        }),
      );
      const cfg = loadNodesConfig(file);
      expect(cfg.nodes).to.deep.equal([
        { name: "node1", url: "http://10.0.0.1:8545", token: undefined, tokenFile: path.join(dir, "n1.jwt") },
      ]);
      expect(cfg.rpc.retries).to.equal(3);
    });

    it("names the faulty entry", function () {
      expect(() => parseNodesConfig({ nodes: { n: {} } })).to.throw(/node "n" needs an http\(s\) "url"/);
      expect(() => parseNodesConfig({ nodes: { n: { url: "http://x" } }, protected: { accounts: ["0x12"] } })).to.throw(
        /protected.accounts\[0\] "0x12" is not an address/,
      );
      expect(() => parseNodesConfig({ nodes: {} })).to.throw(/names no node/);
    });

    it("reports a refused connection as unreachable after the retries", async function () {
      const port = await freePort();
      const err = await new PermClient({ name: "gone", url: `http://127.0.0.1:${port}` }, { timeoutMs: 200, retries: 2, retryDelayMs: 10 })
        .getNodes()
        .catch((e) => e);
      expect(err).to.be.instanceOf(NodeUnreachableError);
      expect(err.message).to.match(/gone: perm_getNodesAllowlist failed after 3 attempt\(s\): ECONNREFUSED/);
    });
  });
});
