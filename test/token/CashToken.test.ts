import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { tokensFixture, REASON } from "./fixtures";
import { currencyBytes, TOKEN_ROLES } from "../../lib/tokens";

describe("CashToken", function () {
  describe("metadata", function () {
    it("holds its currency and configured decimals", async function () {
      const { cash } = await loadFixture(tokensFixture);
      expect(await cash.currency()).to.equal(currencyBytes("RUB"));
      expect(await cash.decimals()).to.equal(2);
    });

    it("reports its implementation version", async function () {
      const { cash } = await loadFixture(tokensFixture);
      expect(await cash.version()).to.equal("1.0.0");
    });

    it("cannot be initialised twice", async function () {
      const { cash, actors } = await loadFixture(tokensFixture);
      await expect(
        cash.initialize(actors.csd.address, actors.csd.address, "x", "X", 2, currencyBytes("USD")),
      ).to.be.revertedWithCustomError(cash, "InvalidInitialization");
    });
  });

  describe("compliance", function () {
    it("refuses a payment to a non-participant", async function () {
      const { cash, actors } = await loadFixture(tokensFixture);
      await expect(cash.connect(actors.bankB).transfer(actors.stranger.address, 1n))
        .to.be.revertedWithCustomError(cash, "TokenNotActiveParticipant")
        .withArgs(actors.stranger.address);
    });

    it("refuses to pay out cash locked as margin", async function () {
      const { cash, actors, locker } = await loadFixture(tokensFixture);
      await cash.connect(locker).encumber(actors.bankB.address, 77n, 999_999_999n);
      await expect(cash.connect(actors.bankB).transfer(actors.bankA.address, 2n))
        .to.be.revertedWithCustomError(cash, "ERC7943InsufficientUnfrozenBalance")
        .withArgs(actors.bankB.address, 2n, 1n);
    });
  });

  describe("moveEncumbered", function () {
    it("delivers a cash leg locked for a deal free to the counterparty", async function () {
      const { cash, actors, locker } = await loadFixture(tokensFixture);
      await cash.connect(locker).encumber(actors.bankB.address, 1n, 500n);
      await cash.connect(locker).moveEncumbered(actors.bankB.address, actors.bankA.address, 1n, 500n, false);
      expect(await cash.freeBalance(actors.bankA.address)).to.equal(500n);
      expect(await cash.totalEncumbered(actors.bankB.address)).to.equal(0n);
    });

    it("refuses while paused", async function () {
      const { cash, actors, locker } = await loadFixture(tokensFixture);
      await cash.connect(locker).encumber(actors.bankB.address, 1n, 500n);
      await cash.pause(REASON);
      await expect(cash.connect(locker).moveEncumbered(actors.bankB.address, actors.bankA.address, 1n, 500n, false))
        .to.be.revertedWithCustomError(cash, "TokenIsPaused")
        .withArgs(await cash.getAddress());
    });
  });

  describe("agent operations", function () {
    it("refuses a stranger minting", async function () {
      const { cash, actors } = await loadFixture(tokensFixture);
      await expect(cash.connect(actors.stranger).mint(actors.bankA.address, 1n, REASON))
        .to.be.revertedWithCustomError(cash, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, TOKEN_ROLES.AGENT_ROLE);
    });

    it("refuses a role grant by a stranger", async function () {
      const { cash, actors } = await loadFixture(tokensFixture);
      await expect(cash.connect(actors.stranger).grantRole(TOKEN_ROLES.AGENT_ROLE, actors.stranger.address))
        .to.be.revertedWithCustomError(cash, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, ethers.ZeroHash);
    });
  });
});
