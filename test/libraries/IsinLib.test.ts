import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { isValidIsin } from "../../lib/core/isin";
import { propertyRuns } from "../helpers/runs";

async function harnessFixture() {
  return ethers.deployContract("IsinLibHarness");
}

const b12 = (s: string) => ethers.hexlify(ethers.toUtf8Bytes(s.padEnd(12, "\0").slice(0, 12)));

describe("IsinLib", function () {
  describe("isValid", function () {
    for (const isin of ["US0378331005", "RU0009029540", "GB0002634946", "US5949181045", "DE000BAY0017"]) {
      it(`accepts ${isin}`, async function () {
        const h = await loadFixture(harnessFixture);
        expect(await h.isValid(b12(isin))).to.equal(true);
      });
    }

    it("refuses a wrong check digit", async function () {
      const h = await loadFixture(harnessFixture);
      expect(await h.isValid(b12("US0378331006"))).to.equal(false);
    });

    it("refuses lower case, a digit in the country and a letter as check digit", async function () {
      const h = await loadFixture(harnessFixture);
      for (const bad of ["us0378331005", "U10378331005", "US037833100A"]) expect(await h.isValid(b12(bad))).to.equal(false);
    });

    it("agrees with lib/core/isin.ts on random strings", async function () {
      const h = await loadFixture(harnessFixture);
      const ch = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".split(""));
      await fc.assert(
        fc.asyncProperty(fc.array(ch, { minLength: 11, maxLength: 11 }), fc.integer({ min: 0, max: 9 }), async (chars, d) => {
          const s = chars.join("") + String(d);
          expect(await h.isValid(b12(s))).to.equal(isValidIsin(s));
        }),
        { numRuns: propertyRuns(150) },
      );
    });
  });
});
