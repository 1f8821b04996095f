import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployTrex, TREX_ALLOWED_COUNTRY } from "../helpers/trex";

/** Two verified holders (country allowed), 1,000 units minted to the first; a third signer has no identity. */
async function trexFixture() {
  const [agent, claimSigner, alice, bob, carol, dave] = await ethers.getSigners();
  const trex = await deployTrex(agent, claimSigner);
  await trex.onboard(alice);
  await trex.onboard(bob);
  await (await trex.token.mint(alice.address, 1000n)).wait();
  return { trex, alice, bob, carol, dave };
}

/** The T-REX 4.1.6 deployment the bench compares with is a working, enforcing T-REX suite. */
describe("T-REX baseline (bench)", function () {
  it("verifies the onboarded holders and not an account without an identity", async function () {
    const { trex, alice, bob, carol } = await loadFixture(trexFixture);
    expect(await trex.identityRegistry.isVerified(alice.address)).to.equal(true);
    expect(await trex.identityRegistry.isVerified(bob.address)).to.equal(true);
    expect(await trex.identityRegistry.isVerified(carol.address)).to.equal(false);
    expect(await trex.identityRegistry.investorCountry(alice.address)).to.equal(TREX_ALLOWED_COUNTRY);
  });

  it("moves units between verified holders", async function () {
    const { trex, alice, bob } = await loadFixture(trexFixture);
    await expect(trex.token.connect(alice).transfer(bob.address, 10n))
      .to.emit(trex.token, "Transfer")
      .withArgs(alice.address, bob.address, 10n);
    expect(await trex.token.balanceOf(bob.address)).to.equal(10n);
  });

  it("refuses a transfer to a holder without a verified identity", async function () {
    const { trex, alice, carol } = await loadFixture(trexFixture);
    await expect(trex.token.connect(alice).transfer(carol.address, 10n)).to.be.revertedWith("Transfer not possible");
    expect(await trex.token.balanceOf(carol.address)).to.equal(0n);
  });

  it("refuses a transfer to a verified holder of a country the module does not allow", async function () {
    const { trex, alice, dave } = await loadFixture(trexFixture);
    await trex.onboard(dave, 840);
    expect(await trex.identityRegistry.isVerified(dave.address)).to.equal(true);
    await expect(trex.token.connect(alice).transfer(dave.address, 10n)).to.be.revertedWith("Transfer not possible");
  });

  it("lets the agent force-transfer and freeze part of a balance", async function () {
    const { trex, alice, bob } = await loadFixture(trexFixture);
    await trex.token.forcedTransfer(alice.address, bob.address, 20n);
    await trex.token.freezePartialTokens(alice.address, 900n);
    expect(await trex.token.getFrozenTokens(alice.address)).to.equal(900n);
    await expect(trex.token.connect(alice).transfer(bob.address, 81n)).to.be.revertedWith("Insufficient Balance");
  });
});
