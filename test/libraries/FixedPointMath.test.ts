import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { PANIC_CODES } from "@nomicfoundation/hardhat-chai-matchers/panic";
import { WAD, mulDivDown, mulDivUp } from "../../lib/math";
import { propertyRuns } from "../helpers/runs";

const MAX = (1n << 256n) - 1n;

async function fixedPointFixture() {
  return { math: await ethers.deployContract("FixedPointMathHarness") };
}

describe("FixedPointMath", function () {
  describe("mulDivDown / mulDivUp", function () {
    it("round an inexact quotient down and up", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      expect(await math.mulDivDown(10n, 10n, 3n)).to.equal(33n);
      expect(await math.mulDivUp(10n, 10n, 3n)).to.equal(34n);
    });

    it("agree on an exact quotient", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      expect(await math.mulDivDown(12n, 10n, 4n)).to.equal(30n);
      expect(await math.mulDivUp(12n, 10n, 4n)).to.equal(30n);
    });

    it("keep full precision when the product exceeds 256 bits", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      expect(await math.mulDivDown(MAX, MAX, MAX)).to.equal(MAX);
      expect(await math.mulDivUp(MAX - 1n, MAX, MAX)).to.equal(MAX - 1n);
    });

    it("panic on division by zero", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      await expect(math.mulDivDown(1n, 1n, 0n)).to.be.revertedWithPanic(PANIC_CODES.DIVISION_BY_ZERO);
      await expect(math.mulDivUp(1n, 1n, 0n)).to.be.revertedWithPanic(PANIC_CODES.DIVISION_BY_ZERO);
    });

    it("panic when the result does not fit in 256 bits", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      await expect(math.mulDivDown(MAX, MAX, 1n)).to.be.revertedWithPanic(PANIC_CODES.ARITHMETIC_OVERFLOW);
    });

    it("property: up >= down, they differ by at most 1, and both equal the exact bigint quotient", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      const word = fc.bigInt({ min: 0n, max: MAX });
      const triples: [bigint, bigint, bigint][] = fc.sample(
        fc.tuple(word, word, fc.bigInt({ min: 1n, max: MAX })).filter(([x, y, d]) => (x * y) / d <= MAX),
        { numRuns: propertyRuns(60), seed: 20240301 },
      );
      triples.push([WAD + 1n, WAD - 1n, WAD], [7n, 3n, 2n]);
      for (const [x, y, d] of triples) {
        const down = await math.mulDivDown(x, y, d);
        const up = await math.mulDivUp(x, y, d);
        expect(up >= down && up - down <= 1n, `${x}*${y}/${d}`).to.equal(true);
        expect(down).to.equal(mulDivDown(x, y, d));
        expect(up).to.equal(mulDivUp(x, y, d));
        expect(up - down).to.equal((x * y) % d === 0n ? 0n : 1n);
      }
    });
  });

  describe("WAD functions", function () {
    it("wMulDown / wMulUp scale by 1e18 with named rounding", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      expect(await math.wMulDown(3n, WAD / 2n)).to.equal(1n);
      expect(await math.wMulUp(3n, WAD / 2n)).to.equal(2n);
    });

    it("wDivDown / wDivUp return WAD ratios with named rounding", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      expect(await math.wDivDown(1n, 3n)).to.equal(333333333333333333n);
      expect(await math.wDivUp(1n, 3n)).to.equal(333333333333333334n);
    });

    it("divUp rounds up and panics on zero", async function () {
      const { math } = await loadFixture(fixedPointFixture);
      expect(await math.divUp(7n, 2n)).to.equal(4n);
      expect(await math.divUp(0n, 2n)).to.equal(0n);
      await expect(math.divUp(1n, 0n)).to.be.revertedWithPanic(PANIC_CODES.DIVISION_BY_ZERO);
    });
  });
});
