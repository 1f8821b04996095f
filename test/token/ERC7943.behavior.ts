import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ContractTransactionReceipt, Interface } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { CompliantToken, ParticipantRegistry } from "../../typechain-types";
import { TOKEN_ROLES } from "../../lib/tokens";
import { FORCED_TRANSFER_7943, REASON } from "./fixtures";
import { propertyRuns } from "../helpers/runs";

/** What the shared ERC-7943 suite needs from a token under test. */
export interface ERC7943Context {
  /** The token, connected to the depository's agent (AGENT_ROLE). */
  token: CompliantToken;
  registry: ParticipantRegistry;
  /** Active participant holding exactly 1000 × `unit`. */
  holder: HardhatEthersSigner;
  /** Participant id of `holder`. */
  holderId: number;
  /** Another active participant. */
  other: HardhatEthersSigner;
  /** Not a participant. */
  stranger: HardhatEthersSigner;
  /** Holds LOCK_OPERATOR_ROLE (stands in for a pledge or repo book). */
  locker: HardhatEthersSigner;
  /** Smallest amount the scenarios scale by. */
  unit: bigint;
}

/** ERC-165 interface id of an interface: XOR of its function selectors. */
export function interfaceId(iface: Interface): string {
  let id = 0n;
  iface.forEachFunction((f) => {
    id ^= BigInt(f.selector);
  });
  return "0x" + id.toString(16).padStart(8, "0");
}

/**
 * The functions an interface declares itself, as Solidity's `type(I).interfaceId` counts them: `exclude`
 * lists the functions it inherits (the artifact's ABI carries them too).
 */
async function interfaceOf(name: string, exclude: string[] = []): Promise<Interface> {
  const artifact = await hre.artifacts.readArtifact(name);
  return new ethers.Interface(artifact.abi.filter((f: { name?: string }) => !exclude.includes(f.name ?? "")));
}

const ERC20_FUNCTIONS = ["totalSupply", "balanceOf", "transfer", "allowance", "approve", "transferFrom"];

/** Names of the events of `token` in the receipt, in log order. */
function eventOrder(token: CompliantToken, receipt: ContractTransactionReceipt): string[] {
  return receipt.logs.map((l) => token.interface.parseLog(l)?.signature ?? "?");
}

const TRANSFER = "Transfer(address,address,uint256)";
const FROZEN = "Frozen(address,uint256)";

/**
 * ERC-7943 (uRWA), fungible interface: the cases of the standard's reference test suite for its ERC-20
 * token, mapped onto the depository's rules (registry status and account freeze for canSend/canReceive,
 * AGENT_ROLE for setFrozenTokens and forcedTransfer), plus the cases that pin the mapping down.
 */
export function shouldBehaveLikeERC7943(fixture: () => Promise<ERC7943Context>): void {
  describe("ERC-7943 (uRWA) fungible", function () {
    let c: ERC7943Context;
    let u: bigint;
    let INITIAL: bigint, TRANSFER_AMOUNT: bigint, APPROVE_AMOUNT: bigint, FORCE_AMOUNT: bigint, FREEZE_AMOUNT: bigint;

    beforeEach(async function () {
      c = await loadFixture(fixture);
      u = c.unit;
      INITIAL = 1000n * u;
      TRANSFER_AMOUNT = 100n * u;
      APPROVE_AMOUNT = 50n * u;
      FORCE_AMOUNT = 20n * u;
      FREEZE_AMOUNT = 30n * u;
      expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
    });

    describe("ERC-165", function () {
      it("answers true for IERC7943Fungible under the standard's id 0x3edbb4c4", async function () {
        const id = interfaceId(await interfaceOf("IERC7943Fungible", ["supportsInterface"]));
        expect(id).to.equal("0x3edbb4c4");
        expect(await c.token.supportsInterface(id)).to.equal(true);
      });

      it("answers true for IERC20 and IERC20Metadata", async function () {
        const erc20 = interfaceId(await interfaceOf("@openzeppelin/contracts/token/ERC20/IERC20.sol:IERC20"));
        const metadata = interfaceId(
          await interfaceOf("@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol:IERC20Metadata", ERC20_FUNCTIONS),
        );
        expect(await c.token.supportsInterface(erc20)).to.equal(true);
        expect(await c.token.supportsInterface(metadata)).to.equal(true);
      });

      it("answers true for IERC165 and IAccessControl", async function () {
        const erc165 = interfaceId(await interfaceOf("IERC165"));
        const accessControl = interfaceId(await interfaceOf("IAccessControl"));
        expect(await c.token.supportsInterface(erc165)).to.equal(true);
        expect(await c.token.supportsInterface(accessControl)).to.equal(true);
      });

      it("answers false for an unknown id and for 0xffffffff", async function () {
        expect(await c.token.supportsInterface("0xdeadbeef")).to.equal(false);
        expect(await c.token.supportsInterface("0xffffffff")).to.equal(false);
      });
    });

    describe("canSend and canReceive", function () {
      it("are true for an active participant", async function () {
        expect(await c.token.canSend(c.holder.address)).to.equal(true);
        expect(await c.token.canReceive(c.holder.address)).to.equal(true);
      });

      it("are false for an account that is not a participant, and for the zero address", async function () {
        expect(await c.token.canSend(c.stranger.address)).to.equal(false);
        expect(await c.token.canReceive(c.stranger.address)).to.equal(false);
        expect(await c.token.canSend(ethers.ZeroAddress)).to.equal(false);
        expect(await c.token.canReceive(ethers.ZeroAddress)).to.equal(false);
      });

      it("are false while the participant is suspended", async function () {
        await c.registry.suspend(c.holderId, ethers.encodeBytes32String("review"));
        expect(await c.token.canSend(c.holder.address)).to.equal(false);
        expect(await c.token.canReceive(c.holder.address)).to.equal(false);
      });

      it("are false while the account is frozen, and true again after unfreeze", async function () {
        await c.token.freeze(c.holder.address, REASON);
        expect(await c.token.canSend(c.holder.address)).to.equal(false);
        expect(await c.token.canReceive(c.holder.address)).to.equal(false);
        await c.token.unfreeze(c.holder.address, REASON);
        expect(await c.token.canSend(c.holder.address)).to.equal(true);
        expect(await c.token.canReceive(c.holder.address)).to.equal(true);
      });

      it("do not depend on the balance or on frozen units", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL);
        expect(await c.token.canSend(c.holder.address)).to.equal(true);
        expect(await c.token.canReceive(c.other.address)).to.equal(true);
      });
    });

    describe("canTransfer", function () {
      it("is true for a transfer between active participants within the free balance", async function () {
        expect(await c.token.canTransfer(c.holder.address, c.other.address, TRANSFER_AMOUNT)).to.equal(true);
      });

      it("is false above the balance", async function () {
        expect(await c.token.canTransfer(c.holder.address, c.other.address, INITIAL + 1n)).to.equal(false);
      });

      it("is false from a suspended participant", async function () {
        await c.registry.suspend(c.holderId, ethers.encodeBytes32String("review"));
        expect(await c.token.canTransfer(c.holder.address, c.other.address, TRANSFER_AMOUNT)).to.equal(false);
      });

      it("is false to an account that is not a participant", async function () {
        expect(await c.token.canTransfer(c.holder.address, c.stranger.address, TRANSFER_AMOUNT)).to.equal(false);
      });

      it("is false to the zero address", async function () {
        expect(await c.token.canTransfer(c.holder.address, ethers.ZeroAddress, TRANSFER_AMOUNT)).to.equal(false);
      });

      it("is false from or to a frozen account", async function () {
        await c.token.freeze(c.other.address, REASON);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, 1n)).to.equal(false);
        expect(await c.token.canTransfer(c.other.address, c.holder.address, 0n)).to.equal(false);
      });

      it("is false while the token is paused", async function () {
        await c.token.pause(REASON);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, 1n)).to.equal(false);
      });

      it("counts units frozen by setFrozenTokens and units a locker encumbered", async function () {
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, FREEZE_AMOUNT);
        const free = INITIAL - 2n * FREEZE_AMOUNT;
        expect(await c.token.canTransfer(c.holder.address, c.other.address, free)).to.equal(true);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, free + 1n)).to.equal(false);
      });

      it("agrees with the outcome of the transfer itself (property)", async function () {
        const { token, holder, other, registry, holderId, locker } = c;
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              frozen: fc.bigInt({ min: 0n, max: 1000n }),
              locked: fc.bigInt({ min: 0n, max: 1000n }),
              amount: fc.bigInt({ min: 0n, max: 1100n }),
              freezeSender: fc.boolean(),
              freezeReceiver: fc.boolean(),
              suspend: fc.boolean(),
              paused: fc.boolean(),
            }),
            async (s) => {
              await loadFixture(fixture);
              const locked = s.locked;
              const frozen = locked + ((1000n - locked) * s.frozen) / 1000n;
              if (locked > 0n) await token.connect(locker).encumber(holder.address, 1n, locked * u);
              await token.setFrozenTokens(holder.address, frozen * u);
              if (s.freezeSender) await token.freeze(holder.address, REASON);
              if (s.freezeReceiver) await token.freeze(other.address, REASON);
              if (s.suspend) await registry.suspend(holderId, ethers.encodeBytes32String("review"));
              if (s.paused) await token.pause(REASON);
              const amount = s.amount * u;
              const allowed = await token.canTransfer(holder.address, other.address, amount);
              const passes = await token
                .connect(holder)
                .transfer.staticCall(other.address, amount)
                .then(
                  () => true,
                  () => false,
                );
              expect(allowed).to.equal(passes);
            },
          ),
          { numRuns: propertyRuns(25) },
        );
      });
    });

    describe("setFrozenTokens and getFrozenTokens", function () {
      it("freezes an amount and emits Frozen", async function () {
        await expect(c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT))
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, FREEZE_AMOUNT);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(FREEZE_AMOUNT);
      });

      it("overwrites the frozen amount upwards and downwards, each time with Frozen", async function () {
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        await expect(c.token.setFrozenTokens(c.holder.address, 2n * FREEZE_AMOUNT))
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, 2n * FREEZE_AMOUNT);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(2n * FREEZE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT / 2n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(FREEZE_AMOUNT / 2n);
      });

      it("unfreezes with zero and emits Frozen with zero", async function () {
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        await expect(c.token.setFrozenTokens(c.holder.address, 0n)).to.emit(c.token, "Frozen").withArgs(c.holder.address, 0n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
      });

      it("refuses a caller without AGENT_ROLE, to freeze or to unfreeze", async function () {
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        for (const amount of [2n * FREEZE_AMOUNT, 0n]) {
          await expect(c.token.connect(c.other).setFrozenTokens(c.holder.address, amount))
            .to.be.revertedWithCustomError(c.token, "AccessControlUnauthorizedAccount")
            .withArgs(c.other.address, TOKEN_ROLES.AGENT_ROLE);
        }
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(FREEZE_AMOUNT);
      });

      it("holds the frozen units as the depository purpose (token, FROZEN_TOKENS_DEAL)", async function () {
        const deal = await c.token.FROZEN_TOKENS_DEAL();
        const self = await c.token.getAddress();
        await expect(c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT))
          .to.emit(c.token, "Encumbered")
          .withArgs(c.holder.address, self, deal, FREEZE_AMOUNT, FREEZE_AMOUNT);
        await expect(c.token.setFrozenTokens(c.holder.address, FORCE_AMOUNT))
          .to.emit(c.token, "Released")
          .withArgs(c.holder.address, self, deal, FREEZE_AMOUNT - FORCE_AMOUNT, FORCE_AMOUNT);
        expect(await c.token.encumbered(c.holder.address, self, deal)).to.equal(FORCE_AMOUNT);
      });

      it("reports encumbered + frozen: units a locker encumbered count as frozen", async function () {
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, APPROVE_AMOUNT);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(APPROVE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, APPROVE_AMOUNT + FREEZE_AMOUNT);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(APPROVE_AMOUNT + FREEZE_AMOUNT);
        expect(await c.token.totalEncumbered(c.holder.address)).to.equal(APPROVE_AMOUNT + FREEZE_AMOUNT);
        await c.token.connect(c.locker).release(c.holder.address, 7n, APPROVE_AMOUNT);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(FREEZE_AMOUNT);
      });

      it("refuses to unfreeze units a locker encumbered, and changes nothing", async function () {
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, APPROVE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, APPROVE_AMOUNT + 1n);
        await expect(c.token.setFrozenTokens(c.holder.address, APPROVE_AMOUNT - 1n))
          .to.be.revertedWithCustomError(c.token, "TokenFrozenBelowEncumbered")
          .withArgs(c.holder.address, APPROVE_AMOUNT, APPROVE_AMOUNT - 1n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(APPROVE_AMOUNT + 1n);
        expect(await c.token.encumbered(c.holder.address, c.locker.address, 7n)).to.equal(APPROVE_AMOUNT);
      });

      it("refuses to freeze more than the balance: only units held can be locked", async function () {
        await expect(c.token.setFrozenTokens(c.holder.address, INITIAL + 1n))
          .to.be.revertedWithCustomError(c.token, "TokenInsufficientFreeBalance")
          .withArgs(c.holder.address, INITIAL, INITIAL + 1n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
      });

      it("refuses the zero address", async function () {
        await expect(c.token.setFrozenTokens(ethers.ZeroAddress, 1n)).to.be.revertedWithCustomError(c.token, "TokenZeroAccount");
      });

      it("works on a frozen account and on a paused token", async function () {
        await c.token.freeze(c.holder.address, REASON);
        await c.token.pause(REASON);
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(FREEZE_AMOUNT);
      });
    });

    describe("transfers with frozen units", function () {
      it("refuses a transfer when the whole balance is frozen", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL);
        await expect(c.token.connect(c.holder).transfer(c.other.address, TRANSFER_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(c.holder.address, TRANSFER_AMOUNT, 0n);
      });

      it("refuses a transfer above the unfrozen balance", async function () {
        const available = TRANSFER_AMOUNT / 2n;
        await c.token.setFrozenTokens(c.holder.address, INITIAL - available);
        expect(INITIAL - (await c.token.getFrozenTokens(c.holder.address))).to.equal(available);
        await expect(c.token.connect(c.holder).transfer(c.other.address, TRANSFER_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(c.holder.address, TRANSFER_AMOUNT, available);
      });

      it("moves within the unfrozen balance and leaves the frozen amount", async function () {
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        const before = await c.token.balanceOf(c.other.address);
        await expect(c.token.connect(c.holder).transfer(c.other.address, TRANSFER_AMOUNT / 2n))
          .to.emit(c.token, "Transfer")
          .withArgs(c.holder.address, c.other.address, TRANSFER_AMOUNT / 2n);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL - TRANSFER_AMOUNT / 2n);
        expect(await c.token.balanceOf(c.other.address)).to.equal(before + TRANSFER_AMOUNT / 2n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(FREEZE_AMOUNT);
      });

      it("refuses transferFrom above the unfrozen balance of the owner", async function () {
        await c.token.connect(c.holder).approve(c.other.address, APPROVE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, INITIAL - APPROVE_AMOUNT / 2n);
        await expect(c.token.connect(c.other).transferFrom(c.holder.address, c.other.address, APPROVE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(c.holder.address, APPROVE_AMOUNT, APPROVE_AMOUNT / 2n);
      });

      it("lets a spender that is not a participant move between participants", async function () {
        await c.token.connect(c.holder).approve(c.stranger.address, APPROVE_AMOUNT);
        await c.token.connect(c.stranger).transferFrom(c.holder.address, c.other.address, APPROVE_AMOUNT);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL - APPROVE_AMOUNT);
      });

      it("refuses to mint to an account that cannot receive", async function () {
        expect(await c.token.canReceive(c.stranger.address)).to.equal(false);
        await expect(c.token.mint(c.stranger.address, 1n, REASON))
          .to.be.revertedWithCustomError(c.token, "TokenNotActiveParticipant")
          .withArgs(c.stranger.address);
      });

      it("burns only unfrozen units", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL - FORCE_AMOUNT);
        await expect(c.token.burn(c.holder.address, FORCE_AMOUNT + 1n, REASON))
          .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(c.holder.address, FORCE_AMOUNT + 1n, FORCE_AMOUNT);
        await c.token.burn(c.holder.address, FORCE_AMOUNT, REASON);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(INITIAL - FORCE_AMOUNT);
      });
    });

    describe("forcedTransfer", function () {
      it("moves between participants with Transfer, then ForcedTransfer", async function () {
        const before = await c.token.balanceOf(c.other.address);
        const tx = c.token.forcedTransfer(c.holder.address, c.other.address, FORCE_AMOUNT);
        await expect(tx).to.emit(c.token, "Transfer").withArgs(c.holder.address, c.other.address, FORCE_AMOUNT);
        await expect(tx).to.emit(c.token, FORCED_TRANSFER_7943).withArgs(c.holder.address, c.other.address, FORCE_AMOUNT);
        await expect(tx).not.to.emit(c.token, "Frozen");
        expect(eventOrder(c.token, (await (await tx).wait())!)).to.deep.equal([TRANSFER, FORCED_TRANSFER_7943]);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL - FORCE_AMOUNT);
        expect(await c.token.balanceOf(c.other.address)).to.equal(before + FORCE_AMOUNT);
      });

      it("returns true", async function () {
        expect(await c.token.forcedTransfer.staticCall(c.holder.address, c.other.address, FORCE_AMOUNT)).to.equal(true);
      });

      it("moves from a sender that cannot send (suspended, frozen) and while paused", async function () {
        await c.registry.suspend(c.holderId, ethers.encodeBytes32String("review"));
        await c.token.freeze(c.holder.address, REASON);
        await c.token.pause(REASON);
        expect(await c.token.canSend(c.holder.address)).to.equal(false);
        await c.token.forcedTransfer(c.holder.address, c.other.address, FORCE_AMOUNT);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL - FORCE_AMOUNT);
      });

      it("refuses a receiver that cannot receive: not a participant, or frozen", async function () {
        await expect(c.token.forcedTransfer(c.holder.address, c.stranger.address, FORCE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC7943CannotReceive")
          .withArgs(c.stranger.address);
        await c.token.freeze(c.other.address, REASON);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, FORCE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC7943CannotReceive")
          .withArgs(c.other.address);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
      });

      it("refuses a caller without AGENT_ROLE", async function () {
        await expect(c.token.connect(c.holder).forcedTransfer(c.holder.address, c.other.address, FORCE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "AccessControlUnauthorizedAccount")
          .withArgs(c.holder.address, TOKEN_ROLES.AGENT_ROLE);
      });

      it("refuses more than the balance with ERC20InsufficientBalance", async function () {
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL + 1n))
          .to.be.revertedWithCustomError(c.token, "ERC20InsufficientBalance")
          .withArgs(c.holder.address, INITIAL, INITIAL + 1n);
      });

      it("refuses the zero address as receiver or sender, a move to oneself and a zero amount", async function () {
        await expect(c.token.forcedTransfer(c.holder.address, ethers.ZeroAddress, FORCE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
        await expect(c.token.forcedTransfer(ethers.ZeroAddress, c.other.address, FORCE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC20InvalidSender")
          .withArgs(ethers.ZeroAddress);
        await expect(c.token.forcedTransfer(c.holder.address, c.holder.address, FORCE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "TokenSelfTransfer")
          .withArgs(c.holder.address);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, 0n)).to.be.revertedWithCustomError(
          c.token,
          "TokenZeroAmount",
        );
      });

      it("takes frozen units beyond the unfrozen balance, emitting Frozen before Transfer", async function () {
        const frozen = 500n * u;
        await c.token.setFrozenTokens(c.holder.address, frozen);
        const unfrozen = INITIAL - frozen;
        const amount = unfrozen + 100n * u;
        const expected = frozen - (amount - unfrozen);
        const tx = c.token.forcedTransfer(c.holder.address, c.other.address, amount);
        await expect(tx).to.emit(c.token, "Frozen").withArgs(c.holder.address, expected);
        await expect(tx).to.emit(c.token, FORCED_TRANSFER_7943).withArgs(c.holder.address, c.other.address, amount);
        const order = eventOrder(c.token, (await (await tx).wait())!);
        expect(order.indexOf(FROZEN)).to.be.lessThan(order.indexOf(TRANSFER));
        expect(order.indexOf(TRANSFER)).to.be.lessThan(order.indexOf(FORCED_TRANSFER_7943));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(expected);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL - amount);
      });

      it("leaves the frozen amount when the unfrozen balance covers the move, exactly or with room", async function () {
        const frozen = 500n * u;
        await c.token.setFrozenTokens(c.holder.address, frozen);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL - frozen - 50n * u)).not.to.emit(c.token, "Frozen");
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, 50n * u)).not.to.emit(c.token, "Frozen");
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(frozen);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(frozen);
      });

      it("takes a wholly frozen balance and reports Frozen zero", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL))
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, 0n);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(0n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
      });

      it("takes the exact balance when nothing is frozen", async function () {
        await c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(0n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
      });

      it("never takes units a locker encumbered, and changes nothing", async function () {
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, INITIAL - FORCE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, INITIAL - FORCE_AMOUNT / 2n);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, FORCE_AMOUNT + 1n))
          .to.be.revertedWithCustomError(c.token, "TokenInsufficientFreeBalance")
          .withArgs(c.holder.address, FORCE_AMOUNT, FORCE_AMOUNT + 1n);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(INITIAL - FORCE_AMOUNT / 2n);
        await c.token.forcedTransfer(c.holder.address, c.other.address, FORCE_AMOUNT);
        expect(await c.token.encumbered(c.holder.address, c.locker.address, 7n)).to.equal(INITIAL - FORCE_AMOUNT);
      });
    });
  });
}
