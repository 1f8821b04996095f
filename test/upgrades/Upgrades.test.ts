import { expect } from "chai";
import hre, { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { suiteFixture } from "../helpers/suite";
import { reasonBytes } from "../../lib/registry";
import { upgradeSingleton } from "../../lib/deploy/upgrade";

describe("Upgrades", function () {
  it("upgrades the registry to a new version and keeps every participant and signer", async function () {
    const s = await loadFixture(suiteFixture);
    await s.registry.suspend(s.ids.broker, reasonBytes("review"));
    const proxy = await s.registry.getAddress();
    const before = {
      count: await s.registry.participantCount(),
      bank: await s.registry.participant(s.ids.bankA),
      broker: await s.registry.participant(s.ids.broker),
      signers: await s.registry.signersOf(s.ids.bankA),
      signerOf: await s.registry.signerOf(s.actors.bankA2.address),
    };
    const result = await upgradeSingleton(hre, {
      name: "ParticipantRegistry",
      proxy,
      implementation: "ParticipantRegistryV2",
      signer: s.actors.csd,
    });
    expect(result.status).to.equal("upgraded");
    expect(result.newImplementation).to.not.equal(result.previousImplementation);
    const v2 = await ethers.getContractAt("ParticipantRegistryV2", proxy);
    expect(await v2.version()).to.equal("2.0.0");
    expect({
      count: await v2.participantCount(),
      bank: await v2.participant(s.ids.bankA),
      broker: await v2.participant(s.ids.broker),
      signers: await v2.signersOf(s.ids.bankA),
      signerOf: await v2.signerOf(s.actors.bankA2.address),
    }).to.deep.equal(before);
  });

  it("refuses an implementation that breaks the storage layout", async function () {
    const s = await loadFixture(suiteFixture);
    const broken = await ethers.getContractFactory("RegistryLayoutBreak");
    await expect(upgrades.upgradeProxy(await s.registry.getAddress(), broken, { kind: "uups" })).to.be.rejectedWith(
      /New storage layout is incompatible|Deleted|Inserted|layout/i,
    );
  });

  it("refuses an upgrade by anyone but the consortium admin", async function () {
    const s = await loadFixture(suiteFixture);
    const impl = await ethers.deployContract("ParticipantRegistryV2");
    await expect(s.registry.connect(s.actors.stranger).upgradeToAndCall(await impl.getAddress(), "0x"))
      .to.be.revertedWithCustomError(s.registry, "AccessControlUnauthorizedAccount")
      .withArgs(s.actors.stranger.address, ethers.ZeroHash);
  });

  it("a TimelockController as consortium admin upgrades after its delay; the old key cannot", async function () {
    const s = await loadFixture(suiteFixture);
    const { csd } = s.actors;
    const delay = 2 * 24 * 3600;
    const timelock = await ethers.deployContract("TimelockController", [delay, [csd.address], [csd.address], ethers.ZeroAddress]);
    const proxy = await s.registry.getAddress();
    await s.registry.grantRole(ethers.ZeroHash, await timelock.getAddress());
    await s.registry.renounceRole(ethers.ZeroHash, csd.address);

    const prepared = await upgradeSingleton(hre, {
      name: "ParticipantRegistry",
      proxy,
      implementation: "ParticipantRegistryV2",
      signer: csd,
    });
    expect(prepared.status).to.equal("prepared");
    const impl = await ethers.getContractAt("ParticipantRegistryV2", prepared.newImplementation);
    await expect(s.registry.upgradeToAndCall(await impl.getAddress(), "0x")).to.be.revertedWithCustomError(
      s.registry,
      "AccessControlUnauthorizedAccount",
    );

    const salt = ethers.id("registry v2");
    await timelock.schedule(proxy, 0, prepared.calldata!, ethers.ZeroHash, salt, delay);
    await expect(timelock.execute(proxy, 0, prepared.calldata!, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(
      timelock,
      "TimelockUnexpectedOperationState",
    );
    await time.increase(delay);
    await timelock.execute(proxy, 0, prepared.calldata!, ethers.ZeroHash, salt);
    expect(await (await ethers.getContractAt("ParticipantRegistryV2", proxy)).version()).to.equal("2.0.0");
    expect(await s.registry.participantCount()).to.equal(BigInt(s.ids.investors[4]));
  });
});
