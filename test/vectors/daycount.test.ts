import { expect } from "chai";
import path from "node:path";
import { ethers } from "hardhat";
import { DayCountCase, Rational, dayCountFraction, fractionEquals, loadVectorFiles, parseDayCountCase } from "../../lib/math";
import type { DayCountHarness } from "../../typechain-types";

const files = loadVectorFiles<DayCountCase>(path.join(__dirname, "daycount"));

describe("Day-count vectors (test/vectors/daycount)", function () {
  let harness: DayCountHarness;

  before(async function () {
    harness = await ethers.deployContract("DayCountHarness");
  });

  it("hold at least 60 cases", function () {
    expect(files.reduce((n, f) => n + f.cases.length, 0)).to.be.gte(60);
  });

  for (const file of files) {
    describe(file.file, function () {
      for (const c of file.cases) {
        it(c.name, async function () {
          const v = parseDayCountCase(c);
          const [num, den] = await harness.fractionInPeriod(v.conventionIndex, v.start, v.end, v.period);
          const ts = dayCountFraction(v.convention, v.start, v.end, v.period);
          expect(new Rational(num, den).toString(), "contract").to.equal(v.expected.toString());
          expect([ts.numerator, ts.denominator], "calculator").to.deep.equal([num, den]);
          expect(fractionEquals(ts, v.expected)).to.equal(true);
          if (c.reference !== undefined) {
            const places = c.reference.split(".")[1]?.length ?? 0;
            expect(v.expected.toDecimal(places), "published value").to.equal(c.reference);
          }
        });
      }
    });
  }
});
