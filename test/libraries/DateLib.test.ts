import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { dayToIso, isoToDay, toDate, toDay, weekday } from "../../lib/core/dates";
import { propertyRuns } from "../helpers/runs";

async function harness() {
  return { lib: await ethers.deployContract("DateLibHarness") };
}

describe("DateLib", function () {
  describe("toDay", function () {
    for (const [iso, n] of [
      ["1970-01-01", 0],
      ["2000-02-29", 11016],
      ["2024-02-29", 19782],
      ["2026-11-21", 20778],
      ["9999-12-31", 2932896],
    ] as const) {
      it(`maps ${iso} to day ${n}`, async function () {
        const { lib } = await loadFixture(harness);
        const [y, m, d] = iso.split("-").map(Number);
        expect(await lib.toDay(y, m, d)).to.equal(n);
        expect(isoToDay(iso)).to.equal(n);
      });
    }

    for (const [y, m, d] of [
      [2025, 2, 29],
      [1900, 1, 1],
      [2026, 13, 1],
      [2026, 0, 10],
      [2026, 4, 31],
      [2026, 1, 0],
      [10000, 1, 1],
    ]) {
      it(`refuses ${y}-${m}-${d} with DateInvalid`, async function () {
        const { lib } = await loadFixture(harness);
        await expect(lib.toDay(y, m, d))
          .to.be.revertedWithCustomError(lib, "DateInvalid")
          .withArgs(y, m, d);
        expect(() => toDay(y, m, d)).to.throw("invalid date");
      });
    }
  });

  describe("toDate", function () {
    it("round-trips with toDay on random dates (on chain and in TypeScript)", async function () {
      const { lib } = await loadFixture(harness);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2932896 }), async (n) => {
          const [y, m, d] = await lib.toDate(n);
          const ts = toDate(n);
          expect([Number(y), Number(m), Number(d)]).to.deep.equal([ts.year, ts.month, ts.day]);
          expect(await lib.toDay(y, m, d)).to.equal(n);
        }),
        { numRuns: propertyRuns(60) },
      );
    });

    it("agrees with the JavaScript Date on random days", function () {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2932896 }), (n) => {
          expect(dayToIso(n)).to.equal(new Date(n * 86_400_000).toISOString().slice(0, 10));
        }),
        { numRuns: propertyRuns(2000) },
      );
    });
  });

  describe("weekday, isMonthEnd, dayOf", function () {
    it("knows 1970-01-01 was a Thursday and 2026-11-21 a Saturday", async function () {
      const { lib } = await loadFixture(harness);
      expect(await lib.weekday(0)).to.equal(4);
      expect(await lib.weekday(isoToDay("2026-11-21"))).to.equal(6);
      expect(weekday(isoToDay("2026-11-23"))).to.equal(1);
    });

    it("detects month ends including February in leap and common years", async function () {
      const { lib } = await loadFixture(harness);
      expect(await lib.isMonthEnd(isoToDay("2024-02-29"))).to.equal(true);
      expect(await lib.isMonthEnd(isoToDay("2024-02-28"))).to.equal(false);
      expect(await lib.isMonthEnd(isoToDay("2025-02-28"))).to.equal(true);
      expect(await lib.isMonthEnd(isoToDay("2026-04-30"))).to.equal(true);
    });

    it("turns timestamps into day numbers", async function () {
      const { lib } = await loadFixture(harness);
      expect(await lib.dayOf(86_400 * 20778 + 86_399)).to.equal(20778);
    });

    it("refuses malformed ISO strings in TypeScript", function () {
      expect(() => isoToDay("2026-1-01")).to.throw("not an ISO date");
    });
  });
});
