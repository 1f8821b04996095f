import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { suiteFixture } from "../helpers/suite";
import {
  investorKey,
  labelBytes,
  latestExpiryAt,
  periodEndOf,
  QUOTA_OPS,
  QUOTA_RESULTS,
  periodOf,
  UNLIMITED,
  QuotaModel,
  ModelOp,
} from "../../lib/quota";
import type { QuotaRegistry } from "../../typechain-types";
import { propertyRuns } from "../helpers/runs";

const SALT = ethers.id("depository-salt");
const ALICE = investorKey(SALT, "passport 4510 123456");
const BOB = investorKey(SALT, "passport 4510 654321");
const NOBODY = investorKey(SALT, "never registered");
const ref = (s: string) => ethers.id(s);
const QUOTA = 1_000_00n;

enum Op {
  Reserve,
  Confirm,
  Cancel,
  Consume,
  Refund,
  Expire,
}

async function quotaFixture() {
  const suite = await suiteFixture();
  const quota = (await ethers.getContractAt("QuotaRegistry", suite.contracts.QuotaRegistry)) as unknown as QuotaRegistry;
  const { actors } = suite;
  await quota.setQuota(ALICE, QUOTA);
  await quota.setQuota(BOB, QUOTA);
  await quota.registerOffering(10_000_00n, 0, labelBytes("Acme seed round")); // offering 1
  await quota.registerOffering(1_500_00n, 600_00n, labelBytes("Tiny cap")); // offering 2
  const a = quota.connect(actors.platformA);
  const b = quota.connect(actors.platformB);
  const period = Number(await quota.currentPeriod());
  return { ...suite, quota, a, b, period };
}

async function inFuture(seconds: number): Promise<bigint> {
  return BigInt(await time.latest()) + BigInt(seconds);
}

describe("QuotaRegistry", function () {
  describe("initialize", function () {
    it("records the registry and the calendar-year rule", async function () {
      const { quota, registry } = await loadFixture(quotaFixture);
      expect(await quota.registry()).to.equal(await registry.getAddress());
      expect(await quota.periodDays()).to.equal(0);
      expect(await quota.currentPeriod()).to.equal(new Date((await time.latest()) * 1000).getUTCFullYear());
    });

    it("cannot be initialised twice", async function () {
      const { quota, actors } = await loadFixture(quotaFixture);
      await expect(quota.initialize(actors.csd.address, actors.csd.address)).to.be.revertedWithCustomError(quota, "InvalidInitialization");
    });

    it("refuses a zero registry on a fresh proxy", async function () {
      const { upgrades } = await import("hardhat");
      const { actors } = await loadFixture(quotaFixture);
      const library = await (await ethers.deployContract("QuotaCommitted")).getAddress();
      const regCf = await (await ethers.deployContract("QuotaRegCf")).getAddress();
      const f = await ethers.getContractFactory("QuotaRegistry", { libraries: { QuotaCommitted: library, QuotaRegCf: regCf } });
      upgrades.silenceWarnings();
      await expect(
        upgrades.deployProxy(f, [actors.csd.address, ethers.ZeroAddress], { kind: "uups", unsafeAllow: ["external-library-linking"] }),
      )
        .to.be.revertedWithCustomError(f, "ConsortiumZeroAddress")
        .withArgs("registry");
    });

    it("reports its implementation version", async function () {
      const { quota } = await loadFixture(quotaFixture);
      expect(await quota.version()).to.equal("1.3.0");
    });
  });

  describe("setQuota", function () {
    it("sets a direct quota and emits", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await expect(quota.setQuota(NOBODY, 5n)).to.emit(quota, "InvestorQuotaSet").withArgs(NOBODY, 0, 5n);
      expect(await quota.quotaOf(NOBODY)).to.deep.equal([5n, 0n, true]);
    });

    it("refuses a zero investor key", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await expect(quota.setQuota(ethers.ZeroHash, 5n)).to.be.revertedWithCustomError(quota, "QuotaZeroInvestorKey");
    });

    it("refuses a stranger and a platform", async function () {
      const { quota, actors } = await loadFixture(quotaFixture);
      const role = await quota.QUOTA_ADMIN_ROLE();
      for (const who of [actors.stranger, actors.platformA]) {
        await expect(quota.connect(who).setQuota(ALICE, 1n))
          .to.be.revertedWithCustomError(quota, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, role);
      }
    });
  });

  describe("setCategory and setInvestorCategory", function () {
    it("applies the category limit, also after the table changes", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await expect(quota.setCategory(1, 2_500_00n, labelBytes("retail")))
        .to.emit(quota, "CategorySet")
        .withArgs(1, 2_500_00n, labelBytes("retail"));
      await expect(quota.setInvestorCategory(NOBODY, 1)).to.emit(quota, "InvestorQuotaSet").withArgs(NOBODY, 1, 2_500_00n);
      await quota.setCategory(1, 2_200_00n, labelBytes("retail"));
      expect(await quota.quotaOf(NOBODY)).to.deep.equal([2_200_00n, 1n, true]);
    });

    it("reads a category's limit and name", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await quota.setCategory(2, 1_400_00n, labelBytes("qualified"));
      expect(await quota.category(2)).to.deep.equal([1_400_00n, labelBytes("qualified")]);
    });

    it("refuses a zero investor key", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await quota.setCategory(1, 2_500_00n, labelBytes("retail"));
      await expect(quota.setInvestorCategory(ethers.ZeroHash, 1)).to.be.revertedWithCustomError(quota, "QuotaZeroInvestorKey");
    });

    it("treats the accredited category as unlimited", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      await quota.setCategory(3, UNLIMITED, labelBytes("accredited"));
      await quota.setInvestorCategory(NOBODY, 3);
      await a.consume(ref("big"), NOBODY, 1, 10_000_00n);
      expect(await quota.availableOf(NOBODY, period)).to.equal(UNLIMITED - 10_000_00n);
    });

    it("refuses category 0 and unknown categories", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await expect(quota.setCategory(0, 1n, labelBytes("x")))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidCategory")
        .withArgs(0);
      await expect(quota.setInvestorCategory(ALICE, 0)).to.be.revertedWithCustomError(quota, "QuotaInvalidCategory").withArgs(0);
      await expect(quota.setInvestorCategory(ALICE, 9)).to.be.revertedWithCustomError(quota, "QuotaUnknownCategory").withArgs(9);
      await expect(quota.category(9)).to.be.revertedWithCustomError(quota, "QuotaUnknownCategory").withArgs(9);
    });

    it("refuses a stranger", async function () {
      const { quota, actors } = await loadFixture(quotaFixture);
      await expect(quota.connect(actors.stranger).setCategory(1, 1n, labelBytes("x"))).to.be.revertedWithCustomError(
        quota,
        "AccessControlUnauthorizedAccount",
      );
      await expect(quota.connect(actors.stranger).setInvestorCategory(ALICE, 1)).to.be.revertedWithCustomError(
        quota,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("registerOffering", function () {
    it("numbers offerings and emits", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await expect(quota.registerOffering(100n, 10n, labelBytes("third")))
        .to.emit(quota, "OfferingRegistered")
        .withArgs(3, 100n, 10n, labelBytes("third"));
      expect(await quota.offeringCount()).to.equal(3);
      expect(await quota.offering(3)).to.deep.equal([100n, 10n, 0n, 0n]);
    });

    it("refuses a zero cap or a per-investor limit above the cap", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await expect(quota.registerOffering(0, 0, labelBytes("x")))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidOfferingLimits")
        .withArgs(0, 0);
      await expect(quota.registerOffering(5, 6, labelBytes("x")))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidOfferingLimits")
        .withArgs(5, 6);
      await expect(quota.offering(99)).to.be.revertedWithCustomError(quota, "QuotaUnknownOffering").withArgs(99);
    });

    it("refuses a stranger", async function () {
      const { quota, actors } = await loadFixture(quotaFixture);
      await expect(quota.connect(actors.stranger).registerOffering(1, 0, labelBytes("x"))).to.be.revertedWithCustomError(
        quota,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("setPeriodDays", function () {
    it("switches to fixed windows and back", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await expect(quota.setPeriodDays(365)).to.emit(quota, "PeriodRuleSet").withArgs(365);
      const now = await time.latest();
      expect(await quota.currentPeriod()).to.equal(periodOf(now, 365));
      expect(await quota.periodOf(86_400 * 365 * 2)).to.equal(10_002);
      await quota.setPeriodDays(0);
      expect(await quota.periodOf(Date.UTC(2024, 11, 31, 23, 59, 59) / 1000)).to.equal(2024);
      expect(await quota.periodOf(Date.UTC(2025, 0, 1) / 1000)).to.equal(2025);
    });

    it("refuses an out-of-range length and a quota admin without the consortium role", async function () {
      const { quota, actors } = await loadFixture(quotaFixture);
      await expect(quota.setPeriodDays(5000)).to.be.revertedWithCustomError(quota, "QuotaInvalidPeriodDays").withArgs(5000);
      await quota.grantRole(await quota.QUOTA_ADMIN_ROLE(), actors.regulator.address);
      await expect(quota.connect(actors.regulator).setPeriodDays(30)).to.be.revertedWithCustomError(
        quota,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("consume", function () {
    it("counts against the investor and the offering, and emits", async function () {
      const { quota, a, period, ids } = await loadFixture(quotaFixture);
      await expect(a.consume(ref("order-1"), ALICE, 1, 400_00n))
        .to.emit(quota, "QuotaConsumed")
        .withArgs(ids.platformA, ref("order-1"), ALICE, 1, 400_00n, period);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([400_00n, 0n]);
      expect(await quota.availableOf(ALICE, period)).to.equal(600_00n);
      expect((await quota.offering(1)).consumed).to.equal(400_00n);
    });

    it("is idempotent on the reference: a retry changes nothing", async function () {
      const { quota, a, period, ids } = await loadFixture(quotaFixture);
      await a.consume(ref("order-1"), ALICE, 1, 400_00n);
      await expect(a.consume(ref("order-1"), ALICE, 1, 400_00n))
        .to.emit(quota, "QuotaReplayed")
        .withArgs(ids.platformA, ref("order-1"), Op.Consume)
        .and.not.to.emit(quota, "QuotaConsumed");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([400_00n, 0n]);
    });

    it("shares references between signers of one platform", async function () {
      const { quota, registry, ids, actors, period } = await loadFixture(quotaFixture);
      const second = actors.investors[4]; // an extra account, made a second signer of platform A
      await registry.removeSigner(ids.investors[4], second.address);
      await registry.addSigner(ids.platformA, second.address);
      await quota.connect(actors.platformA).consume(ref("order-1"), ALICE, 1, 400_00n);
      await expect(quota.connect(second).consume(ref("order-1"), ALICE, 1, 400_00n)).to.emit(quota, "QuotaReplayed");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([400_00n, 0n]);
    });

    it("keeps references apart between platforms", async function () {
      const { quota, a, b, period } = await loadFixture(quotaFixture);
      await a.consume(ref("order-1"), ALICE, 1, 100_00n);
      await b.consume(ref("order-1"), ALICE, 1, 100_00n);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([200_00n, 0n]);
    });

    it("refuses the same reference with other parameters", async function () {
      const { quota, a, ids } = await loadFixture(quotaFixture);
      await a.consume(ref("order-1"), ALICE, 1, 400_00n);
      // Each call is made only when awaited, so no refusal is left unhandled while another is checked.
      for (const call of [() => a.consume(ref("order-1"), ALICE, 1, 401_00n), () => a.consume(ref("order-1"), BOB, 1, 400_00n)]) {
        await expect(call()).to.be.revertedWithCustomError(quota, "QuotaReferenceConflict").withArgs(ids.platformA, ref("order-1"));
      }
      await expect(a.reserve(ref("order-1"), ALICE, 1, 400_00n, await inFuture(60))).to.be.revertedWithCustomError(
        quota,
        "QuotaReferenceConflict",
      );
    });

    it("refuses going over the investor's quota, across platforms", async function () {
      const { quota, a, b } = await loadFixture(quotaFixture);
      await a.consume(ref("a-1"), ALICE, 1, 900_00n);
      await expect(b.consume(ref("b-1"), ALICE, 1, 100_01n))
        .to.be.revertedWithCustomError(quota, "QuotaInvestorLimitExceeded")
        .withArgs(ALICE, 100_01n, 100_00n);
      await b.consume(ref("b-1"), ALICE, 1, 100_00n);
    });

    it("refuses any amount once the investor's quota is used up, with nothing left", async function () {
      const { quota, a } = await loadFixture(quotaFixture);
      await a.consume(ref("a-1"), ALICE, 1, QUOTA);
      await expect(a.consume(ref("a-2"), ALICE, 1, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaInvestorLimitExceeded")
        .withArgs(ALICE, 1n, 0n);
    });

    it("shows nothing available once the quota is used up", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      await a.consume(ref("a-1"), ALICE, 1, QUOTA);
      expect(await quota.availableOf(ALICE, period)).to.equal(0n);
    });

    it("shows nothing available for an unknown investor", async function () {
      const { quota, period } = await loadFixture(quotaFixture);
      expect(await quota.availableOf(NOBODY, period)).to.equal(0n);
    });

    it("refuses going over the offering cap and the per-investor limit", async function () {
      const { quota, a, b } = await loadFixture(quotaFixture);
      await expect(a.consume(ref("a-1"), ALICE, 2, 600_01n))
        .to.be.revertedWithCustomError(quota, "QuotaOfferingInvestorLimitExceeded")
        .withArgs(2, ALICE, 600_01n, 600_00n);
      await a.consume(ref("a-1"), ALICE, 2, 600_00n);
      await b.consume(ref("b-1"), BOB, 2, 600_00n);
      await quota.setQuota(NOBODY, QUOTA);
      await expect(b.consume(ref("b-2"), NOBODY, 2, 300_01n))
        .to.be.revertedWithCustomError(quota, "QuotaOfferingCapExceeded")
        .withArgs(2, 300_01n, 300_00n);
      expect(await quota.offeringUsageOf(2, ALICE)).to.deep.equal([600_00n, 0n]);
    });

    it("refuses bad input with a named error", async function () {
      const { quota, a } = await loadFixture(quotaFixture);
      await expect(a.consume(ref("x"), NOBODY, 1, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaUnknownInvestor")
        .withArgs(NOBODY);
      await expect(a.consume(ref("x"), ALICE, 9, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaUnknownOffering")
        .withArgs(9);
      await expect(a.consume(ref("x"), ALICE, 1, 0n)).to.be.revertedWithCustomError(quota, "QuotaZeroAmount");
      await expect(a.consume(ethers.ZeroHash, ALICE, 1, 1n)).to.be.revertedWithCustomError(quota, "QuotaZeroReference");
    });

    it("starts a fresh quota in the next period", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      await a.consume(ref("y1"), ALICE, 1, QUOTA);
      await time.increaseTo(Date.UTC(period + 1, 0, 1) / 1000);
      await a.consume(ref("y2"), ALICE, 1, QUOTA);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([QUOTA, 0n]);
      expect(await quota.usageOf(ALICE, period + 1)).to.deep.equal([QUOTA, 0n]);
    });
  });

  describe("reserve, confirm and cancel", function () {
    it("reserves, then confirms into consumption", async function () {
      const { quota, a, period, ids } = await loadFixture(quotaFixture);
      const expiry = await inFuture(600);
      await expect(a.reserve(ref("r1"), ALICE, 1, 300_00n, expiry))
        .to.emit(quota, "QuotaReserved")
        .withArgs(ids.platformA, ref("r1"), ALICE, 1, 300_00n, period, expiry);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 300_00n]);
      await expect(a.confirm(ref("r1"), ALICE, 1, 300_00n))
        .to.emit(quota, "QuotaConfirmed")
        .withArgs(ids.platformA, ref("r1"), ALICE, 1, 300_00n, period);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([300_00n, 0n]);
      expect(await quota.offering(1)).to.deep.equal([10_000_00n, 0n, 300_00n, 0n]);
      expect((await quota.recordOf(ids.platformA, ref("r1"))).status).to.equal(2);
    });

    it("cancels and frees the quota; retries are replays", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      const expiry = await inFuture(600);
      await a.reserve(ref("r1"), ALICE, 1, 300_00n, expiry);
      await expect(a.reserve(ref("r1"), ALICE, 1, 300_00n, expiry)).to.emit(quota, "QuotaReplayed");
      await expect(a.cancel(ref("r1"), ALICE, 1, 300_00n)).to.emit(quota, "QuotaCancelled");
      await expect(a.cancel(ref("r1"), ALICE, 1, 300_00n)).to.emit(quota, "QuotaReplayed");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
    });

    it("counts reservations against the quota", async function () {
      const { quota, a, b } = await loadFixture(quotaFixture);
      await a.reserve(ref("r1"), ALICE, 1, 800_00n, await inFuture(600));
      await expect(b.consume(ref("c1"), ALICE, 1, 200_01n)).to.be.revertedWithCustomError(quota, "QuotaInvestorLimitExceeded");
    });

    it("refuses a past expiry, a different expiry on retry, and confirming after expiry", async function () {
      const { quota, a, ids } = await loadFixture(quotaFixture);
      const now = BigInt(await time.latest());
      await expect(a.reserve(ref("r1"), ALICE, 1, 1n, now)).to.be.revertedWithCustomError(quota, "QuotaInvalidExpiry");
      const expiry = await inFuture(60);
      await a.reserve(ref("r1"), ALICE, 1, 1n, expiry);
      await expect(a.reserve(ref("r1"), ALICE, 1, 1n, expiry + 1n)).to.be.revertedWithCustomError(quota, "QuotaReferenceConflict");
      await time.increaseTo(expiry);
      await expect(a.confirm(ref("r1"), ALICE, 1, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaReservationExpired")
        .withArgs(ids.platformA, ref("r1"), expiry);
    });

    it("refuses confirming an unknown, another platform's or a cancelled reference", async function () {
      const { quota, a, b, ids } = await loadFixture(quotaFixture);
      await a.reserve(ref("r1"), ALICE, 1, 1n, await inFuture(600));
      await expect(b.confirm(ref("r1"), ALICE, 1, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaUnknownReference")
        .withArgs(ids.platformB, ref("r1"));
      await expect(a.confirm(ref("r1"), ALICE, 1, 2n)).to.be.revertedWithCustomError(quota, "QuotaReferenceConflict");
      await a.cancel(ref("r1"), ALICE, 1, 1n);
      await expect(a.confirm(ref("r1"), ALICE, 1, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidState")
        .withArgs(ids.platformA, ref("r1"), 3);
    });
  });

  describe("expire", function () {
    it("lets anyone expire a reservation at its expiry, once", async function () {
      const { quota, a, actors, ids, period } = await loadFixture(quotaFixture);
      const expiry = await inFuture(60);
      await a.reserve(ref("r1"), ALICE, 2, 500_00n, expiry);
      const anyone = quota.connect(actors.stranger);
      await expect(anyone.expire(ids.platformA, ref("r1"), ALICE, 2, 500_00n))
        .to.be.revertedWithCustomError(quota, "QuotaReservationNotExpired")
        .withArgs(ids.platformA, ref("r1"), expiry);
      await time.increaseTo(expiry);
      await expect(anyone.expire(ids.platformA, ref("r1"), ALICE, 2, 500_00n))
        .to.emit(quota, "QuotaExpired")
        .withArgs(ids.platformA, ref("r1"), ALICE, 2, 500_00n, period);
      await expect(anyone.expire(ids.platformA, ref("r1"), ALICE, 2, 500_00n)).to.emit(quota, "QuotaReplayed");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
      expect(await quota.offeringUsageOf(2, ALICE)).to.deep.equal([0n, 0n]);
    });

    it("refuses expiring a consumption", async function () {
      const { quota, a, ids } = await loadFixture(quotaFixture);
      await a.consume(ref("c1"), ALICE, 1, 1n);
      await expect(quota.expire(ids.platformA, ref("c1"), ALICE, 1, 1n)).to.be.revertedWithCustomError(quota, "QuotaInvalidState");
    });
  });

  describe("reservation lifetime", function () {
    const DAY = 86_400n;
    const yearEnd = (period: number) => BigInt(Date.UTC(period + 1, 0, 1) / 1000);

    it("caps a reservation at 7 days by default and names the latest expiry when asked for more", async function () {
      const { quota, a } = await loadFixture(quotaFixture);
      expect(await quota.reservationTtl()).to.equal(7n * DAY);
      const t = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(t);
      await expect(a.reserve(ref("long"), ALICE, 1, 1n, t + 7n * DAY + 1n))
        .to.be.revertedWithCustomError(quota, "QuotaReservationTooLong")
        .withArgs(t + 7n * DAY + 1n, t + 7n * DAY);
      await time.setNextBlockTimestamp(t + 1n);
      await expect(a.reserve(ref("long"), ALICE, 1, 1n, t + 1n + 7n * DAY)).to.emit(quota, "QuotaReserved");
    });

    it("refuses an expiry far in the future, which would lock the quota for good", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      await expect(a.reserve(ref("forever"), ALICE, 1, QUOTA, 2n ** 40n - 1n)).to.be.revertedWithCustomError(
        quota,
        "QuotaReservationTooLong",
      );
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
    });

    it("lets anyone free a suspended platform's reservation once it has lapsed", async function () {
      const { quota, a, registry, ids, actors, period } = await loadFixture(quotaFixture);
      const expiry = await inFuture(7 * 86_400);
      await a.reserve(ref("held"), ALICE, 1, QUOTA, expiry);
      await registry.suspend(ids.platformA, ethers.encodeBytes32String("review"));
      await time.increaseTo(expiry);
      await expect(quota.connect(actors.stranger).expire(ids.platformA, ref("held"), ALICE, 1, QUOTA)).to.emit(quota, "QuotaExpired");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
    });

    it("refuses a reservation that would outlive its period, naming the period's end", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      const end = yearEnd(period);
      const t = end - 2n * DAY;
      await time.setNextBlockTimestamp(t);
      await expect(a.reserve(ref("late"), ALICE, 1, 1n, end + 1n))
        .to.be.revertedWithCustomError(quota, "QuotaReservationTooLong")
        .withArgs(end + 1n, end);
      expect(await quota.latestExpiryAt(t)).to.equal(end);
      expect(await quota.periodEndOf(t)).to.equal(end);
    });

    it("refuses confirming a reservation once its period has ended; anyone then expires it in its own period", async function () {
      const { quota, a, actors, ids, period } = await loadFixture(quotaFixture);
      const end = yearEnd(period);
      await time.setNextBlockTimestamp(end - DAY);
      await a.reserve(ref("late"), ALICE, 1, 400_00n, end);
      await time.setNextBlockTimestamp(end);
      await expect(a.confirm(ref("late"), ALICE, 1, 400_00n))
        .to.be.revertedWithCustomError(quota, "QuotaReservationExpired")
        .withArgs(ids.platformA, ref("late"), end);
      await expect(quota.connect(actors.stranger).expire(ids.platformA, ref("late"), ALICE, 1, 400_00n))
        .to.emit(quota, "QuotaExpired")
        .withArgs(ids.platformA, ref("late"), ALICE, 1, 400_00n, period);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
      expect(await quota.usageOf(ALICE, period + 1)).to.deep.equal([0n, 0n]);
    });

    it("ends live reservations when the period rule changes: no confirm, anyone may expire", async function () {
      const { quota, a, actors, ids, period } = await loadFixture(quotaFixture);
      await a.reserve(ref("r1"), ALICE, 1, 300_00n, await inFuture(3600));
      await quota.setPeriodDays(30);
      await expect(a.confirm(ref("r1"), ALICE, 1, 300_00n)).to.be.revertedWithCustomError(quota, "QuotaReservationExpired");
      await expect(quota.connect(actors.stranger).expire(ids.platformA, ref("r1"), ALICE, 1, 300_00n)).to.emit(quota, "QuotaExpired");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
    });

    it("refuses too long a reservation inside a batch, naming its result", async function () {
      const { quota, a, ids } = await loadFixture(quotaFixture);
      const expiry = (await inFuture(0)) + 8n * DAY;
      const op = { op: Op.Reserve, ref: ref("b-long"), investorKey: ALICE, offeringId: 1, amount: 1n, expiry };
      await expect(a.execute([op], false))
        .to.emit(quota, "QuotaItemRejected")
        .withArgs(ids.platformA, ref("b-long"), Op.Reserve, QUOTA_RESULTS.indexOf("ReservationTooLong"));
      await expect(a.execute([op], true))
        .to.be.revertedWithCustomError(quota, "QuotaBatchItemFailed")
        .withArgs(0, QUOTA_RESULTS.indexOf("ReservationTooLong"));
    });

    it("lets the quota admin set the lifetime, which then bounds new reservations", async function () {
      const { quota, a, actors } = await loadFixture(quotaFixture);
      await quota.grantRole(await quota.QUOTA_ADMIN_ROLE(), actors.regulator.address);
      await expect(quota.connect(actors.regulator).setReservationTtl(900)).to.emit(quota, "ReservationTtlSet").withArgs(900);
      expect(await quota.reservationTtl()).to.equal(900n);
      const t = BigInt(await time.latest()) + 5n;
      expect(await quota.latestExpiryAt(t)).to.equal(latestExpiryAt(t, 900n));
      await time.setNextBlockTimestamp(t);
      await expect(a.reserve(ref("r"), ALICE, 1, 1n, t + 901n))
        .to.be.revertedWithCustomError(quota, "QuotaReservationTooLong")
        .withArgs(t + 901n, t + 900n);
    });

    it("refuses a lifetime out of range", async function () {
      const { quota } = await loadFixture(quotaFixture);
      for (const ttl of [0, 59, 90 * 86_400 + 1]) {
        await expect(quota.setReservationTtl(ttl))
          .to.be.revertedWithCustomError(quota, "QuotaInvalidReservationTtl")
          .withArgs(ttl, 60, 90 * 86_400);
      }
    });

    it("refuses setting the lifetime already in force", async function () {
      const { quota } = await loadFixture(quotaFixture);
      await expect(quota.setReservationTtl(7 * 86_400))
        .to.be.revertedWithCustomError(quota, "QuotaReservationTtlUnchanged")
        .withArgs(7 * 86_400);
      await quota.setReservationTtl(3600);
      await expect(quota.setReservationTtl(3600)).to.be.revertedWithCustomError(quota, "QuotaReservationTtlUnchanged").withArgs(3600);
    });

    it("refuses a stranger and a platform", async function () {
      const { quota, actors } = await loadFixture(quotaFixture);
      for (const who of [actors.stranger, actors.platformA]) {
        await expect(quota.connect(who).setReservationTtl(3600))
          .to.be.revertedWithCustomError(quota, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, await quota.QUOTA_ADMIN_ROLE());
      }
      expect(await quota.reservationTtl()).to.equal(7n * DAY);
    });

    it("computes period ends as the tooling does", async function () {
      const { quota } = await loadFixture(quotaFixture);
      const t = BigInt(Date.UTC(2028, 1, 29, 13) / 1000);
      expect(await quota.periodEndOf(t)).to.equal(periodEndOf(t));
      await quota.setPeriodDays(30);
      expect(await quota.periodEndOf(t)).to.equal(periodEndOf(t, 30));
      expect(await quota.latestExpiryAt(t)).to.equal(latestExpiryAt(t, 7n * DAY, 30));
    });
  });

  describe("refund", function () {
    it("gives back a consumption and a confirmed reservation; retries are replays", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      await a.consume(ref("c1"), ALICE, 2, 100_00n);
      await a.reserve(ref("r1"), ALICE, 2, 200_00n, await inFuture(600));
      await a.confirm(ref("r1"), ALICE, 2, 200_00n);
      await expect(a.refund(ref("c1"), ALICE, 2, 100_00n)).to.emit(quota, "QuotaRefunded");
      await expect(a.refund(ref("r1"), ALICE, 2, 200_00n)).to.emit(quota, "QuotaRefunded");
      await expect(a.refund(ref("r1"), ALICE, 2, 200_00n)).to.emit(quota, "QuotaReplayed");
      await expect(a.confirm(ref("r1"), ALICE, 2, 200_00n)).to.emit(quota, "QuotaReplayed");
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
      expect(await quota.offering(2)).to.deep.equal([1_500_00n, 600_00n, 0n, 0n]);
    });

    it("refuses refunding a live reservation", async function () {
      const { quota, a, ids } = await loadFixture(quotaFixture);
      await a.reserve(ref("r1"), ALICE, 1, 1n, await inFuture(600));
      await expect(a.refund(ref("r1"), ALICE, 1, 1n))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidState")
        .withArgs(ids.platformA, ref("r1"), 1);
    });
  });

  describe("execute", function () {
    const item = (op: Op, r: string, investor: string, offeringId: number, amount: bigint, expiry = 0n) => ({
      op,
      ref: ref(r),
      investorKey: investor,
      offeringId,
      amount,
      expiry,
    });

    it("applies good items and reports bad ones without reverting them", async function () {
      const { quota, a, period, ids } = await loadFixture(quotaFixture);
      const ops = [
        item(Op.Consume, "b1", ALICE, 1, 700_00n),
        item(Op.Consume, "b2", ALICE, 1, 400_00n),
        item(Op.Consume, "b3", BOB, 1, 400_00n),
      ];
      const results = await a.execute.staticCall(ops, false);
      expect(results.map(Number)).to.deep.equal([0, QUOTA_RESULTS.indexOf("InvestorLimitExceeded"), 0]);
      await expect(a.execute(ops, false))
        .to.emit(quota, "QuotaItemRejected")
        .withArgs(ids.platformA, ref("b2"), Op.Consume, QUOTA_RESULTS.indexOf("InvestorLimitExceeded"));
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([700_00n, 0n]);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([400_00n, 0n]);
      // The retry of the whole batch counts nothing twice and gives the same results.
      expect((await a.execute.staticCall(ops, false)).map(Number)).to.deep.equal(results.map(Number));
      await a.execute(ops, false);
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([700_00n, 0n]);
    });

    it("reverts everything in the all-or-nothing variant", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      const ops = [item(Op.Consume, "b1", ALICE, 1, 700_00n), item(Op.Consume, "b2", ALICE, 1, 400_00n)];
      await expect(a.execute(ops, true))
        .to.be.revertedWithCustomError(quota, "QuotaBatchItemFailed")
        .withArgs(1, QUOTA_RESULTS.indexOf("InvestorLimitExceeded"));
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([0n, 0n]);
    });

    it("runs every kind of operation", async function () {
      const { quota, a, period } = await loadFixture(quotaFixture);
      const expiry = await inFuture(600);
      await a.execute(
        [
          item(Op.Reserve, "r1", ALICE, 1, 100_00n, expiry),
          item(Op.Reserve, "r2", ALICE, 1, 50_00n, expiry),
          item(Op.Confirm, "r1", ALICE, 1, 100_00n),
          item(Op.Cancel, "r2", ALICE, 1, 50_00n),
          item(Op.Consume, "c1", ALICE, 1, 10_00n),
          item(Op.Refund, "c1", ALICE, 1, 10_00n),
        ],
        true,
      );
      expect(await quota.usageOf(ALICE, period)).to.deep.equal([100_00n, 0n]);
    });

    it("refuses an empty or oversized batch", async function () {
      const { quota, a } = await loadFixture(quotaFixture);
      await expect(a.execute([], false)).to.be.revertedWithCustomError(quota, "QuotaInvalidBatchSize").withArgs(0, 256);
      const big = Array.from({ length: 257 }, (_, i) => item(Op.Consume, `x${i}`, ALICE, 1, 1n));
      await expect(a.execute(big, false)).to.be.revertedWithCustomError(quota, "QuotaInvalidBatchSize").withArgs(257, 256);
    });
  });

  describe("platform access", function () {
    it("refuses a stranger, a non-platform participant and a suspended platform everywhere", async function () {
      const { quota, registry, actors, ids } = await loadFixture(quotaFixture);
      await registry.suspend(ids.platformB, ethers.encodeBytes32String("review"));
      const expiry = await inFuture(600);
      const cases = [
        [actors.stranger, 0, 0],
        [actors.bankA, 2, 1],
        [actors.platformB, 4, 2],
      ] as const;
      for (const [who, kind, status] of cases) {
        const q = quota.connect(who);
        const calls = [
          () => q.reserve(ref("r"), ALICE, 1, 1n, expiry),
          () => q.confirm(ref("r"), ALICE, 1, 1n),
          () => q.cancel(ref("r"), ALICE, 1, 1n),
          () => q.consume(ref("r"), ALICE, 1, 1n),
          () => q.refund(ref("r"), ALICE, 1, 1n),
          () => q.execute([{ op: Op.Consume, ref: ref("r"), investorKey: ALICE, offeringId: 1, amount: 1n, expiry: 0n }], false),
        ];
        for (const call of calls) {
          await expect(call()).to.be.revertedWithCustomError(quota, "QuotaNotActivePlatform").withArgs(who.address, kind, status);
        }
      }
    });

    it("accepts a reinstated platform again", async function () {
      const { quota, registry, actors, ids } = await loadFixture(quotaFixture);
      await registry.suspend(ids.platformB, ethers.encodeBytes32String("review"));
      await registry.reinstate(ids.platformB, ethers.encodeBytes32String("ok"));
      await expect(quota.connect(actors.platformB).consume(ref("r"), ALICE, 1, 1n)).to.emit(quota, "QuotaConsumed");
    });
  });

  describe("upgrade", function () {
    it("only the consortium admin may upgrade", async function () {
      const { quota, actors } = await loadFixture(quotaFixture);
      await expect(quota.connect(actors.stranger).upgradeToAndCall(actors.stranger.address, "0x")).to.be.revertedWithCustomError(
        quota,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("properties", function () {
    // Random interleavings of two platforms (plus a suspended one and a stranger) over few investors with
    // tight quotas, including retries, conflicting reuse, expiries and time jumps. After every operation
    // the result must equal the sequential model's; at the end the whole state must, and no limit is passed.
    const INVESTORS = [ALICE, BOB, investorKey(SALT, "carol"), NOBODY];
    const opArb = fc.record({
      actor: fc.integer({ min: 0, max: 9 }),
      op: fc.constantFrom(...QUOTA_OPS),
      refIndex: fc.integer({ min: 0, max: 7 }),
      investor: fc.integer({ min: 0, max: INVESTORS.length - 1 }),
      offeringId: fc.integer({ min: 1, max: 3 }),
      amount: fc.bigInt({ min: 0n, max: 700n }),
      ttl: fc.integer({ min: -5, max: 90 }),
      advance: fc.integer({ min: 0, max: 30 }),
    });

    it("keeps consumed + reserved within every limit and never counts a retry twice (200 sequences)", async function () {
      const base = await loadFixture(quotaFixture);
      const { quota, registry, actors, ids } = base;
      await quota.setQuota(INVESTORS[2], 900n);
      await quota.setQuota(ALICE, 1_000n);
      await quota.setQuota(BOB, 1_500n);
      await quota.registerOffering(2_000n, 0, labelBytes("p")); // offering 3
      await quota.setReservationTtl(60); // reservations of up to 90 s: some too long
      await registry.suspend(ids.platformB, ethers.encodeBytes32String("review"));
      await registry.reinstate(ids.platformB, ethers.encodeBytes32String("ok"));
      const snapshot = await ethers.provider.send("evm_snapshot", []);
      let snap = snapshot;

      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
          await ethers.provider.send("evm_revert", [snap]);
          snap = await ethers.provider.send("evm_snapshot", []);
          const model = new QuotaModel();
          model.setReservationTtl(60n);
          model.setQuota(ALICE, 1_000n);
          model.setQuota(BOB, 1_500n);
          model.setQuota(INVESTORS[2], 900n);
          model.registerOffering(1, 10_000_00n, 0n);
          model.registerOffering(2, 1_500_00n, 600_00n);
          model.registerOffering(3, 2_000n, 0n);
          // Actor 0..3 platform A, 4..7 platform B, 8 a stranger, 9 platform B while suspended.
          const suspendedB = { on: false };
          const touched = new Set<string>();
          for (const o of ops) {
            if (o.advance > 0) await time.increase(o.advance);
            const signer = o.actor < 4 ? actors.platformA : o.actor < 8 || o.actor === 9 ? actors.platformB : actors.stranger;
            const platformId = o.actor < 4 ? ids.platformA : ids.platformB;
            const wantSuspended = o.actor === 9;
            if (wantSuspended !== suspendedB.on) {
              if (wantSuspended) await registry.suspend(ids.platformB, ethers.encodeBytes32String("p"));
              else await registry.reinstate(ids.platformB, ethers.encodeBytes32String("p"));
              suspendedB.on = wantSuspended;
            }
            const now = BigInt(await time.latest()) + 1n; // the next block's timestamp
            await time.setNextBlockTimestamp(now);
            const inv = INVESTORS[o.investor];
            const r = ethers.id(`ref-${o.refIndex}`);
            const expiry = now + BigInt(o.ttl);
            const mop: ModelOp = { platformId, op: o.op, ref: r, investorKey: inv, offeringId: o.offeringId, amount: o.amount, expiry };
            const q = quota.connect(signer);
            const isPublic = o.op === "Expire";
            const allowed = isPublic || (signer !== actors.stranger && !wantSuspended);
            const period = periodOf(now);
            if (!allowed) {
              await expect(
                q.execute(
                  [{ op: QUOTA_OPS.indexOf(o.op), ref: r, investorKey: inv, offeringId: o.offeringId, amount: o.amount, expiry }],
                  false,
                ),
              ).to.be.revertedWithCustomError(quota, "QuotaNotActivePlatform");
              continue;
            }
            const expected = model.apply(mop, now, period);
            if (isPublic) {
              const tx = q.expire(platformId, r, inv, o.offeringId, o.amount);
              if (expected.result === "Ok") await tx;
              else await expect(tx).to.be.reverted;
            } else {
              const item = { op: QUOTA_OPS.indexOf(o.op), ref: r, investorKey: inv, offeringId: o.offeringId, amount: o.amount, expiry };
              const receipt = await (await q.execute([item], false)).wait();
              const logs = receipt!.logs.map((l) => quota.interface.parseLog(l)).filter((x) => x !== null);
              const rejected = logs.find((l) => l!.name === "QuotaItemRejected");
              const got = rejected ? QUOTA_RESULTS[Number(rejected.args.result)] : "Ok";
              expect(got, `${o.op} ${o.refIndex}`).to.equal(expected.result);
              expect(logs.some((l) => l!.name === "QuotaReplayed")).to.equal(expected.replay);
            }
            touched.add(`${inv}:${period}`);
          }
          model.checkInvariant();
          for (const t of touched) {
            const [inv, period] = t.split(":");
            const u = model.usageOf(inv, Number(period));
            expect(await quota.usageOf(inv, Number(period))).to.deep.equal([u.consumed, u.reserved]);
          }
          for (const id of [1, 2, 3]) {
            const o = model.offerings.get(id)!;
            expect(await quota.offering(id)).to.deep.equal([o.cap, o.perInvestorLimit, o.consumed, o.reserved]);
          }
        }),
        { numRuns: propertyRuns(200) },
      );
      await ethers.provider.send("evm_revert", [snap]);
    });
  });
});
