import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { suiteFixture } from "../helpers/suite";
import { reasonBytes } from "../../lib/registry";
import { BESU_ACCOUNT_ABI, checkAccount } from "../../lib/network/besu";

/** Calls `transactionAllowed` exactly as Besu does: eth_call from address 0, Besu's ABI, raw answer. */
async function besuAsks(ingress: string, sender: string, target = ethers.ZeroAddress, payload = "0x"): Promise<string> {
  const data = BESU_ACCOUNT_ABI.encodeFunctionData("transactionAllowed", [sender, target, 0, 0, 30_000_000, payload]);
  return ethers.provider.call({ to: ingress, data, from: ethers.ZeroAddress, gasLimit: 30_000_000 });
}
const TRUE = ethers.AbiCoder.defaultAbiCoder().encode(["bool"], [true]);
const FALSE = ethers.AbiCoder.defaultAbiCoder().encode(["bool"], [false]);

describe("AccountRules behind AccountIngress", function () {
  describe("transactionAllowed (Besu's exact ABI)", function () {
    it("allows an active participant's signer", async function () {
      const { accountIngress, actors } = await loadFixture(suiteFixture);
      expect(await besuAsks(await accountIngress.getAddress(), actors.bankA2.address)).to.equal(TRUE);
    });

    it("refuses an unknown address", async function () {
      const { accountIngress, actors } = await loadFixture(suiteFixture);
      expect(await besuAsks(await accountIngress.getAddress(), actors.stranger.address)).to.equal(FALSE);
    });

    it("refuses a suspended participant's signers from the next call", async function () {
      const { accountIngress, registry, ids, actors } = await loadFixture(suiteFixture);
      await registry.suspend(ids.bankA, reasonBytes("x"));
      expect(await besuAsks(await accountIngress.getAddress(), actors.bankA.address)).to.equal(FALSE);
      expect(await besuAsks(await accountIngress.getAddress(), actors.bankA2.address)).to.equal(FALSE);
    });

    it("refuses a closed participant's signers", async function () {
      const { accountIngress, registry, ids, actors } = await loadFixture(suiteFixture);
      await registry.close(ids.broker, reasonBytes("x"));
      expect(await besuAsks(await accountIngress.getAddress(), actors.broker.address)).to.equal(FALSE);
    });

    it("refuses a revoked signer", async function () {
      const { accountIngress, registry, ids, actors } = await loadFixture(suiteFixture);
      await registry.removeSigner(ids.bankA, actors.bankA2.address);
      expect(await besuAsks(await accountIngress.getAddress(), actors.bankA2.address)).to.equal(FALSE);
    });

    it("always allows registry admins, registrars and supervisors, even if not participants", async function () {
      const { accountIngress, registry, actors } = await loadFixture(suiteFixture);
      const ops = [ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address];
      await registry.grantRole(ethers.ZeroHash, ops[0]);
      await registry.grantRole(ethers.id("REGISTRAR_ROLE"), ops[1]);
      await registry.grantRole(ethers.id("SUPERVISOR_ROLE"), ops[2]);
      for (const op of ops) expect(await besuAsks(await accountIngress.getAddress(), op)).to.equal(TRUE);
      expect(await besuAsks(await accountIngress.getAddress(), actors.csd.address)).to.equal(TRUE);
    });

    it("keeps the admin allowed when the admin's own organisation is suspended (no lock-out)", async function () {
      const { accountIngress, registry, ids, actors } = await loadFixture(suiteFixture);
      await registry.suspend(ids.csd, reasonBytes("x"));
      expect(await besuAsks(await accountIngress.getAddress(), actors.csd.address)).to.equal(TRUE);
      expect(await besuAsks(await accountIngress.getAddress(), actors.csdAgent.address)).to.equal(FALSE);
    });

    it("answers contract creations (target 0) by the sender's standing", async function () {
      const { accountIngress, actors } = await loadFixture(suiteFixture);
      expect(await besuAsks(await accountIngress.getAddress(), actors.bankB.address, ethers.ZeroAddress, "0x6080")).to.equal(TRUE);
      expect(await besuAsks(await accountIngress.getAddress(), actors.stranger.address, ethers.ZeroAddress, "0x6080")).to.equal(FALSE);
    });

    it("does not revert on a huge payload", async function () {
      const { accountIngress, actors } = await loadFixture(suiteFixture);
      const payload = "0x" + "ab".repeat(128 * 1024);
      expect(await besuAsks(await accountIngress.getAddress(), actors.bankA.address, actors.bankB.address, payload)).to.equal(TRUE);
    });

    it("the network:check-account helper reads the same answers", async function () {
      const { accountIngress, actors } = await loadFixture(suiteFixture);
      const ingress = await accountIngress.getAddress();
      expect((await checkAccount(ethers.provider, ingress, actors.bankA.address)).allowed).to.equal(true);
      expect((await checkAccount(ethers.provider, ingress, actors.stranger.address)).allowed).to.equal(false);
    });
  });

  describe("ingress bootstrap and failure handling", function () {
    async function bareIngress() {
      const [admin, other] = await ethers.getSigners();
      const ingress = await ethers.deployContract("AccountIngress", [admin.address]);
      return { ingress, admin, other };
    }

    it("allows every transaction until rules are registered", async function () {
      const { ingress, other } = await loadFixture(bareIngress);
      expect(await besuAsks(await ingress.getAddress(), other.address)).to.equal(TRUE);
    });

    for (const [mode, label] of [
      [0, "reverts"],
      [1, "answers two words"],
      [2, "answers a non-boolean word"],
      [3, "burns all its gas"],
    ] as const) {
      it(`answers false when the rules contract ${label}`, async function () {
        const { ingress, other } = await loadFixture(bareIngress);
        const rules = await ethers.deployContract("MisbehavingRules", [mode]);
        await ingress.setRules(await rules.getAddress());
        expect(await besuAsks(await ingress.getAddress(), other.address)).to.equal(FALSE);
      });
    }

    it("refuses setRules from anyone but the ingress admin", async function () {
      const { ingress, other } = await loadFixture(bareIngress);
      await expect(ingress.connect(other).setRules(await ingress.getAddress()))
        .to.be.revertedWithCustomError(ingress, "IngressUnauthorized")
        .withArgs(other.address);
    });

    it("refuses rules without code", async function () {
      const { ingress, other } = await loadFixture(bareIngress);
      await expect(ingress.setRules(other.address))
        .to.be.revertedWithCustomError(ingress, "IngressRulesNotAContract")
        .withArgs(other.address);
    });

    it("refuses setting the same rules twice", async function () {
      const { ingress } = await loadFixture(bareIngress);
      const rules = await ethers.deployContract("MisbehavingRules", [0]);
      await ingress.setRules(await rules.getAddress());
      await expect(ingress.setRules(await rules.getAddress())).to.be.revertedWithCustomError(ingress, "IngressUnchanged");
    });

    it("emits RulesChanged", async function () {
      const { ingress } = await loadFixture(bareIngress);
      const rules = await ethers.deployContract("MisbehavingRules", [0]);
      await expect(ingress.setRules(await rules.getAddress()))
        .to.emit(ingress, "RulesChanged")
        .withArgs(ethers.ZeroAddress, await rules.getAddress());
    });

    it("hands administration to a new admin (e.g. a timelock) and refuses the old one", async function () {
      const { ingress, admin, other } = await loadFixture(bareIngress);
      await expect(ingress.transferAdmin(other.address)).to.emit(ingress, "IngressAdminChanged").withArgs(admin.address, other.address);
      expect(await ingress.admin()).to.equal(other.address);
      await expect(ingress.transferAdmin(admin.address))
        .to.be.revertedWithCustomError(ingress, "IngressUnauthorized")
        .withArgs(admin.address);
    });

    it("refuses a zero or unchanged admin", async function () {
      const { ingress, admin } = await loadFixture(bareIngress);
      await expect(ingress.transferAdmin(ethers.ZeroAddress)).to.be.revertedWithCustomError(ingress, "IngressZeroAdmin");
      await expect(ingress.transferAdmin(admin.address)).to.be.revertedWithCustomError(ingress, "IngressUnchanged");
    });

    it("refuses a zero admin at construction", async function () {
      const f = await ethers.getContractFactory("AccountIngress");
      await expect(f.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(f, "IngressZeroAdmin");
    });
  });

  describe("setRegistry", function () {
    it("switches the registry the rules read", async function () {
      const { accountRules, registry } = await loadFixture(suiteFixture);
      const other = await ethers.deployContract("DateLibHarness");
      await expect(accountRules.setRegistry(await other.getAddress()))
        .to.emit(accountRules, "RegistryChanged")
        .withArgs(await registry.getAddress(), await other.getAddress());
      expect(await accountRules.registry()).to.equal(await other.getAddress());
    });

    it("answers false (never reverts) when the registry cannot answer", async function () {
      const { accountRules, accountIngress, actors } = await loadFixture(suiteFixture);
      await accountRules.setRegistry(await (await ethers.deployContract("DateLibHarness")).getAddress());
      expect(await besuAsks(await accountIngress.getAddress(), actors.bankA.address)).to.equal(FALSE);
    });

    it("answers false when the registry answers a malformed word list", async function () {
      const { accountRules, accountIngress, actors } = await loadFixture(suiteFixture);
      await accountRules.setRegistry(await (await ethers.deployContract("MisbehavingRules", [1])).getAddress());
      expect(await besuAsks(await accountIngress.getAddress(), actors.bankA.address)).to.equal(FALSE);
    });

    it("cannot be initialised twice", async function () {
      const { accountRules, registry, actors } = await loadFixture(suiteFixture);
      await expect(accountRules.initialize(actors.stranger.address, await registry.getAddress())).to.be.revertedWithCustomError(
        accountRules,
        "InvalidInitialization",
      );
    });

    it("refuses a registry without code", async function () {
      const { accountRules, actors } = await loadFixture(suiteFixture);
      await expect(accountRules.setRegistry(actors.stranger.address))
        .to.be.revertedWithCustomError(accountRules, "RulesRegistryNotAContract")
        .withArgs(actors.stranger.address);
    });

    it("refuses a stranger", async function () {
      const { accountRules, actors } = await loadFixture(suiteFixture);
      await expect(accountRules.connect(actors.stranger).setRegistry(actors.stranger.address))
        .to.be.revertedWithCustomError(accountRules, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, ethers.ZeroHash);
    });
  });
});
