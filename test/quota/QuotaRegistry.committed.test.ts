import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { suiteFixture } from "../helpers/suite";
import {
  CommittedItem,
  committedLeaf,
  committedTree,
  investorKey,
  labelBytes,
  periodOf,
  QUOTA_OPS,
  QUOTA_RESULTS,
  QUOTA_STATUSES,
  QuotaResultName,
  unpackCommittedItems,
  verifyCommittedProof,
} from "../../lib/quota";
import { QuotaModel, SequenceOpName } from "../../lib/quota";
import type { QuotaRegistry } from "../../typechain-types";

// The committed-batch path: sequence references, one Merkle root per batch, follow-ups with a proof.

const SALT = ethers.id("depository-salt");
const ALICE = investorKey(SALT, "passport 4510 123456");
const BOB = investorKey(SALT, "passport 4510 654321");
const CAROL = investorKey(SALT, "passport 4510 777777"); // in category 1
const NOBODY = investorKey(SALT, "never registered");
const QUOTA = 1_000_00n;
const result = (name: QuotaResultName) => QUOTA_RESULTS.indexOf(name);
const status = (name: (typeof QUOTA_STATUSES)[number]) => QUOTA_STATUSES.indexOf(name);
const consume = (investor: string, offeringId: number, amount: bigint): CommittedItem => ({
  investorKey: investor,
  offeringId,
  amount,
  expiry: 0n,
});
const reserve = (investor: string, offeringId: number, amount: bigint, expiry: bigint): CommittedItem => ({
  investorKey: investor,
  offeringId,
  amount,
  expiry,
});

async function committedFixture() {
  const suite = await suiteFixture();
  const quota = (await ethers.getContractAt("QuotaRegistry", suite.contracts.QuotaRegistry)) as unknown as QuotaRegistry;
  await quota.setQuota(ALICE, QUOTA);
  await quota.setQuota(BOB, QUOTA);
  await quota.setCategory(1, 500_00n, labelBytes("retail"));
  await quota.setInvestorCategory(CAROL, 1);
  await quota.registerOffering(10_000_00n, 0, labelBytes("Acme seed round")); // offering 1
  await quota.registerOffering(1_500_00n, 600_00n, labelBytes("Tiny cap")); // offering 2
  const a = quota.connect(suite.actors.platformA);
  const b = quota.connect(suite.actors.platformB);
  const period = Number(await quota.currentPeriod());
  return { ...suite, quota, a, b, period, pa: suite.ids.platformA };
}

async function inFuture(seconds: number): Promise<bigint> {
  return BigInt(await time.latest()) + BigInt(seconds);
}

describe("QuotaRegistry committed batches", function () {
  describe("executeCommitted", function () {
    it("opens sequence references, stores one root and emits every item packed", async function () {
      const { quota, a, pa, period } = await loadFixture(committedFixture);
      const expiry = await inFuture(600);
      const items = [consume(ALICE, 1, 300_00n), reserve(BOB, 1, 200_00n, expiry), consume(CAROL, 2, 100_00n)];
      const tree = committedTree(pa, 10n, items);
      expect((await a.executeCommitted.staticCall(10n, items, false)).map(Number)).to.deep.equal([0, 0, 0]);
      const receipt = await (await a.executeCommitted(10n, items, false)).wait();
      const ev = receipt!.logs.map((l) => quota.interface.parseLog(l)).find((l) => l?.name === "QuotaBatchCommitted")!;
      expect(ev.args.platformId).to.equal(pa);
      expect(ev.args.firstRef).to.equal(10n);
      expect(ev.args.count).to.equal(3n);
      expect(ev.args.root).to.equal(tree.root);
      expect(ev.args.period).to.equal(period);
      expect(unpackCommittedItems(10n, ev.args.items)).to.deep.equal(
        items.map((it, i) => ({ ...it, investorKey: it.investorKey.toLowerCase(), seqRef: 10n + BigInt(i), result: 0 })),
      );
      expect(await quota.committedBatchOf(pa, 10n)).to.deep.equal([tree.root, 3n, BigInt(period)]);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([300_00n, 0n]);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([0n, 200_00n]);
      expect(await quota.offering(1)).to.deep.equal([10_000_00n, 0n, 300_00n, 200_00n]);
      expect(await quota.offering(2)).to.deep.equal([1_500_00n, 600_00n, 100_00n, 0n]);
      expect(await quota.offeringUsageOf(2, CAROL)).to.deep.equal([100_00n, 0n]);
      expect(await quota.sequenceStatusOf(pa, 10n)).to.deep.equal([BigInt(status("Consumed")), 0n]);
      expect(await quota.sequenceStatusOf(pa, 11n)).to.deep.equal([BigInt(status("Reserved")), 0n]);
      expect(await quota.sequenceStatusOf(pa, 13n)).to.deep.equal([0n, 0n]);
    });

    it("computes the same leaves as the tooling", async function () {
      const { quota, pa } = await loadFixture(committedFixture);
      const it = reserve(ALICE, 2, 5n, 1_900_000_000n);
      expect(await quota.committedLeaf(pa, 7n, it)).to.equal(committedLeaf(pa, 7n, it));
      expect(await quota.committedLeaf(pa, 7n, consume(ALICE, 2, 5n))).to.equal(committedLeaf(pa, 7n, consume(ALICE, 2, 5n)));
    });

    it("refuses bad items with their result and applies the others (non-atomic)", async function () {
      const { quota, a, pa, period } = await loadFixture(committedFixture);
      await quota.setQuota(NOBODY, 0n); // known, with no quota
      const past = BigInt(await time.latest());
      const items = [
        consume(ALICE, 1, 0n), // ZeroAmount
        reserve(ALICE, 1, 1n, past), // InvalidExpiry
        consume(investorKey(SALT, "stranger"), 1, 1n), // UnknownInvestor
        consume(ALICE, 9, 1n), // UnknownOffering
        consume(ALICE, 1, 1_000_01n), // InvestorLimitExceeded
        consume(CAROL, 1, 500_01n), // InvestorLimitExceeded (category limit)
        consume(ALICE, 2, 600_01n), // OfferingInvestorLimitExceeded
        consume(ALICE, 2, 600_00n),
        consume(BOB, 2, 600_00n),
        consume(CAROL, 2, 300_01n), // OfferingCapExceeded
        consume(ALICE, 1, 400_00n), // ALICE: 600 + 400 = quota
        consume(NOBODY, 1, 1n), // InvestorLimitExceeded
      ];
      const expected = [
        "ZeroAmount",
        "InvalidExpiry",
        "UnknownInvestor",
        "UnknownOffering",
        "InvestorLimitExceeded",
        "InvestorLimitExceeded",
        "OfferingInvestorLimitExceeded",
        "Ok",
        "Ok",
        "OfferingCapExceeded",
        "Ok",
        "InvestorLimitExceeded",
      ].map((r) => result(r as QuotaResultName));
      expect((await a.executeCommitted.staticCall(60n, items, false)).map(Number)).to.deep.equal(expected);
      const receipt = await (await a.executeCommitted(60n, items, false)).wait();
      const ev = receipt!.logs.map((l) => quota.interface.parseLog(l)).find((l) => l?.name === "QuotaBatchCommitted")!;
      expect(unpackCommittedItems(60n, ev.args.items).map((x) => x.result)).to.deep.equal(expected);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([QUOTA, 0n]);
      expect(await quota.offering(2)).to.deep.equal([1_500_00n, 600_00n, 1_200_00n, 0n]);
      // Refused references keep their result (the batch crosses from status word 0 into word 1).
      for (const [i, r] of expected.entries()) {
        const want = r === 0 ? [BigInt(status("Consumed")), 0n] : [BigInt(status("Refused")), BigInt(r)];
        expect(await quota.sequenceStatusOf(pa, 60n + BigInt(i)), `item ${i}`).to.deep.equal(want);
      }
    });

    it("keeps the running offering totals when items alternate between offerings", async function () {
      const { quota, a } = await loadFixture(committedFixture);
      await a.executeCommitted(
        0n,
        [consume(ALICE, 2, 500_00n), consume(BOB, 1, 1n), consume(BOB, 2, 600_00n), consume(CAROL, 2, 400_01n), consume(CAROL, 2, 400_00n)],
        false,
      );
      expect(await quota.offering(2)).to.deep.equal([1_500_00n, 600_00n, 1_500_00n, 0n]);
      expect(await quota.offering(1)).to.deep.equal([10_000_00n, 0n, 1n, 0n]);
    });

    it("reverts everything in the all-or-nothing variant, naming the failing item", async function () {
      const { quota, a, pa, period } = await loadFixture(committedFixture);
      const items = [consume(ALICE, 1, 700_00n), consume(ALICE, 1, 400_00n)];
      await expect(a.executeCommitted(0n, items, true))
        .to.be.revertedWithCustomError(quota, "QuotaBatchItemFailed")
        .withArgs(1, result("InvestorLimitExceeded"));
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
      expect((await quota.committedBatchOf(pa, 0n)).root).to.equal(ethers.ZeroHash);
      expect(await quota.sequenceStatusOf(pa, 0n)).to.deep.equal([0n, 0n]);
      await expect(a.executeCommitted(0n, [consume(ALICE, 1, 700_00n)], true)).to.emit(quota, "QuotaBatchCommitted");
    });

    it("recognises an identical retry: same results, no change, a replay event", async function () {
      const { quota, a, pa, period } = await loadFixture(committedFixture);
      const items = [consume(ALICE, 1, 700_00n), consume(ALICE, 1, 400_00n), consume(BOB, 1, 1n)];
      const first = (await a.executeCommitted.staticCall(5n, items, false)).map(Number);
      await a.executeCommitted(5n, items, false);
      expect((await a.executeCommitted.staticCall(5n, items, false)).map(Number)).to.deep.equal(first);
      const root = committedTree(pa, 5n, items).root;
      await expect(a.executeCommitted(5n, items, true))
        .to.emit(quota, "QuotaBatchReplayed")
        .withArgs(pa, 5n, 3n, root)
        .and.not.to.emit(quota, "QuotaBatchCommitted");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([700_00n, 0n]);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([1n, 0n]);
    });

    it("refuses a used sequence reference with other items, naming it", async function () {
      const { quota, a, pa } = await loadFixture(committedFixture);
      await a.executeCommitted(5n, [consume(ALICE, 1, 1n), consume(ALICE, 9, 1n)], false); // 6 is refused but used
      await expect(a.executeCommitted(5n, [consume(ALICE, 1, 2n), consume(ALICE, 9, 1n)], false))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceConflict")
        .withArgs(pa, 5n);
      await expect(a.executeCommitted(5n, [consume(ALICE, 1, 1n)], false))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceConflict")
        .withArgs(pa, 5n);
      await expect(a.executeCommitted(3n, [consume(BOB, 1, 1n), consume(BOB, 1, 1n), consume(BOB, 1, 1n)], false))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceConflict")
        .withArgs(pa, 5n);
      await expect(a.executeCommitted(6n, [consume(BOB, 1, 1n)], false))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceConflict")
        .withArgs(pa, 6n);
      expect(await quota.usageOf(BOB, await quota.currentPeriod())).to.deep.equal([0n, 0n]); // the refusals changed nothing
      await expect(a.executeCommitted(7n, [consume(BOB, 1, 1n)], false)).to.emit(quota, "QuotaBatchCommitted");
    });

    it("keeps sequence references per platform and apart from bytes32 references", async function () {
      const { quota, a, b, pa, ids, period } = await loadFixture(committedFixture);
      await a.executeCommitted(0n, [consume(ALICE, 1, 1n)], false);
      await b.executeCommitted(0n, [consume(ALICE, 1, 1n)], false);
      await a.consume(ethers.zeroPadValue("0x01", 32), ALICE, 1, 1n); // bytes32 reference 1
      await a.executeCommitted(1n, [consume(ALICE, 1, 1n)], false);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([4n, 0n]);
      expect(await quota.sequenceStatusOf(ids.platformB, 0n)).to.deep.equal([BigInt(status("Consumed")), 0n]);
      expect(await quota.sequenceStatusOf(pa, 1n)).to.deep.equal([BigInt(status("Consumed")), 0n]);
    });

    it("refuses an empty or oversized batch and a range past the last sequence reference", async function () {
      const { quota, a } = await loadFixture(committedFixture);
      await expect(a.executeCommitted(0n, [], false))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidBatchSize")
        .withArgs(0, 256);
      const big = Array.from({ length: 257 }, () => consume(ALICE, 1, 1n));
      await expect(a.executeCommitted(0n, big, false))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidBatchSize")
        .withArgs(257, 256);
      const last = 2n ** 64n - 1n;
      await expect(a.executeCommitted(last, [consume(ALICE, 1, 1n), consume(ALICE, 1, 1n)], false))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidSequenceRange")
        .withArgs(last, 2);
      await expect(a.executeCommitted(last, [consume(ALICE, 1, 1n)], false)).to.emit(quota, "QuotaBatchCommitted");
    });

    it("refuses item values outside their types, as the ABI decoder does", async function () {
      const { quota, a, actors } = await loadFixture(committedFixture);
      const data = quota.interface.encodeFunctionData("executeCommitted", [0n, [consume(ALICE, 1, 1n)], false]);
      // Words: firstRef, array offset, atomic, array length, then the item: investorKey, offeringId, amount, expiry.
      const words = data.slice(10).match(/.{64}/g)!;
      expect(BigInt("0x" + words[6])).to.equal(1n);
      words[6] = "f".repeat(64);
      const bad = data.slice(0, 10) + words.join("");
      await expect(actors.platformA.sendTransaction({ to: await a.getAddress(), data: bad })).to.be.reverted;
    });
  });

  describe("follow-ups with a proof", function () {
    async function openedFixture() {
      const f = await committedFixture();
      const expiry = BigInt(await time.latest()) + 600n;
      const items = [reserve(ALICE, 2, 200_00n, expiry), consume(BOB, 2, 100_00n), reserve(BOB, 1, 300_00n, expiry), consume(ALICE, 9, 1n)];
      await f.a.executeCommitted(100n, items, false);
      const tree = committedTree(f.pa, 100n, items);
      const proof = (i: number) => tree.proof(i);
      return { ...f, items, tree, proof, expiry };
    }

    it("confirms a reserved item; a retry is a replay", async function () {
      const { quota, a, pa, items, proof, period } = await loadFixture(openedFixture);
      await expect(a.confirmCommitted(100n, 100n, items[0], proof(0)))
        .to.emit(quota, "QuotaSequenceSettled")
        .withArgs(pa, 100n, ALICE, status("Confirmed"), 2, 200_00n, period);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([200_00n, 0n]);
      expect(await quota.offeringUsageOf(2, ALICE)).to.deep.equal([200_00n, 0n]);
      await expect(a.confirmCommitted(100n, 100n, items[0], proof(0)))
        .to.emit(quota, "QuotaSequenceReplayed")
        .withArgs(pa, 100n, 1);
      expect(await quota.sequenceStatusOf(pa, 100n)).to.deep.equal([BigInt(status("Confirmed")), 0n]);
    });

    it("cancels a reservation and refunds a consumption and a confirmed reservation", async function () {
      const { quota, a, pa, items, proof, period } = await loadFixture(openedFixture);
      await expect(a.cancelCommitted(102n, 100n, items[2], proof(2)))
        .to.emit(quota, "QuotaSequenceSettled")
        .withArgs(pa, 102n, BOB, status("Cancelled"), 1, 300_00n, period);
      await expect(a.cancelCommitted(102n, 100n, items[2], proof(2))).to.emit(quota, "QuotaSequenceReplayed");
      await expect(a.refundCommitted(101n, 100n, items[1], proof(1))).to.emit(quota, "QuotaSequenceSettled");
      await a.confirmCommitted(100n, 100n, items[0], proof(0));
      await a.refundCommitted(100n, 100n, items[0], proof(0));
      await expect(a.refundCommitted(100n, 100n, items[0], proof(0))).to.emit(quota, "QuotaSequenceReplayed");
      await expect(a.confirmCommitted(100n, 100n, items[0], proof(0))).to.emit(quota, "QuotaSequenceReplayed");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([0n, 0n]);
      expect(await quota.offering(2)).to.deep.equal([1_500_00n, 600_00n, 0n, 0n]);
      expect(await quota.offeringUsageOf(2, BOB)).to.deep.equal([0n, 0n]);
    });

    it("lets anyone expire a reservation at its expiry, not before", async function () {
      const { quota, pa, items, proof, expiry, actors, period } = await loadFixture(openedFixture);
      const anyone = quota.connect(actors.stranger);
      await expect(anyone.expireCommitted(pa, 102n, 100n, items[2], proof(2)))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceReservationNotExpired")
        .withArgs(pa, 102n, expiry);
      await time.increaseTo(expiry);
      await expect(anyone.expireCommitted(pa, 102n, 100n, items[2], proof(2)))
        .to.emit(quota, "QuotaSequenceSettled")
        .withArgs(pa, 102n, BOB, status("Expired"), 1, 300_00n, period);
      await expect(anyone.expireCommitted(pa, 102n, 100n, items[2], proof(2))).to.emit(quota, "QuotaSequenceReplayed");
      expect(await quota.usageOf(BOB, period)).to.deep.equal([100_00n, 0n]);
    });

    it("refuses confirming at or after the expiry", async function () {
      const { quota, a, pa, items, proof, expiry } = await loadFixture(openedFixture);
      await time.increaseTo(expiry);
      await expect(a.confirmCommitted(100n, 100n, items[0], proof(0)))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceReservationExpired")
        .withArgs(pa, 100n, expiry);
    });

    it("refuses a bad proof, other parameters and an unknown batch", async function () {
      const { quota, a, pa, items, proof, tree } = await loadFixture(openedFixture);
      expect(verifyCommittedProof(tree.leaves[1], proof(1), tree.root)).to.equal(true);
      expect(verifyCommittedProof(tree.leaves[1], proof(0), tree.root)).to.equal(false);
      await expect(a.refundCommitted(101n, 100n, items[1], proof(0)))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidProof")
        .withArgs(pa, 101n);
      await expect(a.refundCommitted(101n, 100n, { ...items[1], amount: 1n }, proof(1)))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidProof")
        .withArgs(pa, 101n);
      await expect(a.refundCommitted(102n, 100n, items[1], proof(1)))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidProof")
        .withArgs(pa, 102n);
      await expect(a.refundCommitted(101n, 99n, items[1], proof(1)))
        .to.be.revertedWithCustomError(quota, "QuotaUnknownSequence")
        .withArgs(pa, 101n, 99n);
      await expect(quota.connect((await ethers.getSigners())[0]).expireCommitted(pa + 1, 101n, 100n, items[1], proof(1)))
        .to.be.revertedWithCustomError(quota, "QuotaUnknownSequence")
        .withArgs(pa + 1, 101n, 100n);
    });

    it("refuses a follow-up the status does not allow, also on a refused item", async function () {
      const { quota, a, pa, items, proof } = await loadFixture(openedFixture);
      await expect(a.refundCommitted(100n, 100n, items[0], proof(0)))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceInvalidState")
        .withArgs(pa, 100n, status("Reserved"));
      await expect(a.confirmCommitted(101n, 100n, items[1], proof(1)))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceInvalidState")
        .withArgs(pa, 101n, status("Consumed"));
      expect(await quota.sequenceStatusOf(pa, 103n)).to.deep.equal([BigInt(status("Refused")), BigInt(result("UnknownOffering"))]);
      await expect(a.refundCommitted(103n, 100n, items[3], proof(3)))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceInvalidState")
        .withArgs(pa, 103n, status("Refused"));
    });
  });

  describe("settleCommittedBatch", function () {
    async function bulkFixture() {
      const f = await committedFixture();
      const expiry = BigInt(await time.latest()) + 600n;
      const items = [
        reserve(ALICE, 1, 100_00n, expiry),
        reserve(BOB, 2, 600_00n, expiry),
        consume(CAROL, 1, 50_00n),
        reserve(ALICE, 9, 1n, expiry),
      ];
      await f.a.executeCommitted(64n, items, false);
      return { ...f, items, expiry };
    }
    const outcomesOf = async (quota: QuotaRegistry, tx: Promise<unknown>) => {
      const receipt = await (await (tx as Promise<{ wait(): Promise<{ logs: never[] }> }>)).wait();
      const ev = receipt.logs.map((l) => quota.interface.parseLog(l)).find((l) => l?.name === "QuotaSequencesSettled")!;
      return [...ethers.getBytes(ev.args.outcomes)];
    };

    it("confirms the selected items of a batch at once, reporting the others", async function () {
      const { quota, a, items, period, pa } = await loadFixture(bulkFixture);
      const mask = 0b1111n;
      expect((await a.settleCommittedBatch.staticCall(1, 64n, items, mask)).map(Number)).to.deep.equal([
        0,
        0,
        result("InvalidState"),
        result("InvalidState"),
      ]);
      expect(await outcomesOf(quota, a.settleCommittedBatch(1, 64n, items, mask))).to.deep.equal([1, 1, 0x80 | 11, 0x80 | 11]);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([100_00n, 0n]);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([600_00n, 0n]);
      expect(await quota.offeringUsageOf(2, BOB)).to.deep.equal([600_00n, 0n]);
      expect(await quota.sequenceStatusOf(pa, 65n)).to.deep.equal([BigInt(status("Confirmed")), 0n]);
      // A retry changes nothing; unselected items are left alone.
      expect(await outcomesOf(quota, a.settleCommittedBatch(1, 64n, items, 0b0011n))).to.deep.equal([2, 2, 0, 0]);
      expect(await outcomesOf(quota, a.settleCommittedBatch(4, 64n, items, 0b0101n))).to.deep.equal([1, 0, 1, 0]);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
      expect(await quota.usageOf(CAROL, period)).to.deep.equal([0n, 0n]);
    });

    it("expires lapsed reservations of its own platform in bulk", async function () {
      const { quota, a, items, expiry, period } = await loadFixture(bulkFixture);
      const tooEarly = await outcomesOf(quota, a.settleCommittedBatch(5, 64n, items, 0b0001n));
      expect(tooEarly).to.deep.equal([0x80 | result("ReservationNotExpired"), 0, 0, 0]);
      await time.increaseTo(expiry);
      expect(await outcomesOf(quota, a.settleCommittedBatch(5, 64n, items, 0b0011n))).to.deep.equal([1, 1, 0, 0]);
      expect(await outcomesOf(quota, a.settleCommittedBatch(1, 64n, items, 0b0001n))).to.deep.equal([
        0x80 | result("InvalidState"),
        0,
        0,
        0,
      ]);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([0n, 0n]);
    });

    it("refuses an opening operation, an unknown batch and items other than the batch's", async function () {
      const { quota, a, b, items, pa, ids } = await loadFixture(bulkFixture);
      await expect(a.settleCommittedBatch(0, 64n, items, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidFollowUp")
        .withArgs(0);
      await expect(a.settleCommittedBatch(3, 64n, items, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidFollowUp")
        .withArgs(3);
      await expect(a.settleCommittedBatch(1, 63n, items, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaUnknownSequence")
        .withArgs(pa, 63n, 63n);
      await expect(b.settleCommittedBatch(1, 64n, items, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaUnknownSequence")
        .withArgs(ids.platformB, 64n, 64n);
      await expect(a.settleCommittedBatch(1, 64n, items.slice(0, 3), 1n))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidProof")
        .withArgs(pa, 64n);
      await expect(a.settleCommittedBatch(1, 64n, [{ ...items[0], amount: 1n }, ...items.slice(1)], 1n))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidProof")
        .withArgs(pa, 64n);
    });
  });

  describe("reservation lifetime", function () {
    const DAY = 86_400n;

    it("refuses an item reserving past the lifetime or the period's end, keeping its result", async function () {
      const { quota, a, pa, period } = await loadFixture(committedFixture);
      const end = BigInt(Date.UTC(period + 1, 0, 1) / 1000);
      const t = end - 3n * DAY;
      await time.setNextBlockTimestamp(t);
      const items = [
        reserve(ALICE, 1, 1n, 2n ** 40n - 1n), // far away: would lock the quota for good
        reserve(ALICE, 1, 2n, end + 1n), // past the period's end (within 7 days)
        reserve(ALICE, 1, 3n, end), // exactly at the period's end
        consume(ALICE, 1, 4n),
      ];
      await a.executeCommitted(0n, items, false);
      const tooLong = result("ReservationTooLong");
      for (const i of [0, 1]) {
        expect(await quota.sequenceStatusOf(pa, BigInt(i))).to.deep.equal([BigInt(status("Refused")), BigInt(tooLong)]);
      }
      expect(await quota.sequenceStatusOf(pa, 2n)).to.deep.equal([BigInt(status("Reserved")), 0n]);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([4n, 3n]);
      // A retry returns the kept results.
      expect((await a.executeCommitted.staticCall(0n, items, false)).map(Number)).to.deep.equal([tooLong, tooLong, 0, 0]);
      await expect(a.executeCommitted(10n, items.slice(0, 1), true))
        .to.be.revertedWithCustomError(quota, "QuotaBatchItemFailed")
        .withArgs(0, tooLong);
    });

    it("applies the lifetime governance sets", async function () {
      const { quota, a, pa } = await loadFixture(committedFixture);
      await quota.setReservationTtl(600);
      const t = BigInt(await time.latest()) + 5n;
      await time.setNextBlockTimestamp(t);
      await a.executeCommitted(0n, [reserve(ALICE, 1, 1n, t + 600n), reserve(ALICE, 1, 1n, t + 601n)], false);
      expect(await quota.sequenceStatusOf(pa, 0n)).to.deep.equal([BigInt(status("Reserved")), 0n]);
      expect(await quota.sequenceStatusOf(pa, 1n)).to.deep.equal([BigInt(status("Refused")), BigInt(result("ReservationTooLong"))]);
    });

    it("refuses confirming an item once its period has ended, alone or in bulk; anyone expires it", async function () {
      const { quota, a, pa, period, actors } = await loadFixture(committedFixture);
      const end = BigInt(Date.UTC(period + 1, 0, 1) / 1000);
      await time.setNextBlockTimestamp(end - DAY);
      const items = [reserve(ALICE, 1, 100_00n, end), reserve(BOB, 1, 200_00n, end)];
      await a.executeCommitted(0n, items, false);
      const tree = committedTree(pa, 0n, items);
      await time.setNextBlockTimestamp(end);
      await expect(a.confirmCommitted(0n, 0n, items[0], tree.proof(0)))
        .to.be.revertedWithCustomError(quota, "QuotaSequenceReservationExpired")
        .withArgs(pa, 0n, end);
      const receipt = await (await a.settleCommittedBatch(1, 0n, items, 0b10n)).wait();
      const ev = receipt!.logs.map((l) => quota.interface.parseLog(l)).find((l) => l?.name === "QuotaSequencesSettled")!;
      expect([...ethers.getBytes(ev.args.outcomes)]).to.deep.equal([0, 0x80 | result("ReservationExpired")]);
      await expect(quota.connect(actors.stranger).expireCommitted(pa, 0n, 0n, items[0], tree.proof(0)))
        .to.emit(quota, "QuotaSequenceSettled")
        .withArgs(pa, 0n, ALICE, status("Expired"), 1, 100_00n, period);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([0n, 200_00n]);
    });

    it("ends live items when the period rule changes: a stranger expires them", async function () {
      const { quota, a, pa, actors } = await loadFixture(committedFixture);
      const items = [reserve(ALICE, 1, 100_00n, BigInt(await time.latest()) + 3600n)];
      await a.executeCommitted(0n, items, false);
      await quota.setPeriodDays(30);
      const proof = committedTree(pa, 0n, items).proof(0);
      await expect(a.confirmCommitted(0n, 0n, items[0], proof)).to.be.revertedWithCustomError(quota, "QuotaSequenceReservationExpired");
      await expect(quota.connect(actors.stranger).expireCommitted(pa, 0n, 0n, items[0], proof)).to.emit(quota, "QuotaSequenceSettled");
    });
  });

  describe("platform access", function () {
    it("refuses a stranger, a non-platform participant and a suspended platform", async function () {
      const { quota, registry, actors, ids, pa } = await loadFixture(committedFixture);
      const items = [consume(ALICE, 1, 1n)];
      await quota.connect(actors.platformA).executeCommitted(0n, items, false);
      const proof = committedTree(pa, 0n, items).proof(0);
      await registry.suspend(ids.platformB, ethers.encodeBytes32String("review"));
      await registry.suspend(ids.platformA, ethers.encodeBytes32String("review"));
      const cases = [
        [actors.stranger, 0, 0],
        [actors.bankA, 2, 1],
        [actors.platformA, 4, 2],
        [actors.platformB, 4, 2],
      ] as const;
      for (const [who, kind, st] of cases) {
        const q = quota.connect(who);
        const calls = [
          () => q.executeCommitted(0n, items, false),
          () => q.confirmCommitted(0n, 0n, items[0], proof),
          () => q.cancelCommitted(0n, 0n, items[0], proof),
          () => q.refundCommitted(0n, 0n, items[0], proof),
          () => q.settleCommittedBatch(1, 0n, items, 1n),
        ];
        for (const call of calls) {
          await expect(call()).to.be.revertedWithCustomError(quota, "QuotaNotActivePlatform").withArgs(who.address, kind, st);
        }
      }
    });
  });

  describe("properties", function () {
    // Random committed batches of two platforms (fresh, retried, overlapping; atomic or not) and follow-ups
    // with good or bad proofs, with time jumps. Every outcome must equal the sequential model's, an identical
    // retry never counts twice, and at the end the counters equal the model's and no limit is passed.
    const INVESTORS = [ALICE, BOB, CAROL, NOBODY];
    const itemArb = fc.record({
      investor: fc.integer({ min: 0, max: 3 }),
      offeringId: fc.integer({ min: 1, max: 3 }),
      amount: fc.bigInt({ min: 0n, max: 250_00n }),
      ttl: fc.integer({ min: -2, max: 90 }),
      reserve: fc.boolean(),
    });
    const stepArb = fc.oneof(
      fc.record({
        kind: fc.constant("batch" as const),
        platform: fc.integer({ min: 0, max: 1 }),
        firstRef: fc.integer({ min: 0, max: 20 }),
        items: fc.array(itemArb, { minLength: 1, maxLength: 6 }),
        atomic: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
        advance: fc.integer({ min: 0, max: 20 }),
      }),
      fc.record({
        kind: fc.constant("retry" as const),
        pick: fc.nat(),
        advance: fc.integer({ min: 0, max: 20 }),
      }),
      fc.record({
        kind: fc.constant("bulk" as const),
        pick: fc.nat(),
        mask: fc.bigInt({ min: 0n, max: 63n }),
        op: fc.constantFrom<SequenceOpName>("Confirm", "Cancel", "Refund", "Expire"),
        advance: fc.integer({ min: 0, max: 20 }),
      }),
      fc.record({
        kind: fc.constant("follow" as const),
        pick: fc.nat(),
        index: fc.nat(),
        op: fc.constantFrom<SequenceOpName>("Confirm", "Confirm", "Cancel", "Refund", "Expire"),
        tamper: fc.integer({ min: 0, max: 7 }),
        advance: fc.integer({ min: 0, max: 20 }),
      }),
    );

    it("keeps every limit and never counts a retried batch twice (40 sequences)", async function () {
      const base = await loadFixture(committedFixture);
      const { quota, actors, ids } = base;
      await quota.registerOffering(2_000_00n, 0, labelBytes("p")); // offering 3
      await quota.setReservationTtl(60); // reservations of up to 90 s: some too long
      let snap = await ethers.provider.send("evm_snapshot", []);
      const signers = [actors.platformA, actors.platformB];
      const pids = [ids.platformA, ids.platformB];
      const seen: Record<string, number> = {};
      const count = (what: string) => (seen[what] = (seen[what] ?? 0) + 1);

      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 4, maxLength: 14 }), async (steps) => {
          await ethers.provider.send("evm_revert", [snap]);
          snap = await ethers.provider.send("evm_snapshot", []);
          const model = new QuotaModel();
          model.setReservationTtl(60n);
          model.setQuota(ALICE, QUOTA);
          model.setQuota(BOB, QUOTA);
          model.setCategory(1, 500_00n);
          model.setInvestorCategory(CAROL, 1);
          model.registerOffering(1, 10_000_00n, 0n);
          model.registerOffering(2, 1_500_00n, 600_00n);
          model.registerOffering(3, 2_000_00n, 0n);
          const sent: { platform: number; firstRef: bigint; items: CommittedItem[]; atomic: boolean }[] = [];
          for (const st of steps) {
            if (st.advance > 0) await time.increase(st.advance);
            const now = BigInt(await time.latest()) + 1n;
            await time.setNextBlockTimestamp(now);
            const period = periodOf(now);
            if (st.kind === "bulk") {
              if (sent.length === 0) continue;
              const batch = sent[st.pick % sent.length];
              const pid = pids[batch.platform];
              const expected = model.settleBatch(pid, st.op, batch.firstRef, st.mask, now);
              count(`bulk ${st.op}`);
              for (const o of expected) if (o === 1) count("bulk applied");
              const receipt = await (
                await quota
                  .connect(signers[batch.platform])
                  .settleCommittedBatch(QUOTA_OPS.indexOf(st.op), batch.firstRef, batch.items, st.mask)
              ).wait();
              const ev = receipt!.logs.map((l) => quota.interface.parseLog(l)!).find((l) => l.name === "QuotaSequencesSettled")!;
              expect([...ethers.getBytes(ev.args.outcomes)], `bulk ${st.op}`).to.deep.equal(expected);
              continue;
            }
            if (st.kind === "follow") {
              if (sent.length === 0) continue;
              const batch = sent[st.pick % sent.length];
              const index = st.index % batch.items.length;
              const seqRef = batch.firstRef + BigInt(index);
              const pid = pids[batch.platform];
              const tree = committedTree(pid, batch.firstRef, batch.items);
              const item = st.tamper === 0 ? { ...batch.items[index], amount: batch.items[index].amount + 1n } : batch.items[index];
              const proof = tree.proof(index);
              const q = quota.connect(signers[batch.platform]);
              const expected = model.settleSequence(pid, st.op, seqRef, item, now);
              const tx =
                st.op === "Confirm"
                  ? q.confirmCommitted(seqRef, batch.firstRef, item, proof)
                  : st.op === "Cancel"
                    ? q.cancelCommitted(seqRef, batch.firstRef, item, proof)
                    : st.op === "Refund"
                      ? q.refundCommitted(seqRef, batch.firstRef, item, proof)
                      : q.expireCommitted(pid, seqRef, batch.firstRef, item, proof);
              count(`${st.op} ${expected.replay ? "replay" : expected.result}`);
              if (expected.result === "Ok") {
                await expect(tx).to.emit(quota, expected.replay ? "QuotaSequenceReplayed" : "QuotaSequenceSettled");
              } else {
                const error = {
                  ReferenceConflict: "QuotaInvalidProof",
                  UnknownReference: "QuotaUnknownSequence",
                  InvalidState: "QuotaSequenceInvalidState",
                  ReservationExpired: "QuotaSequenceReservationExpired",
                  ReservationNotExpired: "QuotaSequenceReservationNotExpired",
                }[expected.result as string]!;
                await expect(tx, `${st.op} ${seqRef}`).to.be.revertedWithCustomError(quota, error);
              }
              continue;
            }
            let call: { platform: number; firstRef: bigint; items: CommittedItem[]; atomic: boolean };
            if (st.kind === "retry") {
              if (sent.length === 0) continue;
              call = sent[st.pick % sent.length];
            } else {
              call = {
                platform: st.platform,
                firstRef: BigInt(st.firstRef),
                atomic: st.atomic,
                items: st.items.map((x) => ({
                  investorKey: INVESTORS[x.investor],
                  offeringId: x.offeringId,
                  amount: x.amount,
                  expiry: x.reserve ? now + BigInt(x.ttl) : 0n,
                })),
              };
            }
            const pid = pids[call.platform];
            const expected = model.commitBatch(pid, call.firstRef, call.items, call.atomic, now, period);
            const q = quota.connect(signers[call.platform]);
            count(expected.revert ?? (expected.replay ? "batch replay" : "batch"));
            if (!expected.replay && expected.results.includes("ReservationTooLong")) count("ReservationTooLong");
            if (expected.revert) {
              const tx = q.executeCommitted(call.firstRef, call.items, call.atomic);
              if (expected.revert === "QuotaSequenceConflict") {
                await expect(tx).to.be.revertedWithCustomError(quota, expected.revert).withArgs(pid, expected.at!);
              } else {
                await expect(tx).to.be.revertedWithCustomError(quota, expected.revert).withArgs(expected.at!, result(expected.results[0]));
              }
              continue;
            }
            const receipt = await (await q.executeCommitted(call.firstRef, call.items, call.atomic)).wait();
            const logs = receipt!.logs.map((l) => quota.interface.parseLog(l)!);
            if (expected.replay) {
              expect(logs.map((l) => l.name)).to.deep.equal(["QuotaBatchReplayed"]);
            } else {
              const ev = logs.find((l) => l.name === "QuotaBatchCommitted")!;
              expect(unpackCommittedItems(call.firstRef, ev.args.items).map((x) => QUOTA_RESULTS[x.result])).to.deep.equal(
                expected.results,
              );
              if (st.kind === "batch") sent.push(call);
            }
          }
          model.checkInvariant();
          for (const inv of INVESTORS) {
            const u = model.usageOf(inv, periodOf(BigInt(await time.latest())));
            expect(await quota.usageOf(inv, periodOf(BigInt(await time.latest())))).to.deep.equal([u.consumed, u.reserved]);
          }
          for (const id of [1, 2, 3]) {
            const o = model.offerings.get(id)!;
            expect(await quota.offering(id)).to.deep.equal([o.cap, o.perInvestorLimit, o.consumed, o.reserved]);
          }
        }),
        { numRuns: 40 },
      );
      await ethers.provider.send("evm_revert", [snap]);
      // The sequences reached every kind of outcome.
      for (const what of ["batch", "batch replay", "QuotaSequenceConflict", "QuotaBatchItemFailed", "ReservationTooLong"]) {
        expect(seen[what] ?? 0, `${what} in ${JSON.stringify(seen)}`).to.be.greaterThan(0);
      }
      const settled = ["Confirm", "Cancel", "Refund", "Expire"].reduce((n, op) => n + (seen[`${op} Ok`] ?? 0), seen["bulk applied"] ?? 0);
      expect(settled, JSON.stringify(seen)).to.be.greaterThan(5);
    });
  });
});
