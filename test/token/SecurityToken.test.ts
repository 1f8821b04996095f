import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { tokensFixture, TokensFixture, REASON, EQUITY_ISIN, FORCED_TRANSFER_DETAILED } from "./fixtures";
import { TOKEN_ROLES, buildInstrument, bytesToText } from "../../lib/tokens";
import { propertyRuns } from "../helpers/runs";

const R = REASON;

interface Op {
  k: string;
  a: number;
  b?: number;
  d: bigint;
  n: bigint;
  keep: boolean;
}

describe("SecurityToken", function () {
  describe("ERC-20 behaviour (onboarded holders)", function () {
    it("reports name, symbol, decimals and total supply", async function () {
      const { equity } = await loadFixture(tokensFixture);
      expect(await equity.name()).to.equal("Sberbank ordinary share");
      expect(await equity.symbol()).to.equal("SBER");
      expect(await equity.decimals()).to.equal(0);
      expect(await equity.totalSupply()).to.equal(3000n);
    });

    describe("transfer", function () {
      it("moves the amount and emits Transfer", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await expect(equity.connect(a).transfer(b.address, 250n)).to.emit(equity, "Transfer").withArgs(a.address, b.address, 250n);
        expect(await equity.balanceOf(a.address)).to.equal(750n);
        expect(await equity.balanceOf(b.address)).to.equal(1250n);
      });

      it("allows a zero-amount transfer", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await expect(equity.connect(a).transfer(b.address, 0n)).to.emit(equity, "Transfer").withArgs(a.address, b.address, 0n);
      });

      it("allows a transfer to oneself without changing the balance", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a] = actors.investors;
        await equity.connect(a).transfer(a.address, 400n);
        expect(await equity.balanceOf(a.address)).to.equal(1000n);
      });

      it("refuses more than the balance with ERC20InsufficientBalance", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await expect(equity.connect(a).transfer(b.address, 1001n))
          .to.be.revertedWithCustomError(equity, "ERC20InsufficientBalance")
          .withArgs(a.address, 1000n, 1001n);
      });

      it("refuses the zero address as receiver", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(equity.connect(actors.investors[0]).transfer(ethers.ZeroAddress, 1n))
          .to.be.revertedWithCustomError(equity, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
      });
    });

    describe("approve and allowance", function () {
      it("sets the allowance and emits Approval", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await expect(equity.connect(a).approve(b.address, 300n)).to.emit(equity, "Approval").withArgs(a.address, b.address, 300n);
        expect(await equity.allowance(a.address, b.address)).to.equal(300n);
      });

      it("replaces an existing allowance", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await equity.connect(a).approve(b.address, 300n);
        await equity.connect(a).approve(b.address, 5n);
        expect(await equity.allowance(a.address, b.address)).to.equal(5n);
      });

      it("refuses the zero address as spender", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(equity.connect(actors.investors[0]).approve(ethers.ZeroAddress, 1n))
          .to.be.revertedWithCustomError(equity, "ERC20InvalidSpender")
          .withArgs(ethers.ZeroAddress);
      });
    });

    describe("transferFrom", function () {
      it("moves within the allowance and decreases it without an Approval event", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b, c] = actors.investors;
        await equity.connect(a).approve(b.address, 300n);
        await expect(equity.connect(b).transferFrom(a.address, c.address, 200n))
          .to.emit(equity, "Transfer")
          .withArgs(a.address, c.address, 200n)
          .and.not.to.emit(equity, "Approval");
        expect(await equity.allowance(a.address, b.address)).to.equal(100n);
        expect(await equity.balanceOf(c.address)).to.equal(1200n);
      });

      it("refuses more than the allowance", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b, c] = actors.investors;
        await equity.connect(a).approve(b.address, 10n);
        await expect(equity.connect(b).transferFrom(a.address, c.address, 11n))
          .to.be.revertedWithCustomError(equity, "ERC20InsufficientAllowance")
          .withArgs(b.address, 10n, 11n);
      });

      it("keeps an infinite allowance infinite", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b, c] = actors.investors;
        await equity.connect(a).approve(b.address, ethers.MaxUint256);
        await equity.connect(b).transferFrom(a.address, c.address, 10n);
        expect(await equity.allowance(a.address, b.address)).to.equal(ethers.MaxUint256);
      });

      it("refuses more than the balance even within the allowance", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b, c] = actors.investors;
        await equity.connect(a).approve(b.address, 5000n);
        await expect(equity.connect(b).transferFrom(a.address, c.address, 1001n))
          .to.be.revertedWithCustomError(equity, "ERC20InsufficientBalance")
          .withArgs(a.address, 1000n, 1001n);
      });

      it("refuses the zero address as receiver", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await equity.connect(a).approve(b.address, 5n);
        await expect(equity.connect(b).transferFrom(a.address, ethers.ZeroAddress, 1n))
          .to.be.revertedWithCustomError(equity, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
      });

      it("refuses a zero amount from the zero address as OpenZeppelin does (invalid approver)", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b, c] = actors.investors;
        const reference = await ethers.deployContract("ERC20Baseline", [a.address, 1000n]);
        await expect(reference.connect(b).transferFrom(ethers.ZeroAddress, c.address, 0n))
          .to.be.revertedWithCustomError(reference, "ERC20InvalidApprover")
          .withArgs(ethers.ZeroAddress);
        await expect(equity.connect(b).transferFrom(ethers.ZeroAddress, c.address, 0n))
          .to.be.revertedWithCustomError(equity, "ERC20InvalidApprover")
          .withArgs(ethers.ZeroAddress);
      });

      it("refuses a non-zero amount from the zero address as OpenZeppelin does (insufficient allowance)", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const [a, b, c] = actors.investors;
        const reference = await ethers.deployContract("ERC20Baseline", [a.address, 1000n]);
        await expect(reference.connect(b).transferFrom(ethers.ZeroAddress, c.address, 1n))
          .to.be.revertedWithCustomError(reference, "ERC20InsufficientAllowance")
          .withArgs(b.address, 0n, 1n);
        await expect(equity.connect(b).transferFrom(ethers.ZeroAddress, c.address, 1n))
          .to.be.revertedWithCustomError(equity, "ERC20InsufficientAllowance")
          .withArgs(b.address, 0n, 1n);
      });
    });
  });

  describe("compliance", function () {
    it("refuses a receiver that is not a participant", async function () {
      const { equity, actors } = await loadFixture(tokensFixture);
      await expect(equity.connect(actors.investors[0]).transfer(actors.stranger.address, 1n))
        .to.be.revertedWithCustomError(equity, "TokenNotActiveParticipant")
        .withArgs(actors.stranger.address);
    });

    it("refuses a sender whose participant is suspended", async function () {
      const { equity, actors, registry, ids } = await loadFixture(tokensFixture);
      await registry.suspend(ids.investors[0], ethers.encodeBytes32String("review"));
      await expect(equity.connect(actors.investors[0]).transfer(actors.investors[1].address, 1n))
        .to.be.revertedWithCustomError(equity, "TokenNotActiveParticipant")
        .withArgs(actors.investors[0].address);
    });

    it("refuses a receiver whose participant is suspended", async function () {
      const { equity, actors, registry, ids } = await loadFixture(tokensFixture);
      await registry.suspend(ids.investors[1], ethers.encodeBytes32String("review"));
      await expect(equity.connect(actors.investors[0]).transfer(actors.investors[1].address, 1n))
        .to.be.revertedWithCustomError(equity, "TokenNotActiveParticipant")
        .withArgs(actors.investors[1].address);
    });

    it("refuses a frozen sender", async function () {
      const { equity, actors } = await loadFixture(tokensFixture);
      await equity.freeze(actors.investors[0].address, R);
      await expect(equity.connect(actors.investors[0]).transfer(actors.investors[1].address, 1n))
        .to.be.revertedWithCustomError(equity, "TokenAccountFrozen")
        .withArgs(actors.investors[0].address);
    });

    it("refuses a frozen receiver", async function () {
      const { equity, actors } = await loadFixture(tokensFixture);
      await equity.freeze(actors.investors[1].address, R);
      await expect(equity.connect(actors.investors[0]).transfer(actors.investors[1].address, 1n))
        .to.be.revertedWithCustomError(equity, "TokenAccountFrozen")
        .withArgs(actors.investors[1].address);
    });

    it("refuses to move encumbered units", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const [a, b] = actors.investors;
      await equity.connect(locker).encumber(a.address, 7n, 900n);
      await expect(equity.connect(a).transfer(b.address, 101n))
        .to.be.revertedWithCustomError(equity, "ERC7943InsufficientUnfrozenBalance")
        .withArgs(a.address, 101n, 100n);
      await equity.connect(a).transfer(b.address, 100n);
      expect(await equity.balanceOf(a.address)).to.equal(900n);
    });

    it("refuses every ordinary movement while paused", async function () {
      const { equity, actors } = await loadFixture(tokensFixture);
      await equity.pause(R);
      const t = await equity.getAddress();
      await expect(equity.connect(actors.investors[0]).transfer(actors.investors[1].address, 1n))
        .to.be.revertedWithCustomError(equity, "TokenIsPaused")
        .withArgs(t);
      await expect(equity.mint(actors.investors[0].address, 1n, R))
        .to.be.revertedWithCustomError(equity, "TokenIsPaused")
        .withArgs(t);
      await expect(equity.burn(actors.investors[0].address, 1n, R))
        .to.be.revertedWithCustomError(equity, "TokenIsPaused")
        .withArgs(t);
    });

    it("moves again after unpause", async function () {
      const { equity, actors } = await loadFixture(tokensFixture);
      await equity.pause(R);
      await expect(equity.unpause(R)).to.emit(equity, "TokenUnpausedBy").withArgs(actors.csd.address, R);
      await equity.connect(actors.investors[0]).transfer(actors.investors[1].address, 1n);
      expect(await equity.balanceOf(actors.investors[1].address)).to.equal(1001n);
    });

    it("refuses to pause a paused token", async function () {
      const { equity } = await loadFixture(tokensFixture);
      await equity.pause(R);
      await expect(equity.pause(R)).to.be.revertedWithCustomError(equity, "TokenPauseUnchanged").withArgs(true);
    });

    it("refuses to unpause a running token", async function () {
      const { equity } = await loadFixture(tokensFixture);
      await expect(equity.unpause(R)).to.be.revertedWithCustomError(equity, "TokenPauseUnchanged").withArgs(false);
    });
  });

  describe("agent operations", function () {
    describe("mint", function () {
      it("credits an active participant and says why", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const a = actors.investors[3].address;
        await expect(equity.mint(a, 5n, R))
          .to.emit(equity, "Transfer")
          .withArgs(ethers.ZeroAddress, a, 5n)
          .and.to.emit(equity, "Minted")
          .withArgs(a, 5n, R);
        expect(await equity.totalSupply()).to.equal(3005n);
      });

      it("refuses a non-participant", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(equity.mint(actors.stranger.address, 5n, R))
          .to.be.revertedWithCustomError(equity, "TokenNotActiveParticipant")
          .withArgs(actors.stranger.address);
      });

      it("refuses a zero amount", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(equity.mint(actors.investors[0].address, 0n, R)).to.be.revertedWithCustomError(equity, "TokenZeroAmount");
      });

      it("refuses the zero address", async function () {
        const { equity } = await loadFixture(tokensFixture);
        await expect(equity.mint(ethers.ZeroAddress, 1n, R))
          .to.be.revertedWithCustomError(equity, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
      });

      it("refuses to exceed the supply cap", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const cap = await equity.SUPPLY_CAP();
        await expect(equity.mint(actors.investors[0].address, cap, R))
          .to.be.revertedWithCustomError(equity, "TokenSupplyCapExceeded")
          .withArgs(cap + 3000n, cap);
      });
    });

    describe("burn", function () {
      it("debits free units and says why", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const a = actors.investors[0].address;
        await expect(equity.burn(a, 100n, R))
          .to.emit(equity, "Burned")
          .withArgs(a, 100n, R);
        expect(await equity.balanceOf(a)).to.equal(900n);
        expect(await equity.totalSupply()).to.equal(2900n);
      });

      it("refuses to burn encumbered units", async function () {
        const { equity, actors, locker } = await loadFixture(tokensFixture);
        const a = actors.investors[0].address;
        await equity.connect(locker).encumber(a, 1n, 950n);
        await expect(equity.burn(a, 51n, R))
          .to.be.revertedWithCustomError(equity, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(a, 51n, 50n);
      });

      it("refuses the zero address", async function () {
        const { equity } = await loadFixture(tokensFixture);
        await expect(equity.burn(ethers.ZeroAddress, 1n, R))
          .to.be.revertedWithCustomError(equity, "ERC20InvalidSender")
          .withArgs(ethers.ZeroAddress);
      });

      it("refuses a zero amount", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(equity.burn(actors.investors[0].address, 0n, R)).to.be.revertedWithCustomError(equity, "TokenZeroAmount");
      });

      it("refuses a holder whose participant is suspended", async function () {
        const { equity, actors, registry, ids } = await loadFixture(tokensFixture);
        await registry.suspend(ids.investors[0], ethers.encodeBytes32String("review"));
        await expect(equity.burn(actors.investors[0].address, 1n, R))
          .to.be.revertedWithCustomError(equity, "TokenNotActiveParticipant")
          .withArgs(actors.investors[0].address);
        expect(await equity.balanceOf(actors.investors[0].address)).to.equal(1000n);
      });
    });

    describe("freeze and unfreeze", function () {
      it("freezes and unfreezes with events", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const a = actors.investors[0].address;
        await expect(equity.freeze(a, R)).to.emit(equity, "AccountFrozen").withArgs(a, R);
        expect(await equity.isFrozen(a)).to.equal(true);
        await expect(equity.unfreeze(a, R)).to.emit(equity, "AccountUnfrozen").withArgs(a, R);
        expect(await equity.isFrozen(a)).to.equal(false);
      });

      it("refuses a freeze that changes nothing", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const a = actors.investors[0].address;
        await expect(equity.unfreeze(a, R)).to.be.revertedWithCustomError(equity, "TokenFreezeUnchanged").withArgs(a, false);
      });

      it("refuses the zero address", async function () {
        const { equity } = await loadFixture(tokensFixture);
        await expect(equity.freeze(ethers.ZeroAddress, R)).to.be.revertedWithCustomError(equity, "TokenZeroAccount");
      });
    });

    describe("forceTransfer", function () {
      it("moves from a frozen holder, consuming the named encumbrance first", async function () {
        const { equity, actors, locker } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await equity.connect(locker).encumber(a.address, 9n, 600n);
        await equity.freeze(a.address, R);
        await expect(equity.forceTransfer(a.address, b.address, 700n, locker.address, 9n, R))
          .to.emit(equity, FORCED_TRANSFER_DETAILED)
          .withArgs(a.address, b.address, R, 700n, locker.address, 9n, 600n);
        expect(await equity.encumbered(a.address, locker.address, 9n)).to.equal(0n);
        expect(await equity.totalEncumbered(a.address)).to.equal(0n);
        expect(await equity.balanceOf(a.address)).to.equal(300n);
        expect(await equity.freeBalance(b.address)).to.equal(1700n);
      });

      it("consumes only the moved amount of a larger named encumbrance", async function () {
        const { equity, actors, locker } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await equity.connect(locker).encumber(a.address, 9n, 600n);
        await expect(equity.forceTransfer(a.address, b.address, 200n, locker.address, 9n, R))
          .to.emit(equity, FORCED_TRANSFER_DETAILED)
          .withArgs(a.address, b.address, R, 200n, locker.address, 9n, 200n);
        expect(await equity.encumbered(a.address, locker.address, 9n)).to.equal(400n);
        expect(await equity.totalEncumbered(a.address)).to.equal(400n);
        expect(await equity.freeBalance(a.address)).to.equal(400n);
      });

      it("refuses to take encumbered units of another purpose", async function () {
        const { equity, actors, locker } = await loadFixture(tokensFixture);
        const [a, b] = actors.investors;
        await equity.connect(locker).encumber(a.address, 9n, 600n);
        await expect(equity.forceTransfer(a.address, b.address, 401n, ethers.ZeroAddress, 0n, R))
          .to.be.revertedWithCustomError(equity, "TokenInsufficientFreeBalance")
          .withArgs(a.address, 400n, 401n);
      });

      it("refuses a receiver that is not a participant", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(equity.forceTransfer(actors.investors[0].address, actors.stranger.address, 1n, ethers.ZeroAddress, 0n, R))
          .to.be.revertedWithCustomError(equity, "TokenNotActiveParticipant")
          .withArgs(actors.stranger.address);
      });

      it("works while paused", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await equity.pause(R);
        await equity.forceTransfer(actors.investors[0].address, actors.investors[1].address, 1n, ethers.ZeroAddress, 0n, R);
        expect(await equity.balanceOf(actors.investors[1].address)).to.equal(1001n);
      });

      it("refuses the zero address as sender", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(equity.forceTransfer(ethers.ZeroAddress, actors.investors[1].address, 1n, ethers.ZeroAddress, 0n, R))
          .to.be.revertedWithCustomError(equity, "ERC20InvalidSender")
          .withArgs(ethers.ZeroAddress);
      });

      it("refuses the zero address as receiver", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(equity.forceTransfer(actors.investors[0].address, ethers.ZeroAddress, 1n, ethers.ZeroAddress, 0n, R))
          .to.be.revertedWithCustomError(equity, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
      });

      it("refuses a move to the holder itself", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const a = actors.investors[0].address;
        await expect(equity.forceTransfer(a, a, 1n, ethers.ZeroAddress, 0n, R))
          .to.be.revertedWithCustomError(equity, "TokenSelfTransfer")
          .withArgs(a);
      });

      it("refuses a zero amount", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        await expect(
          equity.forceTransfer(actors.investors[0].address, actors.investors[1].address, 0n, ethers.ZeroAddress, 0n, R),
        ).to.be.revertedWithCustomError(equity, "TokenZeroAmount");
      });
    });

    describe("agentEncumber and agentRelease", function () {
      it("locks under the token's own purpose and releases it", async function () {
        const { equity, actors } = await loadFixture(tokensFixture);
        const a = actors.investors[0].address;
        const t = await equity.getAddress();
        await expect(equity.agentEncumber(a, 42n, 10n))
          .to.emit(equity, "Encumbered")
          .withArgs(a, t, 42n, 10n, 10n);
        await expect(equity.agentRelease(a, 42n, 4n))
          .to.emit(equity, "Released")
          .withArgs(a, t, 42n, 4n, 6n);
        expect(await equity.encumbered(a, t, 42n)).to.equal(6n);
      });
    });

    it("refuses every agent, pauser, lock and settlement operation by a stranger", async function () {
      const { equity, actors } = await loadFixture(tokensFixture);
      const s = equity.connect(actors.stranger);
      const a = actors.investors[0].address;
      const b = actors.investors[1].address;
      // Each call is made only when awaited, so no refusal is left unhandled while another is checked.
      const calls: [() => Promise<unknown>, string][] = [
        [() => s.mint(a, 1n, R), TOKEN_ROLES.AGENT_ROLE],
        [() => s.burn(a, 1n, R), TOKEN_ROLES.AGENT_ROLE],
        [() => s.freeze(a, R), TOKEN_ROLES.AGENT_ROLE],
        [() => s.unfreeze(a, R), TOKEN_ROLES.AGENT_ROLE],
        [() => s.forceTransfer(a, b, 1n, ethers.ZeroAddress, 0n, R), TOKEN_ROLES.AGENT_ROLE],
        [() => s.agentEncumber(a, 1n, 1n), TOKEN_ROLES.AGENT_ROLE],
        [() => s.agentRelease(a, 1n, 1n), TOKEN_ROLES.AGENT_ROLE],
        [() => s.pause(R), TOKEN_ROLES.PAUSER_ROLE],
        [() => s.unpause(R), TOKEN_ROLES.PAUSER_ROLE],
        [() => s.encumber(a, 1n, 1n), TOKEN_ROLES.LOCK_OPERATOR_ROLE],
        [() => s.release(a, 1n, 1n), TOKEN_ROLES.LOCK_OPERATOR_ROLE],
        [() => s.moveEncumbered(a, b, 1n, 1n, false), TOKEN_ROLES.LOCK_OPERATOR_ROLE],
        [() => s.settlementTransfer(a, b, 1n), TOKEN_ROLES.SETTLEMENT_ROLE],
        [() => s.deliverEncumbered(a, b, 1n, 1n), TOKEN_ROLES.SETTLEMENT_ROLE],
        [() => s.takeEncumbered(a, b, 1n, 1n), TOKEN_ROLES.LOCK_OPERATOR_ROLE],
      ];
      for (const [call, role] of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(equity, "AccessControlUnauthorizedAccount")
          .withArgs(actors.stranger.address, role);
      }
    });
  });

  describe("encumbrances", function () {
    it("keeps purposes of different lockers and deals apart", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const a = actors.investors[0].address;
      await expect(equity.connect(locker).encumber(a, 1n, 100n))
        .to.emit(equity, "Encumbered")
        .withArgs(a, locker.address, 1n, 100n, 100n);
      await equity.connect(locker).encumber(a, 2n, 200n);
      await equity.agentEncumber(a, 1n, 50n);
      expect(await equity.encumbered(a, locker.address, 1n)).to.equal(100n);
      expect(await equity.encumbered(a, locker.address, 2n)).to.equal(200n);
      expect(await equity.totalEncumbered(a)).to.equal(350n);
      expect(await equity.freeBalance(a)).to.equal(650n);
      await expect(equity.connect(locker).release(a, 1n, 101n))
        .to.be.revertedWithCustomError(equity, "TokenInsufficientEncumbrance")
        .withArgs(a, locker.address, 1n, 100n, 101n);
    });

    it("refuses to lock more than the free balance", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const a = actors.investors[0].address;
      await equity.connect(locker).encumber(a, 1n, 900n);
      await expect(equity.connect(locker).encumber(a, 2n, 101n))
        .to.be.revertedWithCustomError(equity, "TokenInsufficientFreeBalance")
        .withArgs(a, 100n, 101n);
    });

    it("refuses to lock for the zero address", async function () {
      const { equity, locker } = await loadFixture(tokensFixture);
      await expect(equity.connect(locker).encumber(ethers.ZeroAddress, 1n, 1n)).to.be.revertedWithCustomError(equity, "TokenZeroAccount");
    });

    it("refuses to lock a zero amount", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      await expect(equity.connect(locker).encumber(actors.investors[0].address, 1n, 0n)).to.be.revertedWithCustomError(
        equity,
        "TokenZeroAmount",
      );
    });

    it("refuses to release for the zero address", async function () {
      const { equity, locker } = await loadFixture(tokensFixture);
      await expect(equity.connect(locker).release(ethers.ZeroAddress, 1n, 1n)).to.be.revertedWithCustomError(equity, "TokenZeroAccount");
    });

    it("refuses to release a zero amount", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const a = actors.investors[0].address;
      await equity.connect(locker).encumber(a, 1n, 10n);
      await expect(equity.connect(locker).release(a, 1n, 0n)).to.be.revertedWithCustomError(equity, "TokenZeroAmount");
    });

    it("moves encumbered units and keeps them encumbered at the receiver (repo custody)", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const [a, b] = actors.investors;
      await equity.connect(locker).encumber(a.address, 5n, 300n);
      await expect(equity.connect(locker).moveEncumbered(a.address, b.address, 5n, 300n, true))
        .to.emit(equity, "EncumbranceMoved")
        .withArgs(a.address, b.address, 5n, locker.address, 300n, true);
      expect(await equity.encumbered(b.address, locker.address, 5n)).to.equal(300n);
      expect(await equity.freeBalance(b.address)).to.equal(1000n);
      expect(await equity.balanceOf(b.address)).to.equal(1300n);
    });

    it("moves encumbered units free to the receiver (enforcement)", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const [a, b] = actors.investors;
      await equity.connect(locker).encumber(a.address, 5n, 300n);
      await equity.connect(locker).moveEncumbered(a.address, b.address, 5n, 120n, false);
      expect(await equity.encumbered(a.address, locker.address, 5n)).to.equal(180n);
      expect(await equity.freeBalance(b.address)).to.equal(1120n);
    });

    it("refuses to move more than the purpose holds", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const [a, b] = actors.investors;
      await equity.agentEncumber(a.address, 5n, 300n);
      await expect(equity.connect(locker).moveEncumbered(a.address, b.address, 5n, 1n, false))
        .to.be.revertedWithCustomError(equity, "TokenInsufficientEncumbrance")
        .withArgs(a.address, locker.address, 5n, 0n, 1n);
    });

    it("refuses to move encumbered units to a frozen receiver", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const [a, b] = actors.investors;
      await equity.connect(locker).encumber(a.address, 5n, 300n);
      await equity.freeze(b.address, R);
      await expect(equity.connect(locker).moveEncumbered(a.address, b.address, 5n, 1n, false))
        .to.be.revertedWithCustomError(equity, "TokenAccountFrozen")
        .withArgs(b.address);
    });

    it("refuses to move encumbered units of a frozen holder", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const [a, b] = actors.investors;
      await equity.connect(locker).encumber(a.address, 5n, 300n);
      await equity.freeze(a.address, R);
      await expect(equity.connect(locker).moveEncumbered(a.address, b.address, 5n, 1n, false))
        .to.be.revertedWithCustomError(equity, "TokenAccountFrozen")
        .withArgs(a.address);
      expect(await equity.encumbered(a.address, locker.address, 5n)).to.equal(300n);
    });
  });

  describe("deliverEncumbered", function () {
    /** The locker signer also acts as a settlement engine (the repo book holds both roles). */
    async function deliveryFixture(): Promise<TokensFixture> {
      const f = await loadFixture(tokensFixture);
      await (await f.factory.addStandingRole(TOKEN_ROLES.SETTLEMENT_ROLE, f.locker.address)).wait();
      return f;
    }

    it("delivers free units and locks exactly them at the receiver under the caller's purpose", async function () {
      const { equity, actors, locker } = await loadFixture(deliveryFixture);
      const [a, b] = actors.investors;
      await expect(equity.connect(locker).deliverEncumbered(a.address, b.address, 7n, 250n))
        .to.emit(equity, "Transfer")
        .withArgs(a.address, b.address, 250n)
        .and.to.emit(equity, "Encumbered")
        .withArgs(b.address, locker.address, 7n, 250n, 250n);
      expect(await equity.balanceOf(a.address)).to.equal(750n);
      expect(await equity.balanceOf(b.address)).to.equal(1250n);
      expect(await equity.encumbered(b.address, locker.address, 7n)).to.equal(250n);
      expect(await equity.totalEncumbered(b.address)).to.equal(250n);
      expect(await equity.freeBalance(b.address)).to.equal(1000n);
    });

    it("adds to a purpose the receiver already holds", async function () {
      const { equity, actors, locker } = await loadFixture(deliveryFixture);
      const [a, b] = actors.investors;
      await equity.connect(locker).encumber(b.address, 7n, 40n);
      await expect(equity.connect(locker).deliverEncumbered(a.address, b.address, 7n, 10n))
        .to.emit(equity, "Encumbered")
        .withArgs(b.address, locker.address, 7n, 10n, 50n);
      expect(await equity.totalEncumbered(b.address)).to.equal(50n);
    });

    it("refuses a caller without SETTLEMENT_ROLE, even a lock operator", async function () {
      const { equity, actors, locker } = await loadFixture(tokensFixture);
      const [a, b] = actors.investors;
      await expect(equity.connect(locker).deliverEncumbered(a.address, b.address, 7n, 1n))
        .to.be.revertedWithCustomError(equity, "AccessControlUnauthorizedAccount")
        .withArgs(locker.address, TOKEN_ROLES.SETTLEMENT_ROLE);
    });

    it("refuses a zero amount", async function () {
      const { equity, actors, locker } = await loadFixture(deliveryFixture);
      const [a, b] = actors.investors;
      await expect(equity.connect(locker).deliverEncumbered(a.address, b.address, 7n, 0n)).to.be.revertedWithCustomError(
        equity,
        "TokenZeroAmount",
      );
    });

    it("refuses a delivery to the sender itself, which would lock units it already held", async function () {
      const { equity, actors, locker } = await loadFixture(deliveryFixture);
      const a = actors.investors[0].address;
      await expect(equity.connect(locker).deliverEncumbered(a, a, 7n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenSelfTransfer")
        .withArgs(a);
    });

    it("refuses to deliver units the sender has locked, and changes nothing", async function () {
      const { equity, actors, locker } = await loadFixture(deliveryFixture);
      const [a, b] = actors.investors;
      await equity.connect(locker).encumber(a.address, 1n, 900n);
      await expect(equity.connect(locker).deliverEncumbered(a.address, b.address, 7n, 101n))
        .to.be.revertedWithCustomError(equity, "ERC7943InsufficientUnfrozenBalance")
        .withArgs(a.address, 101n, 100n);
      expect(await equity.balanceOf(b.address)).to.equal(1000n);
      expect(await equity.encumbered(b.address, locker.address, 7n)).to.equal(0n);
    });

    it("refuses a receiver that is not an active participant", async function () {
      const { equity, actors, locker } = await loadFixture(deliveryFixture);
      const a = actors.investors[0].address;
      await expect(equity.connect(locker).deliverEncumbered(a, actors.stranger.address, 7n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenNotActiveParticipant")
        .withArgs(actors.stranger.address);
    });

    it("refuses a frozen receiver", async function () {
      const { equity, actors, locker } = await loadFixture(deliveryFixture);
      const [a, b] = actors.investors;
      await equity.freeze(b.address, R);
      await expect(equity.connect(locker).deliverEncumbered(a.address, b.address, 7n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenAccountFrozen")
        .withArgs(b.address);
    });

    it("refuses while the token is paused", async function () {
      const { equity, actors, locker } = await loadFixture(deliveryFixture);
      const [a, b] = actors.investors;
      await equity.pause(R);
      await expect(equity.connect(locker).deliverEncumbered(a.address, b.address, 7n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenIsPaused")
        .withArgs(await equity.getAddress());
    });
  });

  describe("takeEncumbered", function () {
    /** Investor 0 holds 300 units locked by `locker` under deal 5; investor 1 is the receiver. */
    async function lockedFixture() {
      const f = await loadFixture(tokensFixture);
      const [a, b] = f.actors.investors;
      await f.equity.connect(f.locker).encumber(a.address, 5n, 300n);
      return { ...f, a, b };
    }

    /** Balances, encumbrance totals and the purpose, to show a refused call changed nothing. */
    async function stateOf(f: Awaited<ReturnType<typeof lockedFixture>>) {
      const { equity, locker, a, b } = f;
      return [
        await equity.balanceOf(a.address),
        await equity.balanceOf(b.address),
        await equity.totalEncumbered(a.address),
        await equity.encumbered(a.address, locker.address, 5n),
      ];
    }

    it("takes part of the encumbrance to the receiver free and releases the rest", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      const tx = equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 120n);
      await expect(tx).to.emit(equity, "Transfer").withArgs(a.address, b.address, 120n);
      await expect(tx).to.emit(equity, "EncumbranceMoved").withArgs(a.address, b.address, 5n, locker.address, 120n, false);
      await expect(tx).to.emit(equity, "Released").withArgs(a.address, locker.address, 5n, 180n, 0n);
      expect(await stateOf(f)).to.deep.equal([880n, 1120n, 0n, 0n]);
      expect(await equity.freeBalance(a.address)).to.equal(880n);
      expect(await equity.freeBalance(b.address)).to.equal(1120n);
    });

    it("takes the whole encumbrance without a release", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      const tx = equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 300n);
      await expect(tx).to.emit(equity, "EncumbranceMoved").withArgs(a.address, b.address, 5n, locker.address, 300n, false);
      await expect(tx).to.not.emit(equity, "Released");
      expect(await stateOf(f)).to.deep.equal([700n, 1300n, 0n, 0n]);
    });

    it("releases everything when the amount is zero, even while paused and frozen", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      await equity.pause(R);
      await equity.freeze(a.address, R);
      const tx = equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 0n);
      await expect(tx).to.emit(equity, "Released").withArgs(a.address, locker.address, 5n, 300n, 0n);
      await expect(tx).to.not.emit(equity, "Transfer");
      expect(await stateOf(f)).to.deep.equal([1000n, 1000n, 0n, 0n]);
    });

    it("leaves the holder's other purposes locked", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      await equity.connect(locker).encumber(a.address, 6n, 50n);
      await equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 100n);
      expect(await equity.totalEncumbered(a.address)).to.equal(50n);
      expect(await equity.encumbered(a.address, locker.address, 6n)).to.equal(50n);
    });

    it("refuses more than the encumbrance holds", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      await expect(equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 301n))
        .to.be.revertedWithCustomError(equity, "TokenInsufficientEncumbrance")
        .withArgs(a.address, locker.address, 5n, 300n, 301n);
      expect(await stateOf(f)).to.deep.equal([1000n, 1000n, 300n, 300n]);
    });

    it("refuses an empty encumbrance with nothing to take", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      await expect(equity.connect(locker).takeEncumbered(a.address, b.address, 7n, 0n)).to.be.revertedWithCustomError(
        equity,
        "TokenZeroAmount",
      );
    });

    it("refuses the zero address as holder or receiver", async function () {
      const f = await lockedFixture();
      const { equity, locker, a } = f;
      await expect(equity.connect(locker).takeEncumbered(ethers.ZeroAddress, a.address, 5n, 1n))
        .to.be.revertedWithCustomError(equity, "ERC20InvalidSender")
        .withArgs(ethers.ZeroAddress);
      await expect(equity.connect(locker).takeEncumbered(a.address, ethers.ZeroAddress, 5n, 1n))
        .to.be.revertedWithCustomError(equity, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await stateOf(f)).to.deep.equal([1000n, 1000n, 300n, 300n]);
    });

    it("refuses the holder as receiver", async function () {
      const f = await lockedFixture();
      const { equity, locker, a } = f;
      await expect(equity.connect(locker).takeEncumbered(a.address, a.address, 5n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenSelfTransfer")
        .withArgs(a.address);
    });

    it("refuses to take while paused", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      await equity.pause(R);
      await expect(equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenIsPaused")
        .withArgs(await equity.getAddress());
      expect(await stateOf(f)).to.deep.equal([1000n, 1000n, 300n, 300n]);
    });

    it("refuses to take from a frozen holder", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      await equity.freeze(a.address, R);
      await expect(equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenAccountFrozen")
        .withArgs(a.address);
      expect(await stateOf(f)).to.deep.equal([1000n, 1000n, 300n, 300n]);
    });

    it("refuses a frozen receiver", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      await equity.freeze(b.address, R);
      await expect(equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenAccountFrozen")
        .withArgs(b.address);
      expect(await stateOf(f)).to.deep.equal([1000n, 1000n, 300n, 300n]);
    });

    it("refuses a receiver that is not a participant", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, actors } = f;
      await expect(equity.connect(locker).takeEncumbered(a.address, actors.stranger.address, 5n, 1n))
        .to.be.revertedWithCustomError(equity, "TokenNotActiveParticipant")
        .withArgs(actors.stranger.address);
      expect(await stateOf(f)).to.deep.equal([1000n, 1000n, 300n, 300n]);
    });

    it("refuses a stranger", async function () {
      const f = await lockedFixture();
      const { equity, a, b, actors } = f;
      await expect(equity.connect(actors.stranger).takeEncumbered(a.address, b.address, 5n, 1n))
        .to.be.revertedWithCustomError(equity, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, TOKEN_ROLES.LOCK_OPERATOR_ROLE);
      expect(await stateOf(f)).to.deep.equal([1000n, 1000n, 300n, 300n]);
    });

    it("touches only the caller's own encumbrance", async function () {
      const f = await lockedFixture();
      const { equity, locker, a, b } = f;
      await equity.agentEncumber(a.address, 5n, 100n);
      await equity.connect(locker).takeEncumbered(a.address, b.address, 5n, 0n);
      expect(await equity.encumbered(a.address, await equity.getAddress(), 5n)).to.equal(100n);
      expect(await equity.totalEncumbered(a.address)).to.equal(100n);
    });
  });

  describe("instrument", function () {
    it("holds the equity's ISIN, kind and currency", async function () {
      const { equity } = await loadFixture(tokensFixture);
      expect(bytesToText(await equity.isin())).to.equal(EQUITY_ISIN);
      expect(await equity.kind()).to.equal(1);
      expect(bytesToText(await equity.currency())).to.equal("RUB");
    });

    it("holds the bond's terms", async function () {
      const { bond } = await loadFixture(tokensFixture);
      const i = await bond.instrument();
      expect(i.kind).to.equal(2);
      expect(i.faceValue).to.equal(1000n * 10n ** 18n);
      expect(i.couponRate).to.equal(71n * 10n ** 15n);
      expect(i.couponFrequency).to.equal(2);
      expect(i.maturityDate).to.be.greaterThan(i.issueDate);
    });

    it("cannot be initialised twice", async function () {
      const { equity, actors } = await loadFixture(tokensFixture);
      const r = await equity.instrument();
      const i = {
        isin: r.isin,
        kind: r.kind,
        currency: r.currency,
        faceValue: r.faceValue,
        couponRate: r.couponRate,
        couponFrequency: r.couponFrequency,
        issueDate: r.issueDate,
        maturityDate: r.maturityDate,
        dayCount: r.dayCount,
      };
      await expect(equity.initialize(actors.csd.address, actors.csd.address, "x", "x", 0, i)).to.be.revertedWithCustomError(
        equity,
        "InvalidInitialization",
      );
    });
  });

  describe("initialize", function () {
    /** Deploys a beacon proxy of the security beacon initialised with `admin` and `registry`. */
    async function deployWith(f: TokensFixture, admin: string, registry: string) {
      const data = f.equity.interface.encodeFunctionData("initialize", [
        admin,
        registry,
        "x",
        "X",
        0,
        buildInstrument({ isin: EQUITY_ISIN, kind: "Equity", currency: "RUB" }),
      ]);
      const proxy = await ethers.getContractFactory("@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol:BeaconProxy");
      return proxy.deploy(await f.factory.securityBeacon(), data);
    }

    it("reads the participant registry of the suite", async function () {
      const { equity, registry } = await loadFixture(tokensFixture);
      expect(await equity.registry()).to.equal(await registry.getAddress());
    });

    it("refuses a zero admin", async function () {
      const f = await loadFixture(tokensFixture);
      await expect(deployWith(f, ethers.ZeroAddress, await f.registry.getAddress())).to.be.revertedWithCustomError(
        f.equity,
        "TokenZeroAccount",
      );
    });

    it("refuses a zero registry", async function () {
      const f = await loadFixture(tokensFixture);
      await expect(deployWith(f, f.actors.csd.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(f.equity, "TokenZeroAccount");
    });
  });

  describe("validateInstrument", function () {
    const equityTerms = buildInstrument({ isin: EQUITY_ISIN, kind: "Equity", currency: "RUB" });
    const bondTerms = buildInstrument({
      isin: EQUITY_ISIN,
      kind: "Bond",
      currency: "RUB",
      faceValue: "1000",
      couponPercent: "5",
      couponFrequency: 2,
      issueDate: "2024-01-10",
      maturityDate: "2027-01-10",
    });

    const bondFields: [string, Partial<typeof equityTerms>][] = [
      ["a face value", { faceValue: 1n }],
      ["a coupon rate", { couponRate: 1n }],
      ["a coupon frequency", { couponFrequency: 2 }],
      ["an issue date", { issueDate: 1 }],
      ["a maturity date", { maturityDate: 1 }],
      ["a day-count convention", { dayCount: 1 }],
    ];
    for (const [what, over] of bondFields) {
      it(`refuses an equity with ${what}`, async function () {
        const { equity } = await loadFixture(tokensFixture);
        await expect(equity.validateInstrument({ ...equityTerms, ...over }))
          .to.be.revertedWithCustomError(equity, "SecurityInvalidTerms")
          .withArgs("equity with bond terms");
      });
    }

    it("refuses a bond without a face value", async function () {
      const { equity } = await loadFixture(tokensFixture);
      await expect(equity.validateInstrument({ ...bondTerms, faceValue: 0n }))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidTerms")
        .withArgs("faceValue");
    });

    it("refuses a coupon rate above 100 %", async function () {
      const { equity } = await loadFixture(tokensFixture);
      const max = await equity.MAX_COUPON_RATE();
      await equity.validateInstrument({ ...bondTerms, couponRate: max });
      await expect(equity.validateInstrument({ ...bondTerms, couponRate: max + 1n }))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidTerms")
        .withArgs("couponRate");
    });

    it("refuses a coupon rate without a coupon frequency", async function () {
      const { equity } = await loadFixture(tokensFixture);
      await expect(equity.validateInstrument({ ...bondTerms, couponFrequency: 0 }))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidTerms")
        .withArgs("couponFrequency");
    });

    it("accepts a zero-coupon bond without a coupon frequency", async function () {
      const { equity } = await loadFixture(tokensFixture);
      await expect(equity.validateInstrument({ ...bondTerms, couponRate: 0n, couponFrequency: 0 })).not.to.be.reverted;
    });
  });

  describe("invariants (property)", function () {
    it("keeps supply = Σ balances, the books' encumbrances ≤ balance, free = balance − frozen (≥ 0), and refused operations change nothing", async function () {
      this.timeout(600_000);
      const f = await loadFixture(tokensFixture);
      const { equity, locker, actors } = f;
      // The locker also settles, so it can deliver into its own purposes (as the repo book does).
      await (await f.factory.addStandingRole(TOKEN_ROLES.SETTLEMENT_ROLE, locker.address)).wait();
      const holders = [...actors.investors.slice(0, 4), actors.bankA].map((s) => s.address);
      const self = await equity.getAddress();
      const FROZEN_DEAL = await equity.FROZEN_TOKENS_DEAL();
      const signers = [...actors.investors.slice(0, 4), actors.bankA];
      const others = [actors.investors[4].address, actors.bankB.address];
      /** Everything the operations can change, read once per step. */
      const stateOf = async () => {
        const rows = [];
        for (const x of holders) {
          rows.push({
            balance: await equity.balanceOf(x),
            total: await equity.totalEncumbered(x),
            frozenTokens: await equity.getFrozenTokens(x),
            free: await equity.freeBalance(x),
            frozen: await equity.isFrozen(x),
            purposes: [await equity.encumbered(x, locker.address, 1n), await equity.encumbered(x, locker.address, 2n)],
            freeze: await equity.encumbered(x, self, FROZEN_DEAL),
          });
        }
        let rest = 0n;
        for (const x of others) rest += await equity.balanceOf(x);
        return { supply: await equity.totalSupply(), paused: await equity.paused(), rows, rest };
      };
      const key = (st: Awaited<ReturnType<typeof stateOf>>) => JSON.stringify(st, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      const h = fc.integer({ min: 0, max: holders.length - 1 });
      const amt = fc.integer({ min: 0, max: 1500 }).map(BigInt);
      const deal = fc.constantFrom(1n, 2n);
      const op = fc.oneof(
        fc.record({ k: fc.constant("transfer"), a: h, b: h, n: amt }),
        fc.record({ k: fc.constant("mint"), a: h, n: amt }),
        fc.record({ k: fc.constant("burn"), a: h, n: amt }),
        fc.record({ k: fc.constant("freeze"), a: h }),
        fc.record({ k: fc.constant("encumber"), a: h, d: deal, n: amt }),
        fc.record({ k: fc.constant("release"), a: h, d: deal, n: amt }),
        fc.record({ k: fc.constant("move"), a: h, b: h, d: deal, n: amt, keep: fc.boolean() }),
        fc.record({ k: fc.constant("force"), a: h, b: h, d: deal, n: amt }),
        fc.record({ k: fc.constant("deliver"), a: h, b: h, d: deal, n: amt }),
        // ERC-7943: a freeze up to 2500 (above the balance at times) and forced transfers taking frozen units.
        fc.record({ k: fc.constant("setFrozen"), a: h, n: fc.integer({ min: 0, max: 2500 }).map(BigInt) }),
        fc.record({ k: fc.constant("forced"), a: h, b: h, n: amt }),
        fc.record({ k: fc.constant("pause") }),
      );
      let base = await ethers.provider.send("evm_snapshot", []);
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 8 }), async (ops) => {
          runs++;
          expect(await ethers.provider.send("evm_revert", [base])).to.equal(true);
          base = await ethers.provider.send("evm_snapshot", []);
          let before = await stateOf();
          for (const o of ops as unknown as Op[]) {
            const a = holders[o.a];
            const b = o.b === undefined ? a : holders[o.b];
            let refused = false;
            try {
              let tx;
              switch (o.k) {
                case "transfer":
                  tx = equity.connect(signers[o.a]).transfer(b, o.n);
                  break;
                case "mint":
                  tx = equity.mint(a, o.n, R);
                  break;
                case "burn":
                  tx = equity.burn(a, o.n, R);
                  break;
                case "freeze":
                  tx = (await equity.isFrozen(a)) ? equity.unfreeze(a, R) : equity.freeze(a, R);
                  break;
                case "encumber":
                  tx = equity.connect(locker).encumber(a, o.d, o.n);
                  break;
                case "release":
                  tx = equity.connect(locker).release(a, o.d, o.n);
                  break;
                case "move":
                  tx = equity.connect(locker).moveEncumbered(a, b, o.d, o.n, o.keep);
                  break;
                case "force":
                  tx = equity.forceTransfer(a, b, o.n, locker.address, o.d, R);
                  break;
                case "deliver":
                  tx = equity.connect(locker).deliverEncumbered(a, b, o.d, o.n);
                  break;
                case "setFrozen":
                  tx = equity.setFrozenTokens(a, o.n);
                  break;
                case "forced":
                  tx = equity.forcedTransfer(a, b, o.n);
                  break;
                default:
                  tx = (await equity.paused()) ? equity.unpause(R) : equity.pause(R);
              }
              await (await tx).wait();
            } catch {
              refused = true;
            }
            const after = await stateOf();
            if (refused) expect(key(after)).to.equal(key(before));
            let sum = after.rest;
            for (const r of after.rows) {
              sum += r.balance;
              expect(r.purposes[0] + r.purposes[1] <= r.balance).to.equal(true);
              expect(r.total).to.equal(r.purposes[0] + r.purposes[1] + r.freeze);
              expect(r.frozenTokens).to.equal(r.total);
              expect(r.free).to.equal(r.balance > r.total ? r.balance - r.total : 0n);
            }
            expect(after.supply).to.equal(sum);
            before = after;
          }
        }),
        { numRuns: propertyRuns(200) },
      );
      expect(runs).to.be.greaterThanOrEqual(propertyRuns(200));
    });
  });
});
