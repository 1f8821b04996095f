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
  /** Participant id of `other`. */
  otherId: number;
  /** An active participant holding none of the token. */
  empty: HardhatEthersSigner;
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

/** ERC-165 interface id from function signatures, as the standard's and OpenZeppelin's suites compute it. */
function interfaceIdOf(signatures: string[]): string {
  let id = 0n;
  for (const sig of signatures) id ^= BigInt(ethers.id(sig).slice(0, 10));
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

/** The fungible interface's functions as ERC-7943 lists them. */
const ERC7943_FUNGIBLE = [
  "canTransfer(address,address,uint256)",
  "getFrozenTokens(address)",
  "setFrozenTokens(address,uint256)",
  "forcedTransfer(address,address,uint256)",
  "canSend(address)",
  "canReceive(address)",
];

/** Names of the events of `token` in the receipt, in log order. */
function eventOrder(token: CompliantToken, receipt: ContractTransactionReceipt): string[] {
  return receipt.logs.map((l) => token.interface.parseLog(l)?.signature ?? "?");
}

const TRANSFER = "Transfer(address,address,uint256)";
const FROZEN = "Frozen(address,uint256)";
const REVIEW = ethers.encodeBytes32String("review");

/**
 * ERC-7943 (uRWA), fungible interface (`IERC7943Fungible`). The cases of OpenZeppelin's community
 * `ERC20uRWA` suite (amounts of its 100-unit holder scaled to our 1000-unit one), mapped onto the depository's
 * rules: an account is "restricted" when its participant is suspended or unknown (TokenNotActiveParticipant)
 * or its account is frozen (TokenAccountFrozen); the freezer and the enforcer are the depository (AGENT_ROLE). Then
 * the cases that pin the mapping down: frozen tokens = encumbered + frozen, a freeze above the balance, the
 * books' encumbrances, forced transfers of frozen units.
 *
 * Not ported: one-way restrictions (`canSend` and `canReceive` are the same participant rule here) and a forced
 * transfer to oneself (refused here with TokenSelfTransfer).
 */
export function shouldBehaveLikeERC7943Fungible(fixture: () => Promise<ERC7943Context>): void {
  describe("ERC-7943 (uRWA) fungible", function () {
    let c: ERC7943Context;
    let u: bigint;
    let INITIAL: bigint, TRANSFER_AMOUNT: bigint, APPROVE_AMOUNT: bigint, FORCE_AMOUNT: bigint, FREEZE_AMOUNT: bigint;
    /** An amount of the community suite (whose holder has 100) at our scale (holder has 1000 × unit). */
    let n: (x: bigint) => bigint;

    beforeEach(async function () {
      c = await loadFixture(fixture);
      u = c.unit;
      n = (x) => x * 10n * u;
      INITIAL = 1000n * u;
      TRANSFER_AMOUNT = 100n * u;
      APPROVE_AMOUNT = 50n * u;
      FORCE_AMOUNT = 20n * u;
      FREEZE_AMOUNT = 30n * u;
      expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
      expect(await c.token.balanceOf(c.empty.address)).to.equal(0n);
    });

    describe("ERC-165", function () {
      it("answers true for IERC7943Fungible under the standard's id 0x3edbb4c4", async function () {
        const fromArtifact = interfaceId(await interfaceOf("IERC7943Fungible", ["supportsInterface"]));
        expect(fromArtifact).to.equal(interfaceIdOf(ERC7943_FUNGIBLE));
        expect(fromArtifact).to.equal("0x3edbb4c4");
        expect(await c.token.supportsInterface(fromArtifact)).to.equal(true);
      });

      it("answers true for IERC20 and IERC20Metadata", async function () {
        const erc20 = interfaceId(await interfaceOf("@openzeppelin/contracts/token/ERC20/IERC20.sol:IERC20"));
        const metadata = interfaceId(
          await interfaceOf("@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol:IERC20Metadata", ERC20_FUNCTIONS),
        );
        expect(erc20).to.equal(
          interfaceIdOf([
            "totalSupply()",
            "balanceOf(address)",
            "transfer(address,uint256)",
            "allowance(address,address)",
            "approve(address,uint256)",
            "transferFrom(address,address,uint256)",
          ]),
        );
        expect(metadata).to.equal(interfaceIdOf(["name()", "symbol()", "decimals()"]));
        expect(await c.token.supportsInterface(erc20)).to.equal(true);
        expect(await c.token.supportsInterface(metadata)).to.equal(true);
      });

      it("answers true for IERC165 and IAccessControl", async function () {
        const erc165 = interfaceId(await interfaceOf("IERC165"));
        expect(erc165).to.equal(interfaceIdOf(["supportsInterface(bytes4)"]));
        const accessControl = interfaceId(await interfaceOf("IAccessControl"));
        expect(await c.token.supportsInterface(erc165)).to.equal(true);
        expect(await c.token.supportsInterface(accessControl)).to.equal(true);
      });

      it("answers false for a random id, an unknown id and 0xffffffff", async function () {
        const known = [
          interfaceIdOf(ERC7943_FUNGIBLE),
          interfaceId(await interfaceOf("IERC165")),
          interfaceId(await interfaceOf("IAccessControl")),
          interfaceId(await interfaceOf("@openzeppelin/contracts/token/ERC20/IERC20.sol:IERC20")),
          interfaceId(
            await interfaceOf("@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol:IERC20Metadata", ERC20_FUNCTIONS),
          ),
        ];
        let random = ethers.hexlify(ethers.randomBytes(4));
        while (known.includes(random)) random = ethers.hexlify(ethers.randomBytes(4));
        expect(await c.token.supportsInterface(random)).to.equal(false);
        expect(await c.token.supportsInterface("0xdeadbeef")).to.equal(false);
        expect(await c.token.supportsInterface("0xffffffff")).to.equal(false);
      });
    });

    describe("combined restriction and freezing (transfer)", function () {
      it("allows a transfer when both are allowed and the unfrozen balance suffices", async function () {
        await expect(c.token.connect(c.holder).transfer(c.other.address, n(3n))).to.changeTokenBalances(
          c.token,
          [c.holder, c.other],
          [-n(3n), n(3n)],
        );
      });

      it("refuses a restricted sender: suspended participant, or frozen account", async function () {
        await c.registry.suspend(c.holderId, REVIEW);
        await expect(c.token.connect(c.holder).transfer(c.other.address, n(3n)))
          .to.be.revertedWithCustomError(c.token, "TokenNotActiveParticipant")
          .withArgs(c.holder.address);
        await c.registry.reinstate(c.holderId, REVIEW);
        await c.token.freeze(c.holder.address, REASON);
        await expect(c.token.connect(c.holder).transfer(c.other.address, n(3n)))
          .to.be.revertedWithCustomError(c.token, "TokenAccountFrozen")
          .withArgs(c.holder.address);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
      });

      it("refuses a restricted recipient: unknown, suspended participant, or frozen account", async function () {
        await expect(c.token.connect(c.holder).transfer(c.stranger.address, n(3n)))
          .to.be.revertedWithCustomError(c.token, "TokenNotActiveParticipant")
          .withArgs(c.stranger.address);
        await c.registry.suspend(c.otherId, REVIEW);
        await expect(c.token.connect(c.holder).transfer(c.other.address, n(3n)))
          .to.be.revertedWithCustomError(c.token, "TokenNotActiveParticipant")
          .withArgs(c.other.address);
        await c.registry.reinstate(c.otherId, REVIEW);
        await c.token.freeze(c.other.address, REASON);
        await expect(c.token.connect(c.holder).transfer(c.other.address, n(3n)))
          .to.be.revertedWithCustomError(c.token, "TokenAccountFrozen")
          .withArgs(c.other.address);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
      });

      it("refuses a sender short of unfrozen balance with ERC7943InsufficientUnfrozenBalance", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(80n));
        await expect(c.token.connect(c.holder).transfer(c.other.address, n(30n)))
          .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(c.holder.address, n(30n), INITIAL - n(80n));
      });

      it("refuses more than the balance with ERC20InsufficientBalance, frozen units or not", async function () {
        await expect(c.token.connect(c.holder).transfer(c.other.address, INITIAL + 1n))
          .to.be.revertedWithCustomError(c.token, "ERC20InsufficientBalance")
          .withArgs(c.holder.address, INITIAL, INITIAL + 1n);
        await c.token.setFrozenTokens(c.holder.address, n(80n));
        await expect(c.token.connect(c.holder).transfer(c.other.address, INITIAL + 1n))
          .to.be.revertedWithCustomError(c.token, "ERC20InsufficientBalance")
          .withArgs(c.holder.address, INITIAL, INITIAL + 1n);
      });

      it("allows a transfer when both the restrictions and the freeze allow it", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(20n));
        await expect(c.token.connect(c.holder).transfer(c.other.address, n(30n))).to.changeTokenBalances(
          c.token,
          [c.holder, c.other],
          [-n(30n), n(30n)],
        );
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
        await c.registry.suspend(c.holderId, REVIEW);
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

      it("do not depend on the balance or on frozen units, even above the balance", async function () {
        await c.token.setFrozenTokens(c.holder.address, 2n * INITIAL);
        expect(await c.token.canSend(c.holder.address)).to.equal(true);
        expect(await c.token.canReceive(c.holder.address)).to.equal(true);
        expect(await c.token.canSend(c.empty.address)).to.equal(true);
      });
    });

    describe("canTransfer", function () {
      it("is true when all conditions are met", async function () {
        expect(await c.token.canTransfer(c.holder.address, c.other.address, n(3n))).to.equal(true);
      });

      it("is false when the sender is restricted (suspended, or frozen account)", async function () {
        await c.registry.suspend(c.holderId, REVIEW);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, n(3n))).to.equal(false);
        await c.registry.reinstate(c.holderId, REVIEW);
        await c.token.freeze(c.holder.address, REASON);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, n(3n))).to.equal(false);
      });

      it("is false when the recipient is restricted (unknown, suspended, frozen account, zero address)", async function () {
        expect(await c.token.canTransfer(c.holder.address, c.stranger.address, n(3n))).to.equal(false);
        expect(await c.token.canTransfer(c.holder.address, ethers.ZeroAddress, n(3n))).to.equal(false);
        await c.registry.suspend(c.otherId, REVIEW);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, n(3n))).to.equal(false);
        await c.registry.reinstate(c.otherId, REVIEW);
        await c.token.freeze(c.other.address, REASON);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, n(3n))).to.equal(false);
      });

      it("is false, in both directions, while either side is restricted (the rule is two-way here)", async function () {
        await c.token.freeze(c.other.address, REASON);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, 1n)).to.equal(false);
        expect(await c.token.canTransfer(c.other.address, c.holder.address, 0n)).to.equal(false);
      });

      it("is false when the amount exceeds the unfrozen balance but is within the balance", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(80n));
        expect(await c.token.canTransfer(c.holder.address, c.other.address, n(30n))).to.equal(false);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, n(20n))).to.equal(true);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, n(20n) + 1n)).to.equal(false);
      });

      it("is true when the amount exceeds the balance: that is the ERC-20 rule, not a permissioned one", async function () {
        expect(await c.token.canTransfer(c.holder.address, c.other.address, INITIAL + 1n)).to.equal(true);
        await c.token.setFrozenTokens(c.holder.address, INITIAL);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, INITIAL + 1n)).to.equal(true);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, ethers.MaxUint256)).to.equal(true);
      });

      it("is true for a participant holding nothing", async function () {
        expect(await c.token.canTransfer(c.empty.address, c.other.address, 1n)).to.equal(true);
      });

      it("is false while the token is paused", async function () {
        await c.token.pause(REASON);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, 1n)).to.equal(false);
      });

      it("counts units frozen by setFrozenTokens and units a locker encumbered", async function () {
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, FREEZE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, 2n * FREEZE_AMOUNT);
        const free = INITIAL - 2n * FREEZE_AMOUNT;
        expect(await c.token.canTransfer(c.holder.address, c.other.address, free)).to.equal(true);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, free + 1n)).to.equal(false);
      });

      it("is false for any amount within the balance while the freeze exceeds it", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL + 1n);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, 1n)).to.equal(false);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, INITIAL)).to.equal(false);
        expect(await c.token.canTransfer(c.holder.address, c.other.address, 0n)).to.equal(true);
        await expect(c.token.connect(c.holder).transfer(c.other.address, 0n)).not.to.be.reverted;
      });

      it("agrees with the outcome of the transfer itself (property)", async function () {
        const { token, holder, other, registry, holderId, locker } = c;
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              frozen: fc.bigInt({ min: 0n, max: 1500n }),
              locked: fc.bigInt({ min: 0n, max: 1000n }),
              amount: fc.bigInt({ min: 0n, max: 1100n }),
              freezeSender: fc.boolean(),
              freezeReceiver: fc.boolean(),
              suspend: fc.boolean(),
              paused: fc.boolean(),
            }),
            async (s) => {
              await loadFixture(fixture);
              if (s.locked > 0n) await token.connect(locker).encumber(holder.address, 1n, s.locked * u);
              // The freeze: the locker's units plus up to 1500 more, up to half again the balance.
              await token.setFrozenTokens(holder.address, (s.locked + s.frozen) * u);
              if (s.freezeSender) await token.freeze(holder.address, REASON);
              if (s.freezeReceiver) await token.freeze(other.address, REASON);
              if (s.suspend) await registry.suspend(holderId, REVIEW);
              if (s.paused) await token.pause(REASON);
              const amount = s.amount * u;
              const allowed = await token.canTransfer(holder.address, other.address, amount);
              const transfer = token.connect(holder).transfer.staticCall(other.address, amount);
              const permitted = !s.freezeSender && !s.freezeReceiver && !s.suspend && !s.paused;
              if (amount > INITIAL) {
                // Above the balance: canTransfer answers for the permissioned rules only, ERC-20 refuses.
                expect(allowed).to.equal(permitted);
                if (permitted) await expect(transfer).to.be.revertedWithCustomError(token, "ERC20InsufficientBalance");
                else await expect(transfer).to.be.reverted;
              } else {
                const passes = await transfer.then(
                  () => true,
                  () => false,
                );
                expect(allowed).to.equal(passes);
              }
            },
          ),
          { numRuns: propertyRuns(25) },
        );
      });
    });

    describe("getFrozenTokens", function () {
      it("is zero for a holder with nothing frozen", async function () {
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
        expect(await c.token.getFrozenTokens(c.empty.address)).to.equal(0n);
      });

      it("returns the frozen amount", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(40n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(n(40n));
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
    });

    describe("setFrozenTokens", function () {
      it("lets the depository (AGENT_ROLE) set the frozen amount, with Frozen", async function () {
        await expect(c.token.setFrozenTokens(c.holder.address, n(50n)))
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, n(50n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(n(50n));
        expect(await c.token.freeBalance(c.holder.address)).to.equal(INITIAL - n(50n));
      });

      it("returns true", async function () {
        expect(await c.token.setFrozenTokens.staticCall(c.holder.address, n(50n))).to.equal(true);
        expect(await c.token.setFrozenTokens.staticCall(c.holder.address, ethers.MaxUint256)).to.equal(true);
      });

      it("refuses a caller without AGENT_ROLE, to freeze or to unfreeze, and changes nothing", async function () {
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        for (const [who, amount] of [
          [c.other, 2n * FREEZE_AMOUNT],
          [c.holder, 0n],
          [c.stranger, INITIAL + 1n],
          [c.locker, 0n],
        ] as const) {
          await expect(c.token.connect(who).setFrozenTokens(c.holder.address, amount))
            .to.be.revertedWithCustomError(c.token, "AccessControlUnauthorizedAccount")
            .withArgs(who.address, TOKEN_ROLES.AGENT_ROLE);
        }
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(FREEZE_AMOUNT);
      });

      it("overwrites the frozen amount upwards and downwards, each time with Frozen", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(30n));
        await expect(c.token.setFrozenTokens(c.holder.address, n(70n)))
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, n(70n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(n(70n));
        await c.token.setFrozenTokens(c.holder.address, n(15n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(n(15n));
      });

      it("unfreezes with zero and emits Frozen with zero", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(60n));
        await expect(c.token.setFrozenTokens(c.holder.address, 0n)).to.emit(c.token, "Frozen").withArgs(c.holder.address, 0n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
        expect(await c.token.freeBalance(c.holder.address)).to.equal(INITIAL);
      });

      it("accepts and records more than the balance, for future balances withholding", async function () {
        const requested = INITIAL + n(1n);
        await expect(c.token.setFrozenTokens(c.holder.address, requested)).to.emit(c.token, "Frozen").withArgs(c.holder.address, requested);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(requested);
        expect(await c.token.freeBalance(c.holder.address)).to.equal(0n);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
      });

      it("accepts a freeze on an account that holds nothing, and any uint256", async function () {
        await c.token.setFrozenTokens(c.empty.address, n(30n));
        expect(await c.token.getFrozenTokens(c.empty.address)).to.equal(n(30n));
        await expect(c.token.setFrozenTokens(c.holder.address, ethers.MaxUint256))
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, ethers.MaxUint256);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(ethers.MaxUint256);
        expect(await c.token.freeBalance(c.holder.address)).to.equal(0n);
        await c.token.setFrozenTokens(c.holder.address, n(10n));
        expect(await c.token.freeBalance(c.holder.address)).to.equal(INITIAL - n(10n));
      });

      it("withholds incoming units while the freeze exceeds the balance", async function () {
        await c.token.setFrozenTokens(c.empty.address, n(30n));
        await c.token.connect(c.holder).transfer(c.empty.address, n(20n));
        // Everything received (20) is still covered by the freeze (30).
        expect(await c.token.freeBalance(c.empty.address)).to.equal(0n);
        await expect(c.token.connect(c.empty).transfer(c.holder.address, 1n))
          .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(c.empty.address, 1n, 0n);
        // Beyond the freeze, received units are free.
        await c.token.mint(c.empty.address, n(15n), REASON);
        expect(await c.token.freeBalance(c.empty.address)).to.equal(n(5n));
        await c.token.connect(c.empty).transfer(c.holder.address, n(5n));
        await expect(c.token.connect(c.empty).transfer(c.holder.address, 1n)).to.be.revertedWithCustomError(
          c.token,
          "ERC7943InsufficientUnfrozenBalance",
        );
        expect(await c.token.getFrozenTokens(c.empty.address)).to.equal(n(30n));
      });

      it("withholds units a locker releases while the freeze exceeds what it leaves free", async function () {
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, n(60n));
        await c.token.setFrozenTokens(c.holder.address, INITIAL + n(10n));
        await c.token.connect(c.locker).release(c.holder.address, 7n, n(60n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(INITIAL - n(50n));
        expect(await c.token.freeBalance(c.holder.address)).to.equal(n(50n));
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

      it("holds the freeze as the depository purpose (token, FROZEN_TOKENS_DEAL), above the balance too", async function () {
        const deal = await c.token.FROZEN_TOKENS_DEAL();
        const self = await c.token.getAddress();
        await expect(c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT))
          .to.emit(c.token, "Encumbered")
          .withArgs(c.holder.address, self, deal, FREEZE_AMOUNT, FREEZE_AMOUNT);
        await expect(c.token.setFrozenTokens(c.holder.address, FORCE_AMOUNT))
          .to.emit(c.token, "Released")
          .withArgs(c.holder.address, self, deal, FREEZE_AMOUNT - FORCE_AMOUNT, FORCE_AMOUNT);
        expect(await c.token.encumbered(c.holder.address, self, deal)).to.equal(FORCE_AMOUNT);
        await expect(c.token.setFrozenTokens(c.holder.address, 2n * INITIAL))
          .to.emit(c.token, "Encumbered")
          .withArgs(c.holder.address, self, deal, 2n * INITIAL - FORCE_AMOUNT, 2n * INITIAL);
        expect(await c.token.encumbered(c.holder.address, self, deal)).to.equal(2n * INITIAL);
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

    describe("the freeze above SUPPLY_CAP", function () {
      it("counts the books' encumbrances beside a freeze of any size, exactly", async function () {
        const deal = await c.token.FROZEN_TOKENS_DEAL();
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, APPROVE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, ethers.MaxUint256);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(ethers.MaxUint256);
        // The locker moves its units, still encumbered, to a holder frozen far beyond the supply cap.
        await c.token.setFrozenTokens(c.other.address, ethers.MaxUint256 - 1n);
        await c.token.connect(c.locker).moveEncumbered(c.holder.address, c.other.address, 7n, APPROVE_AMOUNT, true);
        expect(await c.token.getFrozenTokens(c.other.address)).to.equal(ethers.MaxUint256);
        expect(await c.token.freeBalance(c.other.address)).to.equal(0n);
        // Lowered to the locker's units, the freeze leaves the rest free again.
        await c.token.setFrozenTokens(c.other.address, APPROVE_AMOUNT);
        expect(await c.token.encumbered(c.other.address, await c.token.getAddress(), deal)).to.equal(0n);
        expect(await c.token.freeBalance(c.other.address)).to.equal((await c.token.balanceOf(c.other.address)) - APPROVE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, 0n);
        expect(await c.token.freeBalance(c.holder.address)).to.equal(INITIAL - APPROVE_AMOUNT);
      });

      it("lowers by agentRelease on the freeze purpose, with Released and Frozen", async function () {
        const deal = await c.token.FROZEN_TOKENS_DEAL();
        const self = await c.token.getAddress();
        const huge = (await c.token.SUPPLY_CAP()) + 5n;
        await c.token.setFrozenTokens(c.holder.address, huge);
        const tx = c.token.agentRelease(c.holder.address, deal, huge - INITIAL);
        await expect(tx)
          .to.emit(c.token, "Released")
          .withArgs(c.holder.address, self, deal, huge - INITIAL, INITIAL);
        await expect(tx).to.emit(c.token, "Frozen").withArgs(c.holder.address, INITIAL);
        expect(await c.token.freeBalance(c.holder.address)).to.equal(0n);
        await c.token.agentRelease(c.holder.address, deal, 1n);
        expect(await c.token.freeBalance(c.holder.address)).to.equal(1n);
        await expect(c.token.agentRelease(c.holder.address, deal, INITIAL))
          .to.be.revertedWithCustomError(c.token, "TokenInsufficientEncumbrance")
          .withArgs(c.holder.address, self, deal, INITIAL - 1n, INITIAL);
        await expect(c.token.connect(c.locker).agentRelease(c.holder.address, deal, 1n))
          .to.be.revertedWithCustomError(c.token, "AccessControlUnauthorizedAccount")
          .withArgs(c.locker.address, TOKEN_ROLES.AGENT_ROLE);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(INITIAL - 1n);
      });

      it("raises by agentEncumber on the freeze purpose, from free units only, with Frozen", async function () {
        const deal = await c.token.FROZEN_TOKENS_DEAL();
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        await expect(c.token.agentEncumber(c.holder.address, deal, FORCE_AMOUNT))
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, FREEZE_AMOUNT + FORCE_AMOUNT);
        await c.token.setFrozenTokens(c.holder.address, INITIAL + 1n);
        await expect(c.token.agentEncumber(c.holder.address, deal, 1n))
          .to.be.revertedWithCustomError(c.token, "TokenInsufficientFreeBalance")
          .withArgs(c.holder.address, 0n, 1n);
      });
    });

    describe("transfers with frozen units", function () {
      it("refuses a transfer when the whole balance is frozen", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL);
        await expect(c.token.connect(c.holder).transfer(c.other.address, TRANSFER_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(c.holder.address, TRANSFER_AMOUNT, 0n);
      });

      it("moves within the unfrozen balance and leaves the frozen amount", async function () {
        await c.token.setFrozenTokens(c.holder.address, FREEZE_AMOUNT);
        await expect(c.token.connect(c.holder).transfer(c.other.address, TRANSFER_AMOUNT / 2n)).to.changeTokenBalances(
          c.token,
          [c.holder, c.other],
          [-TRANSFER_AMOUNT / 2n, TRANSFER_AMOUNT / 2n],
        );
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(FREEZE_AMOUNT);
      });

      it("lets a spender that is not a participant move between participants", async function () {
        await c.token.connect(c.holder).approve(c.stranger.address, APPROVE_AMOUNT);
        await c.token.connect(c.stranger).transferFrom(c.holder.address, c.other.address, APPROVE_AMOUNT);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL - APPROVE_AMOUNT);
      });
    });

    describe("forcedTransfer", function () {
      it("lets the depository (AGENT_ROLE) force a transfer: Transfer, then ForcedTransfer", async function () {
        const tx = c.token.forcedTransfer(c.holder.address, c.other.address, n(40n));
        await expect(tx).to.changeTokenBalances(c.token, [c.holder, c.other], [-n(40n), n(40n)]);
        await expect(tx).to.emit(c.token, FORCED_TRANSFER_7943).withArgs(c.holder.address, c.other.address, n(40n));
        await expect(tx).not.to.emit(c.token, "Frozen");
        expect(eventOrder(c.token, (await (await tx).wait())!)).to.deep.equal([TRANSFER, FORCED_TRANSFER_7943]);
      });

      it("returns true", async function () {
        expect(await c.token.forcedTransfer.staticCall(c.holder.address, c.other.address, FORCE_AMOUNT)).to.equal(true);
      });

      it("refuses a caller without AGENT_ROLE, and changes nothing", async function () {
        for (const who of [c.holder, c.other, c.stranger, c.locker]) {
          await expect(c.token.connect(who).forcedTransfer(c.holder.address, c.other.address, n(40n)))
            .to.be.revertedWithCustomError(c.token, "AccessControlUnauthorizedAccount")
            .withArgs(who.address, TOKEN_ROLES.AGENT_ROLE);
        }
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
      });

      it("refuses a restricted recipient with ERC7943CannotReceive: unknown, suspended, frozen account", async function () {
        await expect(c.token.forcedTransfer(c.holder.address, c.stranger.address, n(40n)))
          .to.be.revertedWithCustomError(c.token, "ERC7943CannotReceive")
          .withArgs(c.stranger.address);
        await c.registry.suspend(c.otherId, REVIEW);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, n(40n)))
          .to.be.revertedWithCustomError(c.token, "ERC7943CannotReceive")
          .withArgs(c.other.address);
        await c.registry.reinstate(c.otherId, REVIEW);
        await c.token.freeze(c.other.address, REASON);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, n(40n)))
          .to.be.revertedWithCustomError(c.token, "ERC7943CannotReceive")
          .withArgs(c.other.address);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL);
      });

      it("moves from a sender that cannot send (frozen account)", async function () {
        await c.token.freeze(c.holder.address, REASON);
        expect(await c.token.canSend(c.holder.address)).to.equal(false);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, n(40n))).to.changeTokenBalances(
          c.token,
          [c.holder, c.other],
          [-n(40n), n(40n)],
        );
      });

      it("moves from a restricted sender (suspended participant) and while paused", async function () {
        await c.registry.suspend(c.holderId, REVIEW);
        await c.token.pause(REASON);
        const tx = c.token.forcedTransfer(c.holder.address, c.other.address, n(40n));
        await expect(tx).to.emit(c.token, FORCED_TRANSFER_7943).withArgs(c.holder.address, c.other.address, n(40n));
        await expect(tx).to.changeTokenBalances(c.token, [c.holder, c.other], [-n(40n), n(40n)]);
      });

      it("moves frozen tokens beyond the unfrozen balance", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(60n));
        const tx = c.token.forcedTransfer(c.holder.address, c.other.address, n(80n));
        await expect(tx).to.emit(c.token, FORCED_TRANSFER_7943).withArgs(c.holder.address, c.other.address, n(80n));
        await expect(tx).to.changeTokenBalances(c.token, [c.holder, c.other], [-n(80n), n(80n)]);
      });

      it("emits a single Frozen, before the Transfer, when it unfreezes", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL);
        const receipt = (await (await c.token.forcedTransfer(c.holder.address, c.other.address, n(40n))).wait())!;
        const order = eventOrder(c.token, receipt);
        expect(order.filter((e) => e === FROZEN)).to.have.lengthOf(1);
        const frozen = receipt.logs.map((l) => c.token.interface.parseLog(l)).find((e) => e?.signature === FROZEN)!;
        expect([...frozen.args]).to.deep.equal([c.holder.address, INITIAL - n(40n)]);
        expect(order.indexOf(FROZEN)).to.be.lessThan(order.indexOf(TRANSFER));
        expect(order.indexOf(TRANSFER)).to.be.lessThan(order.indexOf(FORCED_TRANSFER_7943));
      });

      it("lowers the freeze by the frozen units it takes", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(80n));
        await c.token.forcedTransfer(c.holder.address, c.other.address, n(70n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(INITIAL - n(70n));
      });

      it("leaves the freeze when the unfrozen balance covers the move, exactly or with room", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(30n));
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, n(20n))).not.to.emit(c.token, "Frozen");
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL - n(50n))).not.to.emit(c.token, "Frozen");
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(n(30n));
        expect(await c.token.balanceOf(c.holder.address)).to.equal(n(30n));
      });

      it("takes a wholly frozen balance and reports Frozen zero", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL))
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, 0n);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(0n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
      });

      it("unfreezes exactly what it takes when the freeze exceeds the balance: the withholding beyond stays", async function () {
        const deal = await c.token.FROZEN_TOKENS_DEAL();
        const self = await c.token.getAddress();
        const frozen = INITIAL + n(50n);
        await c.token.setFrozenTokens(c.holder.address, frozen);
        const tx = c.token.forcedTransfer(c.holder.address, c.other.address, n(10n));
        await expect(tx)
          .to.emit(c.token, "Released")
          .withArgs(c.holder.address, self, deal, n(10n), frozen - n(10n));
        await expect(tx)
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, frozen - n(10n));
        expect(await c.token.balanceOf(c.holder.address)).to.equal(INITIAL - n(10n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(frozen - n(10n));
        expect(await c.token.freeBalance(c.holder.address)).to.equal(0n);
        // The whole balance goes, and the freeze keeps withholding the same quantity beyond it.
        await c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL - n(10n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(n(50n));
        await c.token.mint(c.holder.address, n(60n), REASON);
        expect(await c.token.freeBalance(c.holder.address)).to.equal(n(10n));
      });

      it("takes the exact balance when nothing is frozen", async function () {
        await c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL);
        expect(await c.token.balanceOf(c.holder.address)).to.equal(0n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(0n);
      });

      it("refuses more than the balance with ERC20InsufficientBalance, the freeze above it or not", async function () {
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL + 1n))
          .to.be.revertedWithCustomError(c.token, "ERC20InsufficientBalance")
          .withArgs(c.holder.address, INITIAL, INITIAL + 1n);
        await c.token.setFrozenTokens(c.holder.address, 2n * INITIAL);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, INITIAL + 1n))
          .to.be.revertedWithCustomError(c.token, "ERC20InsufficientBalance")
          .withArgs(c.holder.address, INITIAL, INITIAL + 1n);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(2n * INITIAL);
      });

      it("refuses the zero address as receiver or sender, and a zero amount", async function () {
        await expect(c.token.forcedTransfer(c.holder.address, ethers.ZeroAddress, FORCE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
        await expect(c.token.forcedTransfer(ethers.ZeroAddress, c.other.address, FORCE_AMOUNT))
          .to.be.revertedWithCustomError(c.token, "ERC20InvalidSender")
          .withArgs(ethers.ZeroAddress);
        await expect(c.token.forcedTransfer(c.holder.address, c.other.address, 0n)).to.be.revertedWithCustomError(
          c.token,
          "TokenZeroAmount",
        );
      });

      it("refuses a forced transfer to oneself, and leaves the freeze (no unfreeze without a move)", async function () {
        await c.token.setFrozenTokens(c.holder.address, INITIAL);
        await expect(c.token.forcedTransfer(c.holder.address, c.holder.address, INITIAL))
          .to.be.revertedWithCustomError(c.token, "TokenSelfTransfer")
          .withArgs(c.holder.address);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(INITIAL);
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
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(INITIAL - FORCE_AMOUNT);
      });
    });

    describe("forceTransfer naming the freeze", function () {
      it("takes the frozen units held, lowers the freeze by them and keeps the withholding beyond", async function () {
        const deal = await c.token.FROZEN_TOKENS_DEAL();
        const self = await c.token.getAddress();
        await c.token.setFrozenTokens(c.holder.address, INITIAL + n(50n));
        const tx = c.token.forceTransfer(c.holder.address, c.other.address, n(30n), self, deal, REASON);
        await expect(tx)
          .to.emit(c.token, "Frozen")
          .withArgs(c.holder.address, INITIAL + n(20n));
        await expect(tx).to.changeTokenBalances(c.token, [c.holder, c.other], [-n(30n), n(30n)]);
        const order = eventOrder(c.token, (await (await tx).wait())!);
        expect(order.indexOf(FROZEN)).to.be.lessThan(order.indexOf(TRANSFER));
        expect(await c.token.freeBalance(c.holder.address)).to.equal(0n);
      });

      it("takes the rest from the free balance, and no more", async function () {
        const deal = await c.token.FROZEN_TOKENS_DEAL();
        const self = await c.token.getAddress();
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, n(50n));
        await c.token.setFrozenTokens(c.holder.address, n(80n));
        await expect(c.token.forceTransfer(c.holder.address, c.other.address, INITIAL - n(50n) + 1n, self, deal, REASON))
          .to.be.revertedWithCustomError(c.token, "TokenInsufficientFreeBalance")
          .withArgs(c.holder.address, INITIAL - n(50n), INITIAL - n(50n) + 1n);
        await c.token.forceTransfer(c.holder.address, c.other.address, INITIAL - n(50n), self, deal, REASON);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(n(50n));
        expect(await c.token.encumbered(c.holder.address, c.locker.address, 7n)).to.equal(n(50n));
      });

      it("moves a locker's units under a freeze above the balance (consumed units move as they are)", async function () {
        await c.token.connect(c.locker).encumber(c.holder.address, 7n, n(50n));
        await c.token.setFrozenTokens(c.holder.address, 2n * INITIAL);
        await c.token.forceTransfer(c.holder.address, c.other.address, n(20n), c.locker.address, 7n, REASON);
        expect(await c.token.encumbered(c.holder.address, c.locker.address, 7n)).to.equal(n(30n));
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(2n * INITIAL - n(20n));
        await expect(c.token.forceTransfer(c.holder.address, c.other.address, n(30n) + 1n, c.locker.address, 7n, REASON))
          .to.be.revertedWithCustomError(c.token, "TokenInsufficientFreeBalance")
          .withArgs(c.holder.address, n(30n), n(30n) + 1n);
      });
    });

    describe("minting and burning", function () {
      it("mints to a participant", async function () {
        await expect(c.token.mint(c.other.address, n(4n), REASON)).to.changeTokenBalance(c.token, c.other, n(4n));
      });

      it("refuses to mint to an account that cannot receive", async function () {
        expect(await c.token.canReceive(c.stranger.address)).to.equal(false);
        await expect(c.token.mint(c.stranger.address, 1n, REASON))
          .to.be.revertedWithCustomError(c.token, "TokenNotActiveParticipant")
          .withArgs(c.stranger.address);
        await c.registry.suspend(c.otherId, REVIEW);
        await expect(c.token.mint(c.other.address, 1n, REASON))
          .to.be.revertedWithCustomError(c.token, "TokenNotActiveParticipant")
          .withArgs(c.other.address);
      });

      it("mints to a holder with frozen tokens", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(20n));
        await expect(c.token.mint(c.holder.address, n(4n), REASON)).to.changeTokenBalance(c.token, c.holder, n(4n));
      });

      it("burns from a holder with enough unfrozen units", async function () {
        await expect(c.token.burn(c.holder.address, n(42n), REASON)).to.changeTokenBalance(c.token, c.holder, -n(42n));
      });

      it("refuses to burn from a restricted holder", async function () {
        await c.registry.suspend(c.holderId, REVIEW);
        await expect(c.token.burn(c.holder.address, n(42n), REASON))
          .to.be.revertedWithCustomError(c.token, "TokenNotActiveParticipant")
          .withArgs(c.holder.address);
      });

      it("burns only unfrozen units", async function () {
        await c.token.setFrozenTokens(c.holder.address, n(70n));
        await expect(c.token.burn(c.holder.address, n(42n), REASON))
          .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
          .withArgs(c.holder.address, n(42n), INITIAL - n(70n));
        await c.token.burn(c.holder.address, INITIAL - n(70n), REASON);
        expect(await c.token.getFrozenTokens(c.holder.address)).to.equal(n(70n));
      });
    });

    describe("approval and transferFrom", function () {
      it("approves regardless of restrictions and frozen units", async function () {
        await c.registry.suspend(c.holderId, REVIEW);
        await c.token.setFrozenTokens(c.holder.address, n(80n));
        await c.token.connect(c.holder).approve(c.other.address, n(40n));
        expect(await c.token.allowance(c.holder.address, c.other.address)).to.equal(n(40n));
      });

      describe("with an allowance", function () {
        beforeEach(async function () {
          await c.token.connect(c.holder).approve(c.other.address, n(40n));
        });

        it("moves when every condition is met", async function () {
          await expect(c.token.connect(c.other).transferFrom(c.holder.address, c.empty.address, n(40n))).to.changeTokenBalances(
            c.token,
            [c.holder, c.empty],
            [-n(40n), n(40n)],
          );
        });

        it("refuses a restricted owner", async function () {
          await c.registry.suspend(c.holderId, REVIEW);
          await expect(c.token.connect(c.other).transferFrom(c.holder.address, c.empty.address, n(40n)))
            .to.be.revertedWithCustomError(c.token, "TokenNotActiveParticipant")
            .withArgs(c.holder.address);
        });

        it("refuses a restricted recipient", async function () {
          await c.token.freeze(c.empty.address, REASON);
          await expect(c.token.connect(c.other).transferFrom(c.holder.address, c.empty.address, n(40n)))
            .to.be.revertedWithCustomError(c.token, "TokenAccountFrozen")
            .withArgs(c.empty.address);
        });

        it("refuses more than the owner's unfrozen balance, and keeps the allowance", async function () {
          await c.token.setFrozenTokens(c.holder.address, n(70n));
          await expect(c.token.connect(c.other).transferFrom(c.holder.address, c.empty.address, n(40n)))
            .to.be.revertedWithCustomError(c.token, "ERC7943InsufficientUnfrozenBalance")
            .withArgs(c.holder.address, n(40n), INITIAL - n(70n));
          expect(await c.token.allowance(c.holder.address, c.other.address)).to.equal(n(40n));
        });
      });
    });
  });
}
