import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { suiteFixture } from "../helpers/suite";
import {
  DEFAULT_ISSUER_CAP,
  investorKey,
  isRegCfOffering,
  labelBytes,
  QUOTA_OPS,
  QUOTA_RESULTS,
  REG_CF_OFFERING,
  regCfLimit,
  regCfWindowStartDay,
} from "../../lib/quota";
import { ModelOp, RegCfModel } from "../../lib/quota";
import { isoToDay } from "../../lib/core/dates";
import type { IQuotaRegCf, QuotaRegistry } from "../../typechain-types";
import { propertyRuns } from "../helpers/runs";

const SALT = ethers.id("depository-salt");
const ALICE = investorKey(SALT, "passport 4510 123456");
const BOB = investorKey(SALT, "passport 4510 654321");
const NOBODY = investorKey(SALT, "never registered");
const ref = (s: string) => ethers.id(s);
// Income 600,000.00 and net worth 500,000.00: both above 124,000, so 10 % of the greater capped at 124,000.
const ALICE_LIMIT = regCfLimit({ income: 600_000_00n, netWorth: 500_000_00n, accredited: false });
const ISSUER_1 = 41;
const ISSUER_2 = 42;

/** Noon UTC of an ISO date, as UNIX seconds. */
const noon = (iso: string) => BigInt(isoToDay(iso)) * 86_400n + 43_200n;

async function regCfFixture() {
  const suite = await suiteFixture();
  const quota = (await ethers.getContractAt("QuotaRegistry", suite.contracts.QuotaRegistry)) as unknown as QuotaRegistry;
  const regcf = (await ethers.getContractAt("IQuotaRegCf", suite.contracts.QuotaRegistry)) as unknown as IQuotaRegCf;
  await quota.setQuota(ALICE, ALICE_LIMIT);
  await quota.setQuota(BOB, 2_500_00n);
  await quota.registerOffering(10_000_000_00n, 0, labelBytes("period offering")); // offering 1, periods
  const id = async (issuer: number, cap: bigint, per: bigint, name: string) => {
    const receipt = await (await regcf.registerRegCfOffering(issuer, cap, per, labelBytes(name))).wait();
    return Number(
      regcf.interface.parseLog(receipt!.logs.find((l) => regcf.interface.parseLog(l)?.name === "RegCfOfferingRegistered")!)!.args
        .offeringId,
    );
  };
  const cf1 = await id(ISSUER_1, 4_000_000_00n, 0n, "Green Farm"); // 2^31 + 2
  const cf2 = await id(ISSUER_2, 4_000_000_00n, 0n, "Blue Mill"); // 2^31 + 3
  const cf3 = await id(ISSUER_1, 4_000_000_00n, 0n, "Green Farm II"); // 2^31 + 4, same issuer as cf1
  const a = quota.connect(suite.actors.platformA);
  const b = quota.connect(suite.actors.platformB);
  return { ...suite, quota, regcf, a, b, cf1, cf2, cf3 };
}

describe("QuotaRegistry Reg CF (17 CFR 227.100)", function () {
  describe("registerRegCfOffering", function () {
    it("registers an offering with bit 31 set, naming its issuer", async function () {
      const { quota, regcf, cf1, cf2 } = await loadFixture(regCfFixture);
      expect(cf1).to.equal(REG_CF_OFFERING + 2);
      expect(isRegCfOffering(cf2)).to.equal(true);
      expect(await regcf.issuerOf(cf1)).to.equal(ISSUER_1);
      expect(await regcf.issuerOf(1)).to.equal(0);
      const [o, issuer] = await regcf.regCfOffering(cf1);
      expect([[...o], issuer]).to.deep.equal([[4_000_000_00n, 0n, 0n, 0n], BigInt(ISSUER_1)]);
      await expect(quota.offering(cf1)).to.be.revertedWithCustomError(quota, "QuotaUnknownOffering").withArgs(cf1);
      await expect(regcf.regCfOffering(1)).to.be.revertedWithCustomError(quota, "QuotaUnknownOffering").withArgs(1);
      await expect(regcf.registerRegCfOffering(ISSUER_2, 100n, 10n, labelBytes("x")))
        .to.emit(regcf, "RegCfOfferingRegistered")
        .withArgs(REG_CF_OFFERING + 5, ISSUER_2)
        .and.to.emit(quota, "OfferingRegistered")
        .withArgs(REG_CF_OFFERING + 5, 100n, 10n, labelBytes("x"));
    });

    it("refuses issuer 0 and bad limits", async function () {
      const { quota, regcf } = await loadFixture(regCfFixture);
      await expect(regcf.registerRegCfOffering(0, 100n, 0n, labelBytes("x")))
        .to.be.revertedWithCustomError(regcf, "QuotaInvalidIssuer")
        .withArgs(0);
      await expect(regcf.registerRegCfOffering(1, 100n, 101n, labelBytes("x")))
        .to.be.revertedWithCustomError(quota, "QuotaInvalidOfferingLimits")
        .withArgs(100n, 101n);
    });

    it("refuses a stranger and a platform", async function () {
      const { quota, regcf, actors } = await loadFixture(regCfFixture);
      for (const who of [actors.stranger, actors.platformA]) {
        await expect(regcf.connect(who).registerRegCfOffering(1, 100n, 0n, labelBytes("x")))
          .to.be.revertedWithCustomError(quota, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, await quota.QUOTA_ADMIN_ROLE());
      }
    });
  });

  describe("setAccredited", function () {
    it("marks and unmarks an investor, with events", async function () {
      const { regcf } = await loadFixture(regCfFixture);
      await expect(regcf.setAccredited(BOB, true)).to.emit(regcf, "InvestorAccreditedSet").withArgs(BOB, true);
      expect(await regcf.isAccredited(BOB)).to.equal(true);
      await expect(regcf.setAccredited(BOB, false)).to.emit(regcf, "InvestorAccreditedSet").withArgs(BOB, false);
      expect(await regcf.isAccredited(BOB)).to.equal(false);
    });

    it("refuses the mark in force and a zero key", async function () {
      const { quota, regcf } = await loadFixture(regCfFixture);
      await expect(regcf.setAccredited(BOB, false)).to.be.revertedWithCustomError(regcf, "QuotaAccreditedUnchanged").withArgs(BOB, false);
      await expect(regcf.setAccredited(ethers.ZeroHash, true)).to.be.revertedWithCustomError(quota, "QuotaZeroInvestorKey");
    });

    it("refuses a stranger and a platform", async function () {
      const { quota, regcf, actors } = await loadFixture(regCfFixture);
      for (const who of [actors.stranger, actors.platformB]) {
        await expect(regcf.connect(who).setAccredited(BOB, true)).to.be.revertedWithCustomError(quota, "AccessControlUnauthorizedAccount");
      }
    });

    it("lifts the investor limit: an accredited investor invests past it", async function () {
      const { a, regcf, cf1 } = await loadFixture(regCfFixture);
      await expect(a.consume(ref("b1"), BOB, cf1, 2_500_01n)).to.be.revertedWithCustomError(a, "QuotaInvestorLimitExceeded");
      await regcf.setAccredited(BOB, true);
      await a.consume(ref("b1"), BOB, cf1, 50_000_00n);
      const w = await regcf.investorWindowOf(BOB);
      expect(w.used).to.equal(50_000_00n);
      expect(w.accredited).to.equal(true);
      expect(w.limit).to.equal((1n << 128n) - 1n);
    });

    it("counts the accredited investor's window when the mark is removed", async function () {
      const { a, regcf, cf1 } = await loadFixture(regCfFixture);
      await regcf.setAccredited(BOB, true);
      await a.consume(ref("b1"), BOB, cf1, 2_000_00n);
      await regcf.setAccredited(BOB, false);
      await expect(a.consume(ref("b2"), BOB, cf1, 500_01n))
        .to.be.revertedWithCustomError(a, "QuotaInvestorLimitExceeded")
        .withArgs(BOB, 500_01n, 500_00n);
    });
  });

  describe("setIssuerCap", function () {
    it("defaults to USD 5,000,000.00 and sets a new cap with an event", async function () {
      const { regcf } = await loadFixture(regCfFixture);
      expect(await regcf.issuerCap()).to.equal(DEFAULT_ISSUER_CAP);
      await expect(regcf.setIssuerCap(1_000_000_00n)).to.emit(regcf, "IssuerCapSet").withArgs(1_000_000_00n);
      expect(await regcf.issuerCap()).to.equal(1_000_000_00n);
    });

    it("shares the config word with the registry and the period rule without disturbing them", async function () {
      const { quota, regcf, a, cf1 } = await loadFixture(regCfFixture);
      const registry = await quota.registry();
      await regcf.setIssuerCap(1_234_00n);
      await quota.setPeriodDays(30);
      expect([await regcf.issuerCap(), await quota.periodDays(), await quota.registry()]).to.deep.equal([1_234_00n, 30n, registry]);
      await regcf.setIssuerCap(2_000_00n);
      expect([await regcf.issuerCap(), await quota.periodDays(), await quota.registry()]).to.deep.equal([2_000_00n, 30n, registry]);
      await a.consume(ref("w"), BOB, cf1, 1_00n); // the platform check still finds the registry
    });

    it("refuses zero and the cap in force (also the default)", async function () {
      const { regcf } = await loadFixture(regCfFixture);
      await expect(regcf.setIssuerCap(0n)).to.be.revertedWithCustomError(regcf, "QuotaInvalidIssuerCap").withArgs(0n);
      await expect(regcf.setIssuerCap(DEFAULT_ISSUER_CAP))
        .to.be.revertedWithCustomError(regcf, "QuotaIssuerCapUnchanged")
        .withArgs(DEFAULT_ISSUER_CAP);
    });

    it("refuses a stranger and a platform", async function () {
      const { quota, regcf, actors } = await loadFixture(regCfFixture);
      for (const who of [actors.stranger, actors.platformA]) {
        await expect(regcf.connect(who).setIssuerCap(1n)).to.be.revertedWithCustomError(quota, "AccessControlUnauthorizedAccount");
      }
    });
  });

  describe("investor limit over the preceding twelve months", function () {
    it("refuses 15,000 when 50,000 invested eleven months ago on another platform leaves 10,000", async function () {
      const { a, b, regcf, cf1, cf2 } = await loadFixture(regCfFixture);
      expect(ALICE_LIMIT).to.equal(60_000_00n);
      await time.increaseTo(noon("2027-01-15"));
      await b.consume(ref("old"), ALICE, cf2, 50_000_00n);
      await time.increaseTo(noon("2027-12-15"));
      await expect(a.consume(ref("new"), ALICE, cf1, 15_000_00n))
        .to.be.revertedWithCustomError(a, "QuotaInvestorLimitExceeded")
        .withArgs(ALICE, 15_000_00n, 10_000_00n);
      await expect(a.consume(ref("new"), ALICE, cf1, 10_000_00n)).to.emit(a, "QuotaConsumed");
      expect((await regcf.investorWindowOf(ALICE)).available).to.equal(0n);
    });

    it("counts this investment itself: the limit is reached exactly, one unit more is refused", async function () {
      const { a, cf1 } = await loadFixture(regCfFixture);
      await a.consume(ref("x1"), BOB, cf1, 2_500_00n);
      await expect(a.consume(ref("x2"), BOB, cf1, 1n))
        .to.be.revertedWithCustomError(a, "QuotaInvestorLimitExceeded")
        .withArgs(BOB, 1n, 0n);
    });

    it("is a rolling window, not a calendar year: December counts in the following March", async function () {
      const { a, cf1 } = await loadFixture(regCfFixture);
      await time.increaseTo(noon("2027-12-20"));
      await a.consume(ref("dec"), BOB, cf1, 2_000_00n);
      await time.increaseTo(noon("2028-03-20"));
      await expect(a.consume(ref("mar"), BOB, cf1, 500_01n)).to.be.revertedWithCustomError(a, "QuotaInvestorLimitExceeded");
    });

    it("does not touch the period quotas, and period offerings do not count in the window", async function () {
      const { a, quota, regcf, cf1 } = await loadFixture(regCfFixture);
      const period = await quota.currentPeriod();
      await a.consume(ref("cf"), BOB, cf1, 2_500_00n);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([0n, 0n]);
      await a.consume(ref("period"), BOB, 1, 2_500_00n);
      expect(await quota.usageOf(BOB, period)).to.deep.equal([2_500_00n, 0n]);
      expect((await regcf.investorWindowOf(BOB)).used).to.equal(2_500_00n);
    });

    it("refuses an unknown investor and reports a zero window for it", async function () {
      const { a, regcf, cf1 } = await loadFixture(regCfFixture);
      await expect(a.consume(ref("n"), NOBODY, cf1, 1n))
        .to.be.revertedWithCustomError(a, "QuotaUnknownInvestor")
        .withArgs(NOBODY);
      expect((await regcf.investorWindowOf(NOBODY)).available).to.equal(0n);
    });
  });

  describe("window boundary (after the same calendar day one year earlier)", function () {
    const at = async (invested: string, tried: string) => {
      const f = await loadFixture(regCfFixture);
      await time.increaseTo(noon(invested));
      await f.a.consume(ref("first"), BOB, f.cf1, 2_500_00n);
      await time.increaseTo(noon(tried));
      return { tx: f.b.consume(ref("second"), BOB, f.cf2, 1_00n), quota: f.quota };
    };

    it("still counts an investment on the day before its anniversary", async function () {
      const { tx, quota } = await at("2027-03-10", "2028-03-09");
      await expect(tx).to.be.revertedWithCustomError(quota, "QuotaInvestorLimitExceeded").withArgs(BOB, 1_00n, 0n);
    });

    it("no longer counts it on the same calendar day one year later", async function () {
      const { tx, quota } = await at("2027-03-10", "2028-03-10");
      await expect(tx).to.emit(quota, "QuotaConsumed");
    });

    it("no longer counts it on the day after", async function () {
      const { tx, quota } = await at("2027-03-10", "2028-03-11");
      await expect(tx).to.emit(quota, "QuotaConsumed");
    });

    it("on 29 February drops the investments of 28 February one year earlier, keeps 1 March", async function () {
      const f = await loadFixture(regCfFixture);
      await time.increaseTo(noon("2027-02-28"));
      await f.a.consume(ref("feb28"), ALICE, f.cf1, 100_00n);
      await time.increaseTo(noon("2027-03-01"));
      await f.a.consume(ref("mar01"), ALICE, f.cf1, 200_00n);
      await time.increaseTo(noon("2028-02-27"));
      expect((await f.regcf.investorWindowOf(ALICE)).used).to.equal(300_00n);
      await time.increaseTo(noon("2028-02-28"));
      expect((await f.regcf.investorWindowOf(ALICE)).used).to.equal(200_00n);
      await time.increaseTo(noon("2028-02-29"));
      await f.a.consume(ref("leap"), ALICE, f.cf1, 1n); // the drop is stored
      expect((await f.regcf.investorWindowOf(ALICE)).used).to.equal(200_00n + 1n);
      await time.increaseTo(noon("2028-03-01"));
      expect((await f.regcf.investorWindowOf(ALICE)).used).to.equal(1n);
    });

    it("counts an investment of 29 February through 28 February of the next year", async function () {
      const f = await loadFixture(regCfFixture);
      await time.increaseTo(noon("2028-02-29"));
      await f.a.consume(ref("leap"), ALICE, f.cf1, 100_00n);
      await time.increaseTo(noon("2029-02-28"));
      expect((await f.regcf.investorWindowOf(ALICE)).used).to.equal(100_00n);
      await time.increaseTo(noon("2029-03-01"));
      expect((await f.regcf.investorWindowOf(ALICE)).used).to.equal(0n);
    });

    it("publishes the window's first day, as lib/quota computes it", async function () {
      const { regcf } = await loadFixture(regCfFixture);
      const cases: [string, string][] = [
        ["2028-02-29", "2027-03-01"],
        ["2028-02-28", "2027-03-01"],
        ["2029-02-28", "2028-02-29"],
        ["2028-03-10", "2027-03-11"],
        ["2028-01-01", "2027-01-02"],
        ["2027-12-31", "2027-01-01"],
      ];
      for (const [day, first] of cases) {
        expect(await regcf.windowStartOf(noon(day)), day).to.equal(isoToDay(first));
        expect(regCfWindowStartDay(isoToDay(day)), day).to.equal(isoToDay(first));
      }
    });
  });

  describe("issuer limit (a)(1)", function () {
    it("sums all the issuer's offerings on every platform, including this sale", async function () {
      const { a, b, regcf, cf1, cf2, cf3 } = await loadFixture(regCfFixture);
      await regcf.setIssuerCap(3_000_00n);
      await a.consume(ref("i1"), ALICE, cf1, 1_000_00n);
      await b.consume(ref("i2"), BOB, cf3, 1_500_00n);
      await b.consume(ref("i3"), BOB, cf2, 1_000_00n); // another issuer
      await expect(a.consume(ref("i4"), ALICE, cf3, 500_01n))
        .to.be.revertedWithCustomError(a, "QuotaIssuerLimitExceeded")
        .withArgs(ISSUER_1, 500_01n, 500_00n);
      await a.consume(ref("i4"), ALICE, cf3, 500_00n);
      const w = await regcf.issuerWindowOf(ISSUER_1);
      expect([w.used, w.cap, w.available]).to.deep.equal([3_000_00n, 3_000_00n, 0n]);
    });

    it("frees the issuer's sales twelve months on", async function () {
      const { a, regcf, cf1 } = await loadFixture(regCfFixture);
      await regcf.setIssuerCap(3_000_00n);
      await regcf.setAccredited(ALICE, true);
      await time.increaseTo(noon("2027-05-05"));
      await a.consume(ref("i1"), ALICE, cf1, 3_000_00n);
      await time.increaseTo(noon("2028-05-04"));
      await expect(a.consume(ref("i2"), ALICE, cf1, 1n)).to.be.revertedWithCustomError(a, "QuotaIssuerLimitExceeded");
      await time.increaseTo(noon("2028-05-05"));
      await a.consume(ref("i2"), ALICE, cf1, 3_000_00n);
    });

    it("applies to accredited investors too", async function () {
      const { a, regcf, cf1 } = await loadFixture(regCfFixture);
      await regcf.setIssuerCap(1_000_00n);
      await regcf.setAccredited(ALICE, true);
      await expect(a.consume(ref("i1"), ALICE, cf1, 1_000_01n)).to.be.revertedWithCustomError(a, "QuotaIssuerLimitExceeded");
    });
  });

  describe("refunds, cancellations and reservations", function () {
    it("a refund removes the investment from the investor's and the issuer's windows", async function () {
      const { a, regcf, cf1 } = await loadFixture(regCfFixture);
      await a.consume(ref("r1"), BOB, cf1, 2_000_00n);
      await time.increase(3 * 86_400);
      await a.consume(ref("r2"), BOB, cf1, 500_00n);
      await a.refund(ref("r1"), BOB, cf1, 2_000_00n);
      expect((await regcf.investorWindowOf(BOB)).used).to.equal(500_00n);
      expect((await regcf.issuerWindowOf(ISSUER_1)).used).to.equal(500_00n);
      await a.consume(ref("r3"), BOB, cf1, 2_000_00n);
    });

    it("a reservation counts at its date; confirming keeps it; cancelling and expiring remove it", async function () {
      const { a, regcf, cf1, actors, ids, quota } = await loadFixture(regCfFixture);
      const now = BigInt(await time.latest());
      await a.reserve(ref("c1"), BOB, cf1, 1_000_00n, now + 3_600n);
      await a.reserve(ref("c2"), BOB, cf1, 1_000_00n, now + 3_600n);
      await a.reserve(ref("c3"), BOB, cf1, 500_00n, now + 60n);
      await expect(a.consume(ref("c4"), BOB, cf1, 1n)).to.be.revertedWithCustomError(a, "QuotaInvestorLimitExceeded");
      await a.confirm(ref("c1"), BOB, cf1, 1_000_00n);
      await a.cancel(ref("c2"), BOB, cf1, 1_000_00n);
      await time.increase(120);
      await quota.connect(actors.stranger).expire(ids.platformA, ref("c3"), BOB, cf1, 500_00n);
      expect((await regcf.investorWindowOf(BOB)).used).to.equal(1_000_00n);
      expect((await regcf.issuerWindowOf(ISSUER_1)).used).to.equal(1_000_00n);
    });

    it("bounds a reservation by the lifetime alone (no period end under Reg CF)", async function () {
      const { a, cf1 } = await loadFixture(regCfFixture);
      await time.increaseTo(noon("2027-12-31"));
      const now = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(now);
      await expect(a.reserve(ref("y"), BOB, cf1, 1n, now + 7n * 86_400n)).to.emit(a, "QuotaReserved");
      await expect(a.reserve(ref("z"), BOB, cf1, 1n, BigInt(await time.latest()) + 8n * 86_400n)).to.be.revertedWithCustomError(
        a,
        "QuotaReservationTooLong",
      );
    });

    it("a refund of an investment that has left the window changes neither window", async function () {
      const { a, regcf, cf1 } = await loadFixture(regCfFixture);
      await time.increaseTo(noon("2027-04-01"));
      await a.consume(ref("o1"), BOB, cf1, 1_000_00n);
      await time.increaseTo(noon("2028-04-02"));
      await a.consume(ref("o2"), BOB, cf1, 700_00n);
      await a.refund(ref("o1"), BOB, cf1, 1_000_00n);
      expect((await regcf.investorWindowOf(BOB)).used).to.equal(700_00n);
      expect((await regcf.issuerWindowOf(ISSUER_1)).used).to.equal(700_00n);
    });

    it("a retry is a replay and a reference reused with other parameters is refused", async function () {
      const { a, cf1 } = await loadFixture(regCfFixture);
      await a.consume(ref("d"), BOB, cf1, 100n);
      await expect(a.consume(ref("d"), BOB, cf1, 100n)).to.emit(a, "QuotaReplayed");
      await expect(a.consume(ref("d"), BOB, cf1, 101n)).to.be.revertedWithCustomError(a, "QuotaReferenceConflict");
    });
  });

  describe("expiry of many entries", function () {
    it("drops twelve investment days at once, a year on", async function () {
      const { a, regcf, cf1 } = await loadFixture(regCfFixture);
      await time.increaseTo(noon("2027-01-01"));
      for (let i = 0; i < 12; i++) {
        await a.consume(ref(`m${i}`), BOB, cf1, 200_00n);
        await time.increase(20 * 86_400);
      }
      const before = await regcf.investorWindowOf(BOB);
      expect([before.used, before.dayCount]).to.deep.equal([2_400_00n, 12n]);
      await time.increaseTo(noon("2028-12-01"));
      await a.consume(ref("after"), BOB, cf1, 2_500_00n);
      const after = await regcf.investorWindowOf(BOB);
      expect([after.used, after.dayCount]).to.deep.equal([2_500_00n, 1n]);
    });
  });

  describe("paths that do not serve Reg CF", function () {
    it("a committed batch refuses a Reg CF item as an unknown offering", async function () {
      const { a, cf1 } = await loadFixture(regCfFixture);
      const items = [{ investorKey: BOB, offeringId: cf1, amount: 1n, expiry: 0n }];
      await expect(a.executeCommitted(0n, items, true))
        .to.be.revertedWithCustomError(a, "QuotaBatchItemFailed")
        .withArgs(0, QUOTA_RESULTS.indexOf("UnknownOffering"));
    });

    it("does not serve the library's internal entry point or an unknown function", async function () {
      const { quota, actors } = await loadFixture(regCfFixture);
      const { artifacts } = await import("hardhat");
      const info = await artifacts.getBuildInfo("contracts/quota/QuotaRegCf.sol:QuotaRegCf");
      const ids = info!.output.contracts["contracts/quota/QuotaRegCf.sol"].QuotaRegCf.evm.methodIdentifiers as Record<string, string>;
      const selector = "0x" + Object.entries(ids).find(([sig]) => sig.startsWith("applyRegCf("))![1];
      const to = await quota.getAddress();
      await expect(actors.stranger.sendTransaction({ to, data: selector + "00".repeat(288) }))
        .to.be.revertedWithCustomError(quota, "QuotaUnknownFunction")
        .withArgs(selector);
      await expect(actors.stranger.sendTransaction({ to, data: "0x12345678" })).to.be.reverted;
    });

    it("refuses a platform operation by a stranger", async function () {
      const { quota, actors, cf1 } = await loadFixture(regCfFixture);
      await expect(quota.connect(actors.stranger).consume(ref("s"), BOB, cf1, 1n)).to.be.revertedWithCustomError(
        quota,
        "QuotaNotActivePlatform",
      );
    });
  });

  describe("properties", function () {
    // Random operations of two platforms over three investors (one accredited) and two issuers, with jumps of
    // days to months so that investments leave the window. After every operation the result must equal the
    // rolling-window model's; the windows must equal the model's sums.
    const INVESTORS = [ALICE, BOB, investorKey(SALT, "carol")];
    const opArb = fc.record({
      platform: fc.integer({ min: 0, max: 1 }),
      op: fc.constantFrom(...QUOTA_OPS),
      refIndex: fc.integer({ min: 0, max: 9 }),
      investor: fc.integer({ min: 0, max: 2 }),
      offering: fc.integer({ min: 0, max: 2 }),
      amount: fc.bigInt({ min: 0n, max: 900n }),
      ttl: fc.integer({ min: -5, max: 3_000 }),
      advanceDays: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 300, max: 370 })),
    });

    it("agrees with the rolling-window model (60 sequences)", async function () {
      const base = await loadFixture(regCfFixture);
      const { quota, regcf, ids, actors, cf1, cf2, cf3 } = base;
      await quota.setQuota(ALICE, 1_000n);
      await quota.setQuota(BOB, 1_500n);
      await quota.setQuota(INVESTORS[2], 5n);
      await regcf.setAccredited(INVESTORS[2], true);
      await regcf.setIssuerCap(2_000n);
      await quota.setReservationTtl(3_600);
      const offerings = [cf1, cf2, cf3];
      const cf4 = Number(REG_CF_OFFERING) + 5;
      await regcf.registerRegCfOffering(ISSUER_2, 1_200n, 400n, labelBytes("per-investor")); // cf4
      offerings[1] = cf4;
      let snap = await ethers.provider.send("evm_snapshot", []);
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
          await ethers.provider.send("evm_revert", [snap]);
          snap = await ethers.provider.send("evm_snapshot", []);
          const model = new RegCfModel();
          model.reservationTtl = 3_600n;
          model.issuerCap = 2_000n;
          model.setQuota(ALICE, 1_000n);
          model.setQuota(BOB, 1_500n);
          model.setQuota(INVESTORS[2], 5n);
          model.setAccredited(INVESTORS[2], true);
          model.registerOffering(cf1, ISSUER_1, 4_000_000_00n, 0n);
          model.registerOffering(cf2, ISSUER_2, 4_000_000_00n, 0n);
          model.registerOffering(cf3, ISSUER_1, 4_000_000_00n, 0n);
          model.registerOffering(cf4, ISSUER_2, 1_200n, 400n);
          for (const o of ops) {
            const now = BigInt(await time.latest()) + BigInt(o.advanceDays) * 86_400n + 1n;
            await time.setNextBlockTimestamp(now);
            const signer = o.platform === 0 ? actors.platformA : actors.platformB;
            const platformId = o.platform === 0 ? ids.platformA : ids.platformB;
            const inv = INVESTORS[o.investor];
            const r = ethers.id(`ref-${o.refIndex}`);
            const expiry = now + BigInt(o.ttl);
            const offeringId = offerings[o.offering];
            const mop: ModelOp = { platformId, op: o.op, ref: r, investorKey: inv, offeringId, amount: o.amount, expiry };
            const expected = model.apply(mop, now);
            const item = { op: QUOTA_OPS.indexOf(o.op), ref: r, investorKey: inv, offeringId, amount: o.amount, expiry };
            const receipt = await (await quota.connect(signer).execute([item], false)).wait();
            const logs = receipt!.logs.map((l) => quota.interface.parseLog(l)).filter((x) => x !== null);
            const rejected = logs.find((l) => l!.name === "QuotaItemRejected");
            const got = rejected ? QUOTA_RESULTS[Number(rejected.args.result)] : "Ok";
            expect(got, `${o.op} ref-${o.refIndex}`).to.equal(expected.result);
            expect(logs.some((l) => l!.name === "QuotaReplayed")).to.equal(expected.replay);
            const day = Number(now / 86_400n);
            for (const k of INVESTORS) expect((await regcf.investorWindowOf(k)).used).to.equal(model.investorUsed(k, day));
            for (const i of [ISSUER_1, ISSUER_2]) expect((await regcf.issuerWindowOf(i)).used).to.equal(model.issuerUsed(i, day));
          }
          for (const id of offerings) {
            const m = model.offerings.get(id)!;
            expect([...(await regcf.regCfOffering(id)).o]).to.deep.equal([m.cap, m.perInvestorLimit, m.consumed, m.reserved]);
          }
        }),
        { numRuns: propertyRuns(60) },
      );
      await ethers.provider.send("evm_revert", [snap]);
    });
  });
});
