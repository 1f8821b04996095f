import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { suiteFixture } from "../helpers/suite";
import { reasonBytes } from "../../lib/registry";

const KIND = { None: 0, Depository: 1, Bank: 2, Broker: 3, Platform: 4, Investor: 5, Oracle: 6, Regulator: 7 };
const STATUS = { None: 0, Active: 1, Suspended: 2, Closed: 3 };
const RU = "0x5255";
const REGISTRAR_ROLE = ethers.id("REGISTRAR_ROLE");
const SUPERVISOR_ROLE = ethers.id("SUPERVISOR_ROLE");

/** Snapshot of everything the registry says about a participant and an address. */
async function snapshot(s: Awaited<ReturnType<typeof suiteFixture>>, id: number, addr: string) {
  return {
    count: await s.registry.participantCount(),
    record: id <= Number(await s.registry.participantCount()) && id > 0 ? await s.registry.participant(id) : null,
    signers: id <= Number(await s.registry.participantCount()) && id > 0 ? await s.registry.signersOf(id) : null,
    signerOf: await s.registry.signerOf(addr),
  };
}

describe("ParticipantRegistry", function () {
  describe("initialize", function () {
    it("gives the admin the registrar and supervisor roles", async function () {
      const { registry, actors } = await loadFixture(suiteFixture);
      expect(await registry.hasRole(ethers.ZeroHash, actors.csd.address)).to.equal(true);
      expect(await registry.hasRole(REGISTRAR_ROLE, actors.csd.address)).to.equal(true);
      expect(await registry.hasRole(SUPERVISOR_ROLE, actors.csd.address)).to.equal(true);
    });

    it("cannot be initialised twice", async function () {
      const { registry, actors } = await loadFixture(suiteFixture);
      await expect(registry.initialize(actors.stranger.address)).to.be.revertedWithCustomError(registry, "InvalidInitialization");
    });

    it("refuses a zero admin on a fresh proxy", async function () {
      const { upgrades } = await import("hardhat");
      const f = await ethers.getContractFactory("ParticipantRegistry");
      await expect(upgrades.deployProxy(f, [ethers.ZeroAddress], { kind: "uups" })).to.be.revertedWithCustomError(
        f,
        "ConsortiumZeroAddress",
      );
    });

    it("locks the implementation's own initializer", async function () {
      const { upgrades } = await import("hardhat");
      const { registry, actors } = await loadFixture(suiteFixture);
      const impl = await ethers.getContractAt(
        "ParticipantRegistry",
        await upgrades.erc1967.getImplementationAddress(await registry.getAddress()),
      );
      await expect(impl.initialize(actors.stranger.address)).to.be.revertedWithCustomError(impl, "InvalidInitialization");
    });
  });

  describe("addParticipant", function () {
    it("records kind, status, identity hash, jurisdiction and signers", async function () {
      const { registry } = await loadFixture(suiteFixture);
      const w = ethers.Wallet.createRandom().address;
      const hash = ethers.id("passport 4510 123456");
      await registry.addParticipant(KIND.Investor, hash, RU, [w]);
      const id = await registry.participantCount();
      const p = await registry.participant(id);
      expect([p.kind, p.status, p.jurisdiction, p.identityHash]).to.deep.equal([BigInt(KIND.Investor), BigInt(STATUS.Active), RU, hash]);
      expect(await registry.signersOf(id)).to.deep.equal([w]);
      expect(await registry.participantIdByIdentity(hash)).to.equal(id);
    });

    it("emits ParticipantAdded and SignerAdded", async function () {
      const { registry } = await loadFixture(suiteFixture);
      const w = ethers.Wallet.createRandom().address;
      const hash = ethers.id("new bank");
      const next = (await registry.participantCount()) + 1n;
      await expect(registry.addParticipant(KIND.Bank, hash, RU, [w]))
        .to.emit(registry, "ParticipantAdded")
        .withArgs(next, KIND.Bank, hash, RU)
        .and.to.emit(registry, "SignerAdded")
        .withArgs(next, w);
    });

    it("accepts a participant without signers", async function () {
      const { registry } = await loadFixture(suiteFixture);
      await registry.addParticipant(KIND.Bank, ethers.id("no signers"), RU, []);
      expect(await registry.signersOf(await registry.participantCount())).to.deep.equal([]);
    });

    it("refuses a stranger", async function () {
      const { registry, actors } = await loadFixture(suiteFixture);
      await expect(registry.connect(actors.stranger).addParticipant(KIND.Bank, ethers.id("x"), RU, []))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, REGISTRAR_ROLE);
    });

    it("refuses kind None", async function () {
      const { registry } = await loadFixture(suiteFixture);
      await expect(registry.addParticipant(KIND.None, ethers.id("x"), RU, []))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidKind")
        .withArgs(0);
    });

    it("refuses an empty identity hash", async function () {
      const { registry } = await loadFixture(suiteFixture);
      await expect(registry.addParticipant(KIND.Bank, ethers.ZeroHash, RU, [])).to.be.revertedWithCustomError(
        registry,
        "RegistryEmptyIdentityHash",
      );
    });

    it("refuses an identity hash already registered", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      const taken = (await registry.participant(ids.bankA)).identityHash;
      await expect(registry.addParticipant(KIND.Bank, taken, RU, []))
        .to.be.revertedWithCustomError(registry, "RegistryIdentityTaken")
        .withArgs(taken, ids.bankA);
    });

    for (const bad of ["0x7275", "0x0000", "0x5231"]) {
      it(`refuses jurisdiction ${bad}`, async function () {
        const { registry } = await loadFixture(suiteFixture);
        await expect(registry.addParticipant(KIND.Bank, ethers.id("x"), bad, []))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidJurisdiction")
          .withArgs(bad);
      });
    }

    it("refuses a zero signer", async function () {
      const { registry } = await loadFixture(suiteFixture);
      await expect(registry.addParticipant(KIND.Bank, ethers.id("x"), RU, [ethers.ZeroAddress])).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroSigner",
      );
    });

    it("refuses a signer that already acts for another participant, and changes nothing", async function () {
      const s = await loadFixture(suiteFixture);
      const before = await snapshot(s, s.ids.bankA, s.actors.bankA.address);
      await expect(s.registry.addParticipant(KIND.Bank, ethers.id("x"), RU, [s.actors.bankA.address]))
        .to.be.revertedWithCustomError(s.registry, "RegistrySignerTaken")
        .withArgs(s.actors.bankA.address, s.ids.bankA);
      expect(await snapshot(s, s.ids.bankA, s.actors.bankA.address)).to.deep.equal(before);
    });

    it("refuses more than MAX_SIGNERS signers", async function () {
      const { registry } = await loadFixture(suiteFixture);
      const max = Number(await registry.MAX_SIGNERS());
      const many = Array.from({ length: max + 1 }, () => ethers.Wallet.createRandom().address);
      await expect(registry.addParticipant(KIND.Bank, ethers.id("x"), RU, many))
        .to.be.revertedWithCustomError(registry, "RegistryTooManySigners")
        .withArgs(0, max);
    });
  });

  describe("updateIdentity", function () {
    it("replaces the identity hash and jurisdiction and frees the old hash", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      const old = (await registry.participant(ids.bankB)).identityHash;
      const fresh = ethers.id("renewed licence");
      await expect(registry.updateIdentity(ids.bankB, fresh, "0x4445"))
        .to.emit(registry, "ParticipantIdentityUpdated")
        .withArgs(ids.bankB, fresh, "0x4445");
      expect(await registry.participantIdByIdentity(old)).to.equal(0);
      expect(await registry.participantIdByIdentity(fresh)).to.equal(ids.bankB);
      expect((await registry.participant(ids.bankB)).jurisdiction).to.equal("0x4445");
    });

    it("keeps its own hash when only the jurisdiction changes", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      const own = (await registry.participant(ids.bankB)).identityHash;
      await registry.updateIdentity(ids.bankB, own, "0x4445");
      expect(await registry.participantIdByIdentity(own)).to.equal(ids.bankB);
    });

    it("refuses a stranger", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await expect(registry.connect(actors.stranger).updateIdentity(ids.bankB, ethers.id("x"), RU)).to.be.revertedWithCustomError(
        registry,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("refuses an unknown participant", async function () {
      const { registry } = await loadFixture(suiteFixture);
      await expect(registry.updateIdentity(999, ethers.id("x"), RU))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant")
        .withArgs(999);
    });

    it("refuses another participant's hash", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      const taken = (await registry.participant(ids.bankA)).identityHash;
      await expect(registry.updateIdentity(ids.bankB, taken, RU))
        .to.be.revertedWithCustomError(registry, "RegistryIdentityTaken")
        .withArgs(taken, ids.bankA);
    });

    it("refuses a closed participant", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      await registry.close(ids.bankB, reasonBytes("licence revoked"));
      await expect(registry.updateIdentity(ids.bankB, ethers.id("x"), RU))
        .to.be.revertedWithCustomError(registry, "RegistryParticipantClosed")
        .withArgs(ids.bankB);
    });
  });

  describe("addSigner / removeSigner", function () {
    it("authorises a new signer with the participant's kind and status", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      const w = ethers.Wallet.createRandom().address;
      await expect(registry.addSigner(ids.bankB, w)).to.emit(registry, "SignerAdded").withArgs(ids.bankB, w);
      expect(await registry.signerOf(w)).to.deep.equal([BigInt(ids.bankB), BigInt(KIND.Bank), BigInt(STATUS.Active)]);
    });

    it("a signer added while suspended is inactive until reinstatement", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      await registry.suspend(ids.bankB, reasonBytes("audit"));
      const w = ethers.Wallet.createRandom().address;
      await registry.addSigner(ids.bankB, w);
      expect(await registry.isActiveSigner(w)).to.equal(false);
      await registry.reinstate(ids.bankB, reasonBytes("audit done"));
      expect(await registry.isActiveSigner(w)).to.equal(true);
    });

    it("revokes a signer without touching the organisation", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await expect(registry.removeSigner(ids.bankA, actors.bankA2.address))
        .to.emit(registry, "SignerRemoved")
        .withArgs(ids.bankA, actors.bankA2.address);
      expect(await registry.isActiveSigner(actors.bankA2.address)).to.equal(false);
      expect(await registry.isActiveSigner(actors.bankA.address)).to.equal(true);
      expect((await registry.participant(ids.bankA)).status).to.equal(STATUS.Active);
      expect(await registry.signerOf(actors.bankA2.address)).to.deep.equal([0n, 0n, 0n]);
    });

    it("lets a revoked address be bound to another participant", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await registry.removeSigner(ids.bankA, actors.bankA2.address);
      await registry.addSigner(ids.bankB, actors.bankA2.address);
      expect((await registry.signerOf(actors.bankA2.address)).participantId).to.equal(ids.bankB);
    });

    it("refuses removing an address that is not the participant's signer", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await expect(registry.removeSigner(ids.bankB, actors.bankA.address))
        .to.be.revertedWithCustomError(registry, "RegistryNotASigner")
        .withArgs(actors.bankA.address, ids.bankB);
    });

    it("refuses adding to a closed participant", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      await registry.close(ids.bankB, reasonBytes("closed"));
      await expect(registry.addSigner(ids.bankB, ethers.Wallet.createRandom().address))
        .to.be.revertedWithCustomError(registry, "RegistryParticipantClosed")
        .withArgs(ids.bankB);
    });

    it("refuses adding to an unknown participant", async function () {
      const { registry } = await loadFixture(suiteFixture);
      await expect(registry.addSigner(999, ethers.Wallet.createRandom().address)).to.be.revertedWithCustomError(
        registry,
        "RegistryUnknownParticipant",
      );
    });

    it("refuses removing from an unknown participant", async function () {
      const { registry, actors } = await loadFixture(suiteFixture);
      await expect(registry.removeSigner(999, actors.bankA.address)).to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant");
    });

    it("refuses the signer beyond MAX_SIGNERS", async function () {
      const { registry } = await loadFixture(suiteFixture);
      const max = Number(await registry.MAX_SIGNERS());
      const many = Array.from({ length: max }, () => ethers.Wallet.createRandom().address);
      await registry.addParticipant(KIND.Bank, ethers.id("big bank"), RU, many);
      const id = await registry.participantCount();
      await expect(registry.addSigner(id, ethers.Wallet.createRandom().address))
        .to.be.revertedWithCustomError(registry, "RegistryTooManySigners")
        .withArgs(id, max);
    });

    it("refuses a stranger adding a signer", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await expect(registry.connect(actors.stranger).addSigner(ids.bankA, actors.stranger.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, REGISTRAR_ROLE);
    });

    it("refuses a participant's own signer removing signers", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await expect(registry.connect(actors.bankA).removeSigner(ids.bankA, actors.bankA2.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(actors.bankA.address, REGISTRAR_ROLE);
    });
  });

  describe("suspend / reinstate / close", function () {
    it("suspension deactivates every signer at once", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await expect(registry.suspend(ids.bankA, reasonBytes("margin default")))
        .to.emit(registry, "ParticipantStatusChanged")
        .withArgs(ids.bankA, STATUS.Active, STATUS.Suspended, reasonBytes("margin default"));
      expect(await registry.isActiveSigner(actors.bankA.address)).to.equal(false);
      expect(await registry.isActiveSigner(actors.bankA2.address)).to.equal(false);
      expect(await registry.activeKindOf(actors.bankA.address)).to.equal(KIND.None);
    });

    it("reinstatement reactivates the signers", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await registry.suspend(ids.bankA, reasonBytes("x"));
      await registry.reinstate(ids.bankA, reasonBytes("y"));
      expect(await registry.activeKindOf(actors.bankA2.address)).to.equal(KIND.Bank);
    });

    it("closes from Active and from Suspended", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      await registry.close(ids.bankA, reasonBytes("merger"));
      await registry.suspend(ids.bankB, reasonBytes("x"));
      await registry.close(ids.bankB, reasonBytes("licence revoked"));
      expect((await registry.participant(ids.bankA)).status).to.equal(STATUS.Closed);
      expect((await registry.participant(ids.bankB)).status).to.equal(STATUS.Closed);
    });

    it("refuses suspending a suspended participant", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      await registry.suspend(ids.bankA, reasonBytes("x"));
      await expect(registry.suspend(ids.bankA, reasonBytes("x")))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidTransition")
        .withArgs(ids.bankA, STATUS.Suspended, STATUS.Suspended);
    });

    it("refuses reinstating an active participant", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      await expect(registry.reinstate(ids.bankA, reasonBytes("x")))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidTransition")
        .withArgs(ids.bankA, STATUS.Active, STATUS.Active);
    });

    it("refuses reopening or re-closing a closed participant", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      await registry.close(ids.bankA, reasonBytes("x"));
      await expect(registry.reinstate(ids.bankA, reasonBytes("x")))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidTransition")
        .withArgs(ids.bankA, STATUS.Closed, STATUS.Active);
      await expect(registry.close(ids.bankA, reasonBytes("x")))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidTransition")
        .withArgs(ids.bankA, STATUS.Closed, STATUS.Closed);
    });

    it("refuses an unknown participant", async function () {
      const { registry } = await loadFixture(suiteFixture);
      await expect(registry.suspend(77, reasonBytes("x")))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant")
        .withArgs(77);
      await expect(registry.close(77, reasonBytes("x")))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant")
        .withArgs(77);
    });

    for (const fn of ["suspend", "reinstate", "close"] as const) {
      it(`refuses a stranger calling ${fn}`, async function () {
        const { registry, ids, actors } = await loadFixture(suiteFixture);
        await expect(registry.connect(actors.stranger)[fn](ids.bankA, reasonBytes("x")))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(actors.stranger.address, SUPERVISOR_ROLE);
      });
    }

    it("a registrar without the supervisor role cannot suspend", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      await registry.grantRole(REGISTRAR_ROLE, actors.csdAgent.address);
      await expect(registry.connect(actors.csdAgent).suspend(ids.bankA, reasonBytes("x")))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(actors.csdAgent.address, SUPERVISOR_ROLE);
    });
  });

  describe("views", function () {
    it("signerOf answers zeros for an unknown address", async function () {
      const { registry, actors } = await loadFixture(suiteFixture);
      expect(await registry.signerOf(actors.stranger.address)).to.deep.equal([0n, 0n, 0n]);
      expect(await registry.isActiveSigner(actors.stranger.address)).to.equal(false);
    });

    it("activeKindsOf answers both sides of a transfer, None for inactive or unknown addresses", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      expect(await registry.activeKindsOf(actors.bankA.address, actors.investors[0].address)).to.deep.equal([
        BigInt(KIND.Bank),
        BigInt(KIND.Investor),
      ]);
      await registry.suspend(ids.bankA, reasonBytes("x"));
      expect(await registry.activeKindsOf(actors.stranger.address, actors.bankA.address)).to.deep.equal([0n, 0n]);
      expect(await registry.activeKindsOf(actors.broker.address, actors.broker.address)).to.deep.equal([
        BigInt(KIND.Broker),
        BigInt(KIND.Broker),
      ]);
    });

    it("isAuthorisedSigner is true only for the participant's own active signers", async function () {
      const { registry, ids, actors } = await loadFixture(suiteFixture);
      expect(await registry.isAuthorisedSigner(ids.bankA, actors.bankA2.address)).to.equal(true);
      expect(await registry.isAuthorisedSigner(ids.bankB, actors.bankA2.address)).to.equal(false);
      expect(await registry.isAuthorisedSigner(0, actors.stranger.address)).to.equal(false);
      await registry.suspend(ids.bankA, reasonBytes("x"));
      expect(await registry.isAuthorisedSigner(ids.bankA, actors.bankA2.address)).to.equal(false);
    });

    it("kindAndStatusOf answers (None, None) for unknown ids without reverting", async function () {
      const { registry, ids } = await loadFixture(suiteFixture);
      expect(await registry.kindAndStatusOf(999)).to.deep.equal([0n, 0n]);
      expect(await registry.kindAndStatusOf(ids.broker)).to.deep.equal([BigInt(KIND.Broker), BigInt(STATUS.Active)]);
    });

    it("participant and signersOf refuse unknown ids", async function () {
      const { registry } = await loadFixture(suiteFixture);
      await expect(registry.participant(0)).to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant").withArgs(0);
      await expect(registry.signersOf(999)).to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant").withArgs(999);
    });

    it("reports its version", async function () {
      const { registry } = await loadFixture(suiteFixture);
      expect(await registry.version()).to.equal("1.0.0");
    });
  });
});
