import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { upgradeSingleton } from "../../lib/deploy/upgrade";
import { activePledgeFixture, pledgeFixture } from "./fixtures";

/** `suite:upgrade` against the pledge book's storage layout version (its struct is declared in a library). */
describe("PledgeBook upgrades and the storage layout version", function () {
  it("states layout version 2; the other singletons state 1", async function () {
    const f = await loadFixture(pledgeFixture);
    expect(await f.book.storageLayoutVersion()).to.equal(2n);
    const registry = await ethers.getContractAt("ParticipantRegistry", f.contracts.ParticipantRegistry);
    expect(await registry.storageLayoutVersion()).to.equal(1n);
  });

  it("refuses another layout version behind a book holding pledges, naming both versions, and keeps the implementation", async function () {
    const f = await loadFixture(activePledgeFixture);
    const proxy = await f.book.getAddress();
    const before = await hre.upgrades.erc1967.getImplementationAddress(proxy);
    await expect(
      upgradeSingleton(hre, { name: "PledgeBook", proxy, implementation: "PledgeBookNextLayout", signer: f.actors.csd }),
    ).to.be.rejectedWith(/keeps storage layout version 2 and holds 1 record\(s\); PledgeBookNextLayout reads version 3/);
    expect(await hre.upgrades.erc1967.getImplementationAddress(proxy)).to.equal(before);
    expect(await f.book.storageLayoutVersion()).to.equal(2n);
  });

  it("puts another layout version behind an empty book", async function () {
    const f = await loadFixture(pledgeFixture);
    const proxy = await f.book.getAddress();
    const result = await upgradeSingleton(hre, {
      name: "PledgeBook",
      proxy,
      implementation: "PledgeBookNextLayout",
      signer: f.actors.csd,
    });
    expect(result.status).to.equal("upgraded");
    expect(await f.book.storageLayoutVersion()).to.equal(3n);
  });

  it("upgrades a book holding pledges to an implementation of the same layout, which reads them unchanged", async function () {
    const f = await loadFixture(activePledgeFixture);
    const proxy = await f.book.getAddress();
    const before = await f.book.pledgeWords(f.id);
    const result = await upgradeSingleton(hre, { name: "PledgeBook", proxy, implementation: "PledgeBook", signer: f.actors.csd });
    expect(result.status).to.equal("upgraded");
    expect(result.newImplementation).to.not.equal(result.previousImplementation);
    expect(await f.book.pledgeWords(f.id)).to.deep.equal(before);
  });
});
