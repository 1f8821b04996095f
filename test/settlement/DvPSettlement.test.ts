import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { tokensFixture, REASON } from "../token/fixtures";
import { signInstruction, Trade } from "../../lib/tokens";
import { dayOfTimestamp } from "../../lib/core/dates";

async function today(): Promise<number> {
  return dayOfTimestamp(await time.latest());
}

/** Bank A sells 100 bonds to bank B for 100,000.00 RUB (cash has 2 decimals). */
async function dvpFixture() {
  const f = await tokensFixture();
  const trade: Trade = {
    security: await f.bond.getAddress(),
    quantity: 100n,
    cash: await f.cash.getAddress(),
    amount: 10_000_000n,
    seller: f.actors.bankA.address,
    buyer: f.actors.bankB.address,
    settlementDate: await today(),
    tradeRef: ethers.encodeBytes32String("T-1"),
  };
  return { ...f, trade };
}

describe("DvPSettlement", function () {
  describe("initialize", function () {
    it("cannot be initialised twice", async function () {
      const { dvp, actors } = await loadFixture(dvpFixture);
      const a = actors.csd.address;
      await expect(dvp.initialize(a, a, a)).to.be.revertedWithCustomError(dvp, "InvalidInitialization");
    });

    it("refuses a zero registry on a fresh proxy", async function () {
      const { upgrades } = await import("hardhat");
      const { actors } = await loadFixture(dvpFixture);
      const f = await ethers.getContractFactory("DvPSettlement");
      const a = actors.csd.address;
      await expect(upgrades.deployProxy(f, [a, ethers.ZeroAddress, a], { kind: "uups" }))
        .to.be.revertedWithCustomError(f, "ConsortiumZeroAddress")
        .withArgs("registry");
    });

    it("refuses a zero factory on a fresh proxy", async function () {
      const { upgrades } = await import("hardhat");
      const { actors } = await loadFixture(dvpFixture);
      const f = await ethers.getContractFactory("DvPSettlement");
      const a = actors.csd.address;
      await expect(upgrades.deployProxy(f, [a, a, ethers.ZeroAddress], { kind: "uups" }))
        .to.be.revertedWithCustomError(f, "ConsortiumZeroAddress")
        .withArgs("factory");
    });
  });

  describe("views", function () {
    it("reports the registry and factory it reads, and its version", async function () {
      const { dvp, registry, factory } = await loadFixture(dvpFixture);
      expect(await dvp.wiring()).to.deep.equal([await registry.getAddress(), await factory.getAddress()]);
      expect(await dvp.version()).to.equal("1.0.0");
    });

    it("exposes the EIP-712 domain separator signatures are made under", async function () {
      const { dvp } = await loadFixture(dvpFixture);
      const [, name, version, chainId, verifyingContract] = await dvp.eip712Domain();
      expect(await dvp.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain({ name, version, chainId, verifyingContract }));
    });
  });

  describe("instruct", function () {
    it("records the first side and waits for the other", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const id = await dvp.tradeId(trade);
      await expect(dvp.connect(actors.bankA).instruct(trade)).to.emit(dvp, "TradeInstructed");
      const st = await dvp.tradeState(id);
      expect(st.status).to.equal(1);
      expect(st.sellerInstructed).to.equal(true);
      expect(st.buyerInstructed).to.equal(false);
    });

    it("settles both legs atomically when the second side matches on the settlement date", async function () {
      const { dvp, trade, actors, bond, cash } = await loadFixture(dvpFixture);
      await dvp.connect(actors.bankA).instruct(trade);
      const id = await dvp.tradeId(trade);
      await expect(dvp.connect(actors.bankB).instruct(trade))
        .to.emit(dvp, "TradeMatched")
        .withArgs(id)
        .and.to.emit(dvp, "TradeSettled")
        .withArgs(id, trade.seller, trade.buyer, 100n, 10_000_000n);
      expect(await bond.balanceOf(actors.bankB.address)).to.equal(100n);
      expect(await cash.balanceOf(actors.bankA.address)).to.equal(10_000_000n);
      expect((await dvp.tradeState(id)).status).to.equal(3);
    });

    it("accepts another signer of the same participant (bank A's second signer)", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await expect(dvp.connect(actors.bankA2).instruct(trade))
        .to.emit(dvp, "TradeInstructed")
        .withArgs(await dvp.tradeId(trade), trade.seller, actors.bankA2.address, Object.values(trade));
    });

    it("refuses a caller who acts for neither side", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await expect(dvp.connect(actors.broker).instruct(trade))
        .to.be.revertedWithCustomError(dvp, "DvPNotAuthorised")
        .withArgs(actors.broker.address, trade.seller);
    });

    it("refuses a stranger", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await expect(dvp.connect(actors.stranger).instruct(trade))
        .to.be.revertedWithCustomError(dvp, "DvPNotAuthorised")
        .withArgs(actors.stranger.address, trade.seller);
    });

    it("refuses the same side twice", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await dvp.connect(actors.bankA).instruct(trade);
      await expect(dvp.connect(actors.bankA2).instruct(trade))
        .to.be.revertedWithCustomError(dvp, "DvPAlreadyInstructed")
        .withArgs(await dvp.tradeId(trade), trade.seller);
    });

    it("refuses a token the factory did not issue", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const bad = { ...trade, cash: trade.security };
      await expect(dvp.connect(actors.bankA).instruct(bad)).to.be.revertedWithCustomError(dvp, "DvPUnknownToken").withArgs(trade.security);
    });

    const badTerms: [string, (t: Trade) => Trade][] = [
      ["amount", (t) => ({ ...t, amount: 0n })],
      ["seller", (t) => ({ ...t, seller: ethers.ZeroAddress })],
      ["buyer", (t) => ({ ...t, buyer: ethers.ZeroAddress })],
    ];
    for (const [field, change] of badTerms) {
      it(`refuses a zero ${field}`, async function () {
        const { dvp, trade, actors } = await loadFixture(dvpFixture);
        await expect(dvp.connect(actors.bankA).instruct(change(trade)))
          .to.be.revertedWithCustomError(dvp, "DvPInvalidTrade")
          .withArgs(field);
      });
    }

    it("refuses a trade with oneself", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await expect(dvp.connect(actors.bankA).instruct({ ...trade, buyer: trade.seller }))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidTrade")
        .withArgs("buyer");
    });

    it("refuses a security the factory did not issue", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await expect(dvp.connect(actors.bankA).instruct({ ...trade, security: trade.cash }))
        .to.be.revertedWithCustomError(dvp, "DvPUnknownToken")
        .withArgs(trade.cash);
    });

    it("refuses a zero quantity", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await expect(dvp.connect(actors.bankA).instruct({ ...trade, quantity: 0n }))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidTrade")
        .withArgs("quantity");
    });

    it("refuses a trade whose settlement window has passed", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const old = { ...trade, settlementDate: trade.settlementDate - 6 };
      await expect(dvp.connect(actors.bankA).instruct(old))
        .to.be.revertedWithCustomError(dvp, "DvPExpired")
        .withArgs(await dvp.tradeId(old), trade.settlementDate - 1, trade.settlementDate);
    });

    it("moves nothing when one leg is refused (seller frozen on the security)", async function () {
      const { dvp, trade, actors, bond, cash } = await loadFixture(dvpFixture);
      await bond.freeze(actors.bankA.address, REASON);
      await dvp.connect(actors.bankA).instruct(trade);
      await expect(dvp.connect(actors.bankB).instruct(trade))
        .to.be.revertedWithCustomError(bond, "TokenAccountFrozen")
        .withArgs(actors.bankA.address);
      expect(await cash.balanceOf(actors.bankB.address)).to.equal(1_000_000_000n);
      expect((await dvp.tradeState(await dvp.tradeId(trade))).status).to.equal(1);
    });

    it("moves nothing when the buyer's cash is short", async function () {
      const { dvp, trade, actors, bond, cash } = await loadFixture(dvpFixture);
      const big = { ...trade, amount: 1_000_000_001n };
      await dvp.connect(actors.bankA).instruct(big);
      await expect(dvp.connect(actors.bankB).instruct(big)).to.be.revertedWithCustomError(cash, "ERC20InsufficientBalance");
      expect(await bond.balanceOf(actors.bankA.address)).to.equal(10_000n);
    });
  });

  describe("instructWithSignature", function () {
    it("matches and settles with the counterparty's EIP-712 signature", async function () {
      const { dvp, trade, actors, bond } = await loadFixture(dvpFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signInstruction(dvp, actors.bankB, trade, deadline);
      await expect(dvp.connect(actors.bankA).instructWithSignature(trade, actors.bankB.address, deadline, sig)).to.emit(
        dvp,
        "TradeSettled",
      );
      expect(await bond.balanceOf(actors.bankB.address)).to.equal(100n);
      expect(await dvp.nonces(actors.bankB.address)).to.equal(1n);
    });

    it("refuses a replayed signature", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signInstruction(dvp, actors.bankB, trade, deadline);
      await dvp.connect(actors.bankA).instructWithSignature(trade, actors.bankB.address, deadline, sig);
      const again = { ...trade, tradeRef: ethers.encodeBytes32String("T-2") };
      await expect(dvp.connect(actors.bankA).instructWithSignature(again, actors.bankB.address, deadline, sig))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidSignature")
        .withArgs(actors.bankB.address, trade.buyer);
    });

    it("refuses an expired signature", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const deadline = BigInt(await time.latest()) - 1n;
      const sig = await signInstruction(dvp, actors.bankB, trade, deadline);
      await expect(
        dvp.connect(actors.bankA).instructWithSignature(trade, actors.bankB.address, deadline, sig),
      ).to.be.revertedWithCustomError(dvp, "DvPSignatureExpired");
    });

    it("matches when the buyer submits the seller's signature", async function () {
      const { dvp, trade, actors, cash } = await loadFixture(dvpFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signInstruction(dvp, actors.bankA, trade, deadline);
      const id = await dvp.tradeId(trade);
      await expect(dvp.connect(actors.bankB).instructWithSignature(trade, actors.bankA.address, deadline, sig))
        .to.emit(dvp, "TradeInstructed")
        .withArgs(id, trade.seller, actors.bankA.address, Object.values(trade))
        .and.to.emit(dvp, "TradeSettled");
      expect(await cash.balanceOf(actors.bankA.address)).to.equal(10_000_000n);
    });

    it("refuses a submitter who acts for neither side", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signInstruction(dvp, actors.bankB, trade, deadline);
      await expect(dvp.connect(actors.broker).instructWithSignature(trade, actors.bankB.address, deadline, sig))
        .to.be.revertedWithCustomError(dvp, "DvPNotAuthorised")
        .withArgs(actors.broker.address, trade.seller);
    });

    it("refuses a signature by someone who does not act for the counterparty", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signInstruction(dvp, actors.broker, trade, deadline);
      await expect(dvp.connect(actors.bankA).instructWithSignature(trade, actors.broker.address, deadline, sig))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidSignature")
        .withArgs(actors.broker.address, trade.buyer);
    });
  });

  describe("settle", function () {
    it("settles a future-dated matched trade on its date", async function () {
      const { dvp, trade, actors, cash } = await loadFixture(dvpFixture);
      const later = { ...trade, settlementDate: trade.settlementDate + 2 };
      await dvp.connect(actors.bankA).instruct(later);
      await dvp.connect(actors.bankB).instruct(later);
      const id = await dvp.tradeId(later);
      await expect(dvp.settle(later))
        .to.be.revertedWithCustomError(dvp, "DvPNotYetDue")
        .withArgs(id, later.settlementDate, trade.settlementDate);
      await time.increase(2 * 86_400);
      await expect(dvp.connect(actors.stranger).settle(later)).to.emit(dvp, "TradeSettled");
      expect(await cash.balanceOf(actors.bankA.address)).to.equal(10_000_000n);
    });

    it("refuses an unmatched trade", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await dvp.connect(actors.bankA).instruct(trade);
      await expect(dvp.settle(trade))
        .to.be.revertedWithCustomError(dvp, "DvPWrongStatus")
        .withArgs(await dvp.tradeId(trade), 1);
    });

    it("refuses after the settlement window", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const later = { ...trade, settlementDate: trade.settlementDate + 1 };
      await dvp.connect(actors.bankA).instruct(later);
      await dvp.connect(actors.bankB).instruct(later);
      await time.increase(7 * 86_400);
      await expect(dvp.settle(later)).to.be.revertedWithCustomError(dvp, "DvPExpired");
    });
  });

  describe("cancel", function () {
    it("lets a party withdraw an unmatched instruction", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await dvp.connect(actors.bankA).instruct(trade);
      const id = await dvp.tradeId(trade);
      await expect(dvp.connect(actors.bankA).cancel(trade)).to.emit(dvp, "TradeCancelled").withArgs(id, actors.bankA.address, false);
      await expect(dvp.connect(actors.bankB).instruct(trade)).to.be.revertedWithCustomError(dvp, "DvPWrongStatus").withArgs(id, 4);
    });

    it("refuses a party's unilateral cancel of a matched trade before expiry", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const later = { ...trade, settlementDate: trade.settlementDate + 1 };
      await dvp.connect(actors.bankA).instruct(later);
      await dvp.connect(actors.bankB).instruct(later);
      await expect(dvp.connect(actors.bankA).cancel(later)).to.be.revertedWithCustomError(dvp, "DvPMatchedNotExpired");
    });

    it("lets a party cancel a matched trade after expiry", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const later = { ...trade, settlementDate: trade.settlementDate + 1 };
      await dvp.connect(actors.bankA).instruct(later);
      await dvp.connect(actors.bankB).instruct(later);
      await time.increase(7 * 86_400);
      await expect(dvp.connect(actors.bankB).cancel(later))
        .to.emit(dvp, "TradeCancelled")
        .withArgs(await dvp.tradeId(later), actors.bankB.address, true);
    });

    it("lets the operator cancel a matched trade", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      const later = { ...trade, settlementDate: trade.settlementDate + 1 };
      await dvp.connect(actors.bankA).instruct(later);
      await dvp.connect(actors.bankB).instruct(later);
      await expect(dvp.connect(actors.csd).cancel(later)).to.emit(dvp, "TradeCancelled");
    });

    it("refuses a settled trade, even for the operator", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await dvp.connect(actors.bankA).instruct(trade);
      await dvp.connect(actors.bankB).instruct(trade);
      await expect(dvp.connect(actors.csd).cancel(trade))
        .to.be.revertedWithCustomError(dvp, "DvPWrongStatus")
        .withArgs(await dvp.tradeId(trade), 3);
    });

    it("refuses a stranger", async function () {
      const { dvp, trade, actors } = await loadFixture(dvpFixture);
      await dvp.connect(actors.bankA).instruct(trade);
      await expect(dvp.connect(actors.stranger).cancel(trade))
        .to.be.revertedWithCustomError(dvp, "DvPNotAuthorised")
        .withArgs(actors.stranger.address, trade.seller);
    });
  });

  describe("upgrade", function () {
    it("refuses an upgrade by a stranger", async function () {
      const { dvp, actors } = await loadFixture(dvpFixture);
      await expect(dvp.connect(actors.stranger).upgradeToAndCall(actors.stranger.address, "0x"))
        .to.be.revertedWithCustomError(dvp, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, ethers.ZeroHash);
    });
  });
});
