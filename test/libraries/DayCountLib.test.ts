import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { isoToDay, toDay } from "../../lib/core/dates";
import {
  Bond,
  DAY_COUNT_CONVENTIONS,
  DayCountName,
  NO_PERIOD,
  WAD,
  accruedPerUnitExact,
  couponPeriod,
  dayCountIndex,
  days360,
} from "../../lib/math";
import { propertyRuns } from "../helpers/runs";

async function dayCountFixture() {
  return { dc: await ethers.deployContract("DayCountHarness") };
}

const ix = dayCountIndex;
const noPeriod = { ...NO_PERIOD };

/** An independent 30/360-family and ACT implementation on JavaScript Date (UTC), for cross-checking. */
function naiveYearFraction(conv: DayCountName, a: Date, b: Date): [number, number] {
  const actual = Math.round((b.getTime() - a.getTime()) / 86_400_000);
  if (conv === "Act360") return [actual, 360];
  if (conv === "Act365Fixed") return [actual, 365];
  const lastOfFeb = (d: Date) => d.getUTCMonth() === 1 && new Date(Date.UTC(d.getUTCFullYear(), 2, 0)).getUTCDate() === d.getUTCDate();
  let d1 = a.getUTCDate();
  let d2 = b.getUTCDate();
  if (conv === "Thirty360BondBasis") {
    d1 = d1 === 31 ? 30 : d1;
    d2 = d2 === 31 && d1 >= 30 ? 30 : d2;
  } else if (conv === "Thirty360E") {
    d1 = Math.min(d1, 30);
    d2 = Math.min(d2, 30);
  } else if (conv === "Thirty360EIsda") {
    d1 = d1 === 31 || lastOfFeb(a) ? 30 : d1;
    d2 = d2 === 31 || lastOfFeb(b) ? 30 : d2;
  }
  return [360 * (b.getUTCFullYear() - a.getUTCFullYear()) + 30 * (b.getUTCMonth() - a.getUTCMonth()) + d2 - d1, 360];
}

const dateArb = fc.date({ min: new Date(Date.UTC(1990, 0, 1)), max: new Date(Date.UTC(2060, 11, 31)), noInvalidDate: true }).map((d) => {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
});
const pairArb = fc.tuple(dateArb, dateArb).map(([x, y]) => (x <= y ? [x, y] : [y, x]) as [Date, Date]);
const dayOf = (d: Date) => toDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());

describe("DayCountLib", function () {
  describe("fraction", function () {
    it("reverts when the end is before the start", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      await expect(dc.fraction(ix("Act360"), 10, 9))
        .to.be.revertedWithCustomError(dc, "DayCountEndBeforeStart")
        .withArgs(10, 9);
    });

    it("reverts for ActActIcma without a coupon period", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      await expect(dc.fraction(ix("ActActIcma"), 10, 20))
        .to.be.revertedWithCustomError(dc, "DayCountPeriodInvalid")
        .withArgs(10, 20, 0, 0, 0);
    });

    it("reverts for ActActIcma when the accrual leaves the period or the frequency does not divide 12", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const p = { periodStart: 10, periodEnd: 100, frequency: 2, endIsTermination: false };
      await expect(dc.fractionInPeriod(ix("ActActIcma"), 5, 20, p)).to.be.revertedWithCustomError(dc, "DayCountPeriodInvalid");
      await expect(dc.fractionInPeriod(ix("ActActIcma"), 10, 101, p)).to.be.revertedWithCustomError(dc, "DayCountPeriodInvalid");
      await expect(dc.fractionInPeriod(ix("ActActIcma"), 10, 20, { ...p, frequency: 5 }))
        .to.be.revertedWithCustomError(dc, "DayCountPeriodInvalid")
        .withArgs(10, 20, 10, 100, 5);
    });

    it("reverts for ActActIcma with an empty coupon period", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const p = { periodStart: 10, periodEnd: 10, frequency: 2, endIsTermination: false };
      await expect(dc.fractionInPeriod(ix("ActActIcma"), 10, 10, p))
        .to.be.revertedWithCustomError(dc, "DayCountPeriodInvalid")
        .withArgs(10, 10, 10, 10, 2);
    });

    it("reverts for ActActIcma with a zero frequency", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const p = { periodStart: 10, periodEnd: 100, frequency: 0, endIsTermination: false };
      await expect(dc.fractionInPeriod(ix("ActActIcma"), 10, 20, p))
        .to.be.revertedWithCustomError(dc, "DayCountPeriodInvalid")
        .withArgs(10, 20, 10, 100, 0);
    });

    it("30E/360 ISDA leaves a February month end alone only on the termination date", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const [a, b] = [isoToDay("2007-08-31"), isoToDay("2008-02-29")];
      expect((await dc.fractionInPeriod(ix("Thirty360EIsda"), a, b, noPeriod))[0]).to.equal(180n);
      expect((await dc.fractionInPeriod(ix("Thirty360EIsda"), a, b, { ...noPeriod, endIsTermination: true }))[0]).to.equal(179n);
    });

    it("property: every convention agrees with an independent Date-based implementation", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const pairs = fc.sample(pairArb, { numRuns: 40, seed: 4016 });
      pairs.push([new Date(Date.UTC(2024, 0, 31)), new Date(Date.UTC(2024, 1, 29))]);
      const conventions: DayCountName[] = ["Thirty360BondBasis", "Thirty360E", "Thirty360EIsda", "Act360", "Act365Fixed"];
      for (const [a, b] of pairs) {
        for (const c of conventions) {
          const [num, den] = await dc.fraction(ix(c), dayOf(a), dayOf(b));
          const [n, d] = naiveYearFraction(c, a, b);
          expect([num, den], `${c} ${a.toISOString()} -> ${b.toISOString()}`).to.deep.equal([BigInt(n), BigInt(d)]);
        }
      }
    });

    it("property: the legacy unadjusted 30/360 differs from Bond Basis exactly as DOMAIN.md §4 says", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      // The rule itself over many pairs on the calculator, which the vectors and the next check tie to the contract.
      fc.assert(
        fc.property(pairArb, ([a, b]) => {
          const [x, y] = [dayOf(a), dayOf(b)];
          const diff = days360("Legacy30360Unadjusted", x, y) - days360("Thirty360BondBasis", x, y);
          const d1 = a.getUTCDate();
          const d2 = b.getUTCDate();
          const want = x === y ? 0 : d1 === 31 && d2 !== 31 ? -1 : d1 === 30 && d2 === 31 ? 1 : 0;
          return diff === want;
        }),
        { numRuns: propertyRuns(5000), seed: 360 },
      );
      for (const [a, b] of fc.sample(pairArb, { numRuns: 25, seed: 361 })) {
        const [x, y] = [dayOf(a), dayOf(b)];
        expect(await dc.days360(ix("Legacy30360Unadjusted"), x, y, false)).to.equal(BigInt(days360("Legacy30360Unadjusted", x, y)));
      }
    });
  });

  describe("days360", function () {
    it("reverts when the end is before the start", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      await expect(dc.days360(ix("Thirty360E"), 2, 1, false))
        .to.be.revertedWithCustomError(dc, "DayCountEndBeforeStart")
        .withArgs(2, 1);
    });

    it("is zero for the same day, even for a February month end on the termination date", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const d = isoToDay("2023-02-28");
      expect(await dc.days360(ix("Thirty360EIsda"), d, d, true)).to.equal(0n);
    });
  });
});

const bond = (over: Partial<Bond> = {}): Bond => ({
  faceValue: 1000n * WAD,
  couponRate: WAD / 20n,
  frequency: 2,
  issueDate: isoToDay("2020-08-31"),
  maturityDate: isoToDay("2030-08-31"),
  dayCount: "Thirty360BondBasis",
  ...over,
});
const toAbi = (b: Bond) => ({ ...b, dayCount: ix(b.dayCount) });

describe("CouponLib", function () {
  describe("couponDate", function () {
    it("keeps month ends when the issue date is a month end (29 Feb in a leap year)", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const issue = isoToDay("2020-08-31");
      expect(await dc.couponDate(issue, 2, 7)).to.equal(isoToDay("2024-02-29"));
      expect(await dc.couponDate(issue, 2, 9)).to.equal(isoToDay("2025-02-28"));
      expect(await dc.couponDate(issue, 2, 8)).to.equal(isoToDay("2024-08-31"));
    });

    it("clamps a mid-month day to short months without drifting", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const issue = isoToDay("2023-01-30");
      expect(await dc.couponDate(issue, 12, 1)).to.equal(isoToDay("2023-02-28"));
      expect(await dc.couponDate(issue, 12, 2)).to.equal(isoToDay("2023-03-30"));
    });
  });

  describe("couponPeriod", function () {
    it("finds the period containing the settlement date, a coupon date starting a new period", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const b = toAbi(bond());
      expect(await dc.couponPeriod(b, isoToDay("2024-02-29"))).to.deep.equal([
        BigInt(isoToDay("2024-02-29")),
        BigInt(isoToDay("2024-08-31")),
      ]);
      expect(await dc.couponPeriod(b, isoToDay("2024-02-28"))).to.deep.equal([
        BigInt(isoToDay("2023-08-31")),
        BigInt(isoToDay("2024-02-29")),
      ]);
    });

    it("reverts for a frequency that does not divide 12 or a maturity not after issue", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const b = bond({ frequency: 5 });
      await expect(dc.couponPeriod(toAbi(b), b.issueDate))
        .to.be.revertedWithCustomError(dc, "CouponBondInvalid")
        .withArgs(5, b.issueDate, b.maturityDate);
      const c = bond({ maturityDate: bond().issueDate });
      await expect(dc.couponPeriod(toAbi(c), c.issueDate)).to.be.revertedWithCustomError(dc, "CouponBondInvalid");
    });

    it("reverts for a coupon-paying bond without a frequency", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const b = bond({ frequency: 0 });
      await expect(dc.accruedPerUnitDown(toAbi(b), b.issueDate))
        .to.be.revertedWithCustomError(dc, "CouponBondInvalid")
        .withArgs(0, b.issueDate, b.maturityDate);
    });

    it("reverts for a settlement before issue or at maturity", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const b = bond();
      await expect(dc.couponPeriod(toAbi(b), b.issueDate - 1))
        .to.be.revertedWithCustomError(dc, "CouponSettlementOutOfRange")
        .withArgs(b.issueDate - 1, b.issueDate, b.maturityDate);
      await expect(dc.accruedPerUnitDown(toAbi(b), b.maturityDate)).to.be.revertedWithCustomError(dc, "CouponSettlementOutOfRange");
      await expect(dc.accruedPerUnitDown(toAbi(bond({ couponRate: 0n })), b.maturityDate)).to.be.revertedWithCustomError(
        dc,
        "CouponSettlementOutOfRange",
      );
    });
  });

  describe("accruedPerUnitDown", function () {
    it("is face x rate x fraction rounded down (5% on 1,000, 30/360, 31 Aug -> 15 Oct: 45 days = 6.25)", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      expect(await dc.accruedPerUnitDown(toAbi(bond()), isoToDay("2023-10-15"))).to.equal(625n * 10n ** 16n);
    });

    it("is zero for a zero-coupon bond", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      expect(await dc.accruedPerUnitDown(toAbi(bond({ couponRate: 0n, frequency: 0 })), isoToDay("2023-10-15"))).to.equal(0n);
    });

    it("reverts for a zero-coupon bond before its issue", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const b = bond({ couponRate: 0n, frequency: 0 });
      await expect(dc.accruedPerUnitDown(toAbi(b), b.issueDate - 1))
        .to.be.revertedWithCustomError(dc, "CouponSettlementOutOfRange")
        .withArgs(b.issueDate - 1, b.issueDate, b.maturityDate);
    });

    it("property: equals the calculator's exact value rounded down, under every convention and frequency", async function () {
      const { dc } = await loadFixture(dayCountFixture);
      const arb = fc.record({
        issue: dateArb,
        frequency: fc.constantFrom(1, 2, 4, 12),
        conv: fc.constantFrom(...DAY_COUNT_CONVENTIONS),
        offset: fc.integer({ min: 0, max: 3000 }),
        rate: fc.bigInt({ min: 1n, max: WAD / 4n }),
      });
      for (const s of fc.sample(arb, { numRuns: 40, seed: 251 })) {
        const b = bond({
          issueDate: dayOf(s.issue),
          maturityDate: dayOf(s.issue) + 4000,
          frequency: s.frequency,
          dayCount: s.conv,
          couponRate: s.rate,
        });
        const settle = b.issueDate + s.offset;
        const { last, next } = couponPeriod(b, settle);
        expect(await dc.couponPeriod(toAbi(b), settle)).to.deep.equal([BigInt(last), BigInt(next)]);
        expect(await dc.accruedPerUnitDown(toAbi(b), settle)).to.equal(accruedPerUnitExact(b, settle).floor());
      }
    });
  });
});
