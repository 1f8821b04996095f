import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Rational, WAD } from "../../lib/math";
import {
  PledgeCaseJson,
  PledgeInput,
  parsePledgeInput,
  pledgeInputToContract,
  pledgeOutputFromContract,
  valuePledge,
} from "../../lib/pledge";
import { propertyRuns } from "../helpers/runs";

async function pledgeMathFixture() {
  return { pledge: await ethers.deployContract("PledgeMathHarness") };
}

const BASE: PledgeCaseJson["input"] = {
  cashDecimals: 2,
  principal: "10000000.00",
  interestRate: "0.065",
  startDate: "2024-01-02",
  restoreTarget: "2.5",
  valuationDate: "2024-04-01",
  closePrice: "14",
  shares: "1000000",
  initialPrice: "25",
};
const input = (over: Partial<PledgeCaseJson["input"]> = {}): PledgeInput => parsePledgeInput({ ...BASE, ...over });
const abi = pledgeInputToContract;

const pledgeArb = fc
  .record({
    d: fc.integer({ min: 0, max: 18 }),
    principal: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    rate: fc.bigInt({ min: 0n, max: WAD / 4n }),
    days: fc.integer({ min: 0, max: 1000 }),
    close: fc.bigInt({ min: 10n ** 14n, max: 10n ** 22n }),
    shares: fc.bigInt({ min: 0n, max: 10n ** 10n }),
    cash: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    liq: fc.bigInt({ min: WAD, max: 2n * WAD }),
    extra: fc.bigInt({ min: 0n, max: WAD }),
    conv: fc.constantFrom("Act365Fixed", "Act360", "Thirty360BondBasis") as fc.Arbitrary<"Act365Fixed" | "Act360" | "Thirty360BondBasis">,
    repay: fc.array(fc.record({ at: fc.integer({ min: 0, max: 1000 }), share: fc.integer({ min: 0, max: 60 }) }), { maxLength: 3 }),
  })
  .map((r): PledgeInput => {
    const scale = 10n ** BigInt(r.d);
    const start = 19_750;
    const repays = [...r.repay]
      .sort((a, b) => a.at - b.at)
      .map((x) => ({ date: start + Math.min(x.at, r.days), amount: (r.principal * scale * BigInt(x.share)) / 200n }));
    return {
      terms: {
        principal: r.principal * scale,
        interestRate: r.rate,
        dayCount: r.conv,
        startDate: start,
        warningLine: r.liq + r.extra / 2n,
        liquidationLine: r.liq,
        restoreTarget: r.liq + r.extra,
        cashDecimals: r.d,
      },
      valuationDate: start + r.days,
      closePrice: r.close,
      shares: r.shares,
      pledgedCash: r.cash * scale,
      repayments: repays,
    };
  });

describe("PledgeMath", function () {
  describe("value", function () {
    it("reverts for lines out of order", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      await expect(pledge.value(abi(input({ liquidationLine: "1.7" }))))
        .to.be.revertedWithCustomError(pledge, "PledgeMathLinesInvalid")
        .withArgs(17n * 10n ** 17n, 16n * 10n ** 17n, 25n * 10n ** 17n);
      await expect(pledge.value(abi(input({ restoreTarget: "1.5" })))).to.be.revertedWithCustomError(pledge, "PledgeMathLinesInvalid");
      await expect(pledge.value(abi(input({ liquidationLine: "0" })))).to.be.revertedWithCustomError(pledge, "PledgeMathLinesInvalid");
    });

    it("reverts for a cash token with more than 18 decimals", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      const i = input();
      i.terms.cashDecimals = 19;
      await expect(pledge.value(abi(i)))
        .to.be.revertedWithCustomError(pledge, "PledgeMathCashDecimalsInvalid")
        .withArgs(19);
    });

    it("reverts for a zero close", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      await expect(pledge.value(abi(input({ closePrice: "0" })))).to.be.revertedWithCustomError(pledge, "PledgeMathPriceZero");
    });

    it("reverts for a repayment out of date order or after the valuation date", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      const i = input({
        repayments: [
          { date: "2024-03-01", amount: "1.00" },
          { date: "2024-02-01", amount: "1.00" },
        ],
      });
      await expect(pledge.value(abi(i)))
        .to.be.revertedWithCustomError(pledge, "PledgeMathDateOutOfOrder")
        .withArgs(i.repayments[1].date, i.repayments[0].date);
      await expect(pledge.value(abi(input({ repayments: [{ date: "2024-05-01", amount: "1.00" }] })))).to.be.revertedWithCustomError(
        pledge,
        "PledgeMathDateOutOfOrder",
      );
    });

    it("reverts for a valuation date before the start", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      const i = input({ valuationDate: "2024-01-01" });
      await expect(pledge.value(abi(i)))
        .to.be.revertedWithCustomError(pledge, "PledgeMathDateOutOfOrder")
        .withArgs(i.valuationDate, i.terms.startDate);
    });

    it("reverts for a repayment above the debt", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      // 30 days of 6.5% on 10,000,000.00 is 53,424.66 (rounded up)
      await expect(pledge.value(abi(input({ repayments: [{ date: "2024-02-01", amount: "10053424.67" }] }))))
        .to.be.revertedWithCustomError(pledge, "PledgeMathRepaymentExceedsDebt")
        .withArgs(1_005_342_467n, 1_005_342_466n);
    });

    it("reverts for ACT/ACT ICMA interest, which needs a coupon period", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      await expect(pledge.value(abi(input({ dayCount: "ActActIcma" })))).to.be.revertedWithCustomError(pledge, "DayCountPeriodInvalid");
    });

    it("asks for no top-up when the collateral sits exactly on a liquidation line equal to the target", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      // 1,000,000 shares at 20.00 against 10,000,000.00 owed on day 0: a ratio of exactly 2, all lines at 2.
      const i = input({ valuationDate: BASE.startDate, closePrice: "20", warningLine: "2", liquidationLine: "2", restoreTarget: "2" });
      const o = await pledge.value(abi(i));
      expect(o.ratio).to.equal(2n * WAD);
      expect(o.level).to.equal(2n);
      expect([o.topUpShares, o.topUpCash, o.topUpRepayment]).to.deep.equal([0n, 0n, 0n]);
    });

    it("property: the contract equals the reference calculator field for field", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      for (const i of fc.sample(pledgeArb, { numRuns: 40, seed: 2018 })) {
        expect(pledgeOutputFromContract(await pledge.value(abi(i)))).to.deep.equal(valuePledge(i).output);
      }
    });

    it("property: each top-up restores the target ratio and one unit less would not", function () {
      fc.assert(
        fc.property(pledgeArb, (i) => {
          const { output: o } = valuePledge(i);
          if (o.level !== "Liquidation" || o.topUpCash === 0n) return true;
          const t = new Rational(i.terms.restoreTarget, WAD);
          const unit = new Rational(i.closePrice * 10n ** BigInt(i.terms.cashDecimals), WAD);
          const payable = new Rational(o.amountPayable);
          const ratio = (c: Rational, p: Rational) => c.div(p).cmp(t);
          const c = new Rational(o.collateralValue);
          return (
            ratio(c.add(o.topUpCash), payable) >= 0 &&
            ratio(c.add(o.topUpCash - 1n), payable) < 0 &&
            ratio(c.add(unit.mul(o.topUpShares)), payable) >= 0 &&
            ratio(c.add(unit.mul(o.topUpShares - 1n)), payable) < 0 &&
            (o.topUpRepayment === o.amountPayable || ratio(c, payable.sub(o.topUpRepayment)) >= 0) &&
            ratio(c, payable.sub(o.topUpRepayment - 1n)) < 0
          );
        }),
        { numRuns: propertyRuns(400), seed: 7 },
      );
    });

    it("property: enforcement takes the fewest shares covering the debt, never more than pledged", function () {
      fc.assert(
        fc.property(pledgeArb, (i) => {
          const { output: o } = valuePledge(i);
          const unit = new Rational(i.closePrice * 10n ** BigInt(i.terms.cashDecimals), WAD);
          const rest = new Rational(o.amountPayable - o.enforcementCash);
          if (o.enforcementShares > i.shares) return false;
          if (o.enforcementShortfall > 0n) return o.enforcementShares === i.shares && unit.mul(i.shares).cmp(rest) < 0;
          return (
            unit.mul(o.enforcementShares).cmp(rest) >= 0 && (o.enforcementShares === 0n || unit.mul(o.enforcementShares - 1n).cmp(rest) < 0)
          );
        }),
        { numRuns: propertyRuns(400), seed: 8 },
      );
    });
  });

  describe("levelOf", function () {
    it("is inclusive at both lines", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      const [warn, liq] = [16n * 10n ** 17n, 14n * 10n ** 17n];
      expect(await pledge.levelOf(160n, 100n, warn, liq)).to.equal(1n);
      expect(await pledge.levelOf(161n, 100n, warn, liq)).to.equal(0n);
      expect(await pledge.levelOf(140n, 100n, warn, liq)).to.equal(2n);
      expect(await pledge.levelOf(141n, 100n, warn, liq)).to.equal(1n);
    });

    it("is Normal when nothing is owed", async function () {
      const { pledge } = await loadFixture(pledgeMathFixture);
      expect(await pledge.levelOf(0n, 0n, 16n * 10n ** 17n, 14n * 10n ** 17n)).to.equal(0n);
    });
  });
});
