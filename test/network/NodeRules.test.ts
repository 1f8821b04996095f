import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { suiteFixture } from "../helpers/suite";
import { reasonBytes } from "../../lib/registry";
import { ACCOUNT_INGRESS_ADDRESS, BESU_NODE_ABI, NODE_INGRESS_ADDRESS, genesisAlloc } from "../../lib/network/besu";

const ENODE = "a".repeat(64) + "B".repeat(64);
const HOST = "172.16.240.12";
const PORT = 30303;
const NODE_ADMIN_ROLE = ethers.id("NODE_ADMIN_ROLE");
const TRUE = ethers.AbiCoder.defaultAbiCoder().encode(["bool"], [true]);
const FALSE = ethers.AbiCoder.defaultAbiCoder().encode(["bool"], [false]);

async function besuAsks(ingress: string, id: string, host: string, port: number): Promise<string> {
  return ethers.provider.call({
    to: ingress,
    data: BESU_NODE_ABI.encodeFunctionData("connectionAllowed", [id, host, port]),
    from: ethers.ZeroAddress,
    gasLimit: 30_000_000,
  });
}

async function nodeFixture() {
  const s = await suiteFixture();
  await s.nodeRules.allowNode(ENODE, HOST, PORT, s.ids.bankA);
  return { ...s, ingress: await s.nodeIngress.getAddress() };
}

describe("NodeRules behind NodeIngress", function () {
  describe("connectionAllowed (Besu's exact ABI, v2)", function () {
    it("allows a member organisation's registered node", async function () {
      const { ingress } = await loadFixture(nodeFixture);
      expect(await besuAsks(ingress, ENODE, HOST, PORT)).to.equal(TRUE);
    });

    it("compares the enode id and host case-insensitively", async function () {
      const { ingress } = await loadFixture(nodeFixture);
      expect(await besuAsks(ingress, ENODE.toLowerCase(), HOST, PORT)).to.equal(TRUE);
      expect(await besuAsks(ingress, ENODE.toUpperCase(), HOST, PORT)).to.equal(TRUE);
    });

    it("refuses the same node on another port or host", async function () {
      const { ingress } = await loadFixture(nodeFixture);
      expect(await besuAsks(ingress, ENODE, HOST, PORT + 1)).to.equal(FALSE);
      expect(await besuAsks(ingress, ENODE, "172.16.240.13", PORT)).to.equal(FALSE);
    });

    it("refuses an unknown node", async function () {
      const { ingress } = await loadFixture(nodeFixture);
      expect(await besuAsks(ingress, "c".repeat(128), HOST, PORT)).to.equal(FALSE);
    });

    it("refuses a node of a suspended organisation, and allows it again on reinstatement", async function () {
      const { ingress, registry, ids } = await loadFixture(nodeFixture);
      await registry.suspend(ids.bankA, reasonBytes("x"));
      expect(await besuAsks(ingress, ENODE, HOST, PORT)).to.equal(FALSE);
      await registry.reinstate(ids.bankA, reasonBytes("y"));
      expect(await besuAsks(ingress, ENODE, HOST, PORT)).to.equal(TRUE);
    });

    for (const [label, id, host, port] of [
      ["a short enode id", "ab".repeat(10), HOST, PORT],
      ["a long enode id", "a".repeat(130), HOST, PORT],
      ["a non-hex enode id", "z".repeat(128), HOST, PORT],
      ["a 0x-prefixed enode id", "0x" + "a".repeat(126), HOST, PORT],
      ["an empty host", ENODE, "", PORT],
      ["a huge host", ENODE, "h".repeat(100_000), PORT],
      ["port 0", ENODE, HOST, 0],
    ] as const) {
      it(`answers false, without reverting, to ${label}`, async function () {
        const { ingress } = await loadFixture(nodeFixture);
        expect(await besuAsks(ingress, id, host, port)).to.equal(FALSE);
      });
    }

    it("answers false before any rules are registered", async function () {
      const [admin] = await ethers.getSigners();
      const ingress = await ethers.deployContract("NodeIngress", [admin.address]);
      expect(await besuAsks(await ingress.getAddress(), ENODE, HOST, PORT)).to.equal(FALSE);
    });
  });

  describe("allowNode", function () {
    it("emits NodeAllowed with the normalised node", async function () {
      const { nodeRules, ids } = await loadFixture(suiteFixture);
      const key = await nodeRules.nodeKey(ENODE, "Node1.Bank-A.example", PORT);
      await expect(nodeRules.allowNode(ENODE, "Node1.Bank-A.example", PORT, ids.bankB))
        .to.emit(nodeRules, "NodeAllowed")
        .withArgs(key, ids.bankB, ENODE.toLowerCase(), "node1.bank-a.example", PORT);
      const list = await nodeRules.nodes();
      expect(list.map((n) => [n.participantId, n.host])).to.deep.equal([[BigInt(ids.bankB), "node1.bank-a.example"]]);
    });

    it("refuses an investor's node", async function () {
      const { nodeRules, ids } = await loadFixture(suiteFixture);
      await expect(nodeRules.allowNode(ENODE, HOST, PORT, ids.investors[0]))
        .to.be.revertedWithCustomError(nodeRules, "NodeRulesNotAMemberOrganisation")
        .withArgs(ids.investors[0]);
    });

    it("refuses a suspended or unknown organisation", async function () {
      const { nodeRules, registry, ids } = await loadFixture(suiteFixture);
      await registry.suspend(ids.bankB, reasonBytes("x"));
      await expect(nodeRules.allowNode(ENODE, HOST, PORT, ids.bankB)).to.be.revertedWithCustomError(
        nodeRules,
        "NodeRulesNotAMemberOrganisation",
      );
      await expect(nodeRules.allowNode(ENODE, HOST, PORT, 999)).to.be.revertedWithCustomError(nodeRules, "NodeRulesNotAMemberOrganisation");
    });

    it("refuses a malformed enode id", async function () {
      const { nodeRules, ids } = await loadFixture(suiteFixture);
      await expect(nodeRules.allowNode("xyz", HOST, PORT, ids.bankA))
        .to.be.revertedWithCustomError(nodeRules, "NodeRulesInvalidEnodeId")
        .withArgs("xyz");
      await expect(nodeRules.allowNode("g".repeat(128), HOST, PORT, ids.bankA)).to.be.revertedWithCustomError(
        nodeRules,
        "NodeRulesInvalidEnodeId",
      );
    });

    it("refuses an empty host and port 0", async function () {
      const { nodeRules, ids } = await loadFixture(suiteFixture);
      await expect(nodeRules.allowNode(ENODE, "", PORT, ids.bankA))
        .to.be.revertedWithCustomError(nodeRules, "NodeRulesInvalidHost")
        .withArgs("");
      await expect(nodeRules.allowNode(ENODE, HOST, 0, ids.bankA))
        .to.be.revertedWithCustomError(nodeRules, "NodeRulesInvalidPort")
        .withArgs(0);
    });

    it("refuses the same node twice", async function () {
      const { nodeRules, ids } = await loadFixture(nodeFixture);
      await expect(nodeRules.allowNode(ENODE.toLowerCase(), HOST, PORT, ids.bankA)).to.be.revertedWithCustomError(
        nodeRules,
        "NodeRulesNodeAlreadyAllowed",
      );
    });

    it("refuses a stranger", async function () {
      const { nodeRules, ids, actors } = await loadFixture(suiteFixture);
      await expect(nodeRules.connect(actors.stranger).allowNode(ENODE, HOST, PORT, ids.bankA))
        .to.be.revertedWithCustomError(nodeRules, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, NODE_ADMIN_ROLE);
    });
  });

  describe("denyNode", function () {
    it("removes the node and emits NodeDenied", async function () {
      const { nodeRules, ingress } = await loadFixture(nodeFixture);
      await expect(nodeRules.denyNode(ENODE, HOST, PORT)).to.emit(nodeRules, "NodeDenied");
      expect(await besuAsks(ingress, ENODE, HOST, PORT)).to.equal(FALSE);
      expect(await nodeRules.nodes()).to.deep.equal([]);
    });

    it("refuses an unknown node", async function () {
      const { nodeRules } = await loadFixture(nodeFixture);
      await expect(nodeRules.denyNode(ENODE, HOST, PORT + 1)).to.be.revertedWithCustomError(nodeRules, "NodeRulesUnknownNode");
    });

    it("refuses a stranger", async function () {
      const { nodeRules, actors } = await loadFixture(nodeFixture);
      await expect(nodeRules.connect(actors.stranger).denyNode(ENODE, HOST, PORT))
        .to.be.revertedWithCustomError(nodeRules, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, NODE_ADMIN_ROLE);
    });
  });

  describe("setRegistry", function () {
    it("answers false when the registry cannot answer", async function () {
      const { nodeRules, ingress } = await loadFixture(nodeFixture);
      await nodeRules.setRegistry(await (await ethers.deployContract("DateLibHarness")).getAddress());
      expect(await besuAsks(ingress, ENODE, HOST, PORT)).to.equal(FALSE);
    });

    it("answers false when the registry answers a malformed word list", async function () {
      const { nodeRules, ingress } = await loadFixture(nodeFixture);
      // One word where kindAndStatusOf answers two.
      await nodeRules.setRegistry(await (await ethers.deployContract("MisbehavingRules", [2])).getAddress());
      expect(await besuAsks(ingress, ENODE, HOST, PORT)).to.equal(FALSE);
    });

    it("cannot be initialised twice", async function () {
      const { nodeRules, registry, actors } = await loadFixture(suiteFixture);
      await expect(nodeRules.initialize(actors.stranger.address, await registry.getAddress())).to.be.revertedWithCustomError(
        nodeRules,
        "InvalidInitialization",
      );
    });

    it("refuses a stranger and a registry without code", async function () {
      const { nodeRules, actors } = await loadFixture(suiteFixture);
      await expect(nodeRules.connect(actors.stranger).setRegistry(actors.stranger.address)).to.be.revertedWithCustomError(
        nodeRules,
        "AccessControlUnauthorizedAccount",
      );
      await expect(nodeRules.setRegistry(actors.stranger.address)).to.be.revertedWithCustomError(nodeRules, "RulesRegistryNotAContract");
    });
  });
});

describe("genesis alloc of the ingresses", function () {
  it("pre-deploys both ingresses with their admin, and suite rules can be registered behind them", async function () {
    const s = await loadFixture(suiteFixture);
    const alloc = (await genesisAlloc(hre, s.actors.csd.address)) as Record<string, { code: string; storage: Record<string, string> }>;
    // Install the entries exactly as a genesis block would: code and storage, no constructor.
    for (const [addr, entry] of Object.entries(alloc)) {
      await ethers.provider.send("hardhat_setCode", ["0x" + addr, entry.code]);
      for (const [slot, value] of Object.entries(entry.storage)) {
        await ethers.provider.send("hardhat_setStorageAt", ["0x" + addr, slot, value]);
      }
    }
    const accountIngress = await ethers.getContractAt("AccountIngress", ACCOUNT_INGRESS_ADDRESS);
    const nodeIngress = await ethers.getContractAt("NodeIngress", NODE_INGRESS_ADDRESS);
    expect(await accountIngress.admin()).to.equal(s.actors.csd.address);
    expect(await nodeIngress.admin()).to.equal(s.actors.csd.address);
    // Bootstrap: accounts open, nodes closed until rules are registered.
    const data = BESU_NODE_ABI.encodeFunctionData("connectionAllowed", [ENODE, HOST, PORT]);
    expect(await ethers.provider.call({ to: NODE_INGRESS_ADDRESS, data, from: ethers.ZeroAddress })).to.equal(FALSE);
    await accountIngress.setRules(await s.accountRules.getAddress());
    await nodeIngress.setRules(await s.nodeRules.getAddress());
    await s.nodeRules.allowNode(ENODE, HOST, PORT, s.ids.csd);
    expect(await ethers.provider.call({ to: NODE_INGRESS_ADDRESS, data, from: ethers.ZeroAddress })).to.equal(TRUE);
    expect(await accountIngress.transactionAllowed(s.actors.stranger.address, ethers.ZeroAddress, 0, 0, 0, "0x")).to.equal(false);
  });

  it("refuses a zero admin", async function () {
    await expect(genesisAlloc(hre, ethers.ZeroAddress)).to.be.rejectedWith("not a non-zero address");
  });
});
