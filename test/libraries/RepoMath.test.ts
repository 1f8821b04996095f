import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Rational, WAD } from "../../lib/math";
import {
  RepoCaseJson,
  RepoInput,
  methodBNetExposure,
  parseRepoInput,
  repoInputToContract,
  repoOutputFromContract,
  revalueRepo,
} from "../../lib/repo";
import { propertyRuns } from "../helpers/runs";

async function repoMathFixture() {
  return { repo: await ethers.deployContract("RepoMathHarness") };
}

const BASE: RepoCaseJson["input"] = {
  cashDecimals: 2,
  purchasePrice: "10000000.00",
  repoRate: "0.12",
  basis: 365,
  startDate: "2024-03-01",
  initialLtv: "0.8",
  lowerTrigger: "0.75",
  upperTrigger: "0.85",
  minimumTransfer: "10000.00",
  cashMarginRate: "0.08",
  security: { kind: "Equity" },
  valuationDate: "2024-03-31",
  cleanPrice: "250",
  fxRate: "1",
  quantity: "50000",
  cashMargins: [],
};
const input = (over: Partial<RepoCaseJson["input"]> = {}): RepoInput => parseRepoInput({ ...BASE, ...over });
const abi = repoInputToContract;

/** Random deals in on-chain units: equity, any corridor around the initial LTV, cash margins from both sides. */
const dealArb = fc
  .record({
    d: fc.integer({ min: 0, max: 18 }),
    pp: fc.bigInt({ min: 1000n, max: 10n ** 12n }),
    rate: fc.bigInt({ min: 0n, max: WAD / 2n }),
    basis: fc.constantFrom(360, 365),
    days: fc.integer({ min: 0, max: 800 }),
    ltv0: fc.bigInt({ min: WAD / 10n, max: WAD }),
    price: fc.bigInt({ min: 10n ** 12n, max: 10n ** 24n }),
    fx: fc.bigInt({ min: 10n ** 15n, max: 10n ** 21n }),
    qty: fc.bigInt({ min: 1n, max: 10n ** 9n }),
    margins: fc.array(
      fc.record({ amount: fc.bigInt({ min: 0n, max: 10n ** 11n }), age: fc.integer({ min: 0, max: 800 }), byLender: fc.boolean() }),
      {
        maxLength: 3,
      },
    ),
  })
  .map((r): RepoInput => {
    const start = 19_800;
    const valuation = start + r.days;
    return {
      terms: {
        purchasePrice: r.pp * 10n ** BigInt(r.d),
        repoRate: r.rate,
        basis: r.basis,
        startDate: start,
        initialLtv: r.ltv0,
        lowerTrigger: r.ltv0 - r.ltv0 / 20n,
        upperTrigger: r.ltv0 + r.ltv0 / 20n,
        minimumTransfer: 0n,
        cashMarginRate: r.rate / 2n,
        cashDecimals: r.d,
        marginRatio: 0n,
      },
      isBond: false,
      bond: { faceValue: 0n, couponRate: 0n, frequency: 0, issueDate: 0, maturityDate: 0, dayCount: "Thirty360BondBasis" },
      valuationDate: valuation,
      cleanPrice: r.price,
      fxRate: r.fx,
      holiday: false,
      quantity: r.qty,
      cashMargins: r.margins.map((m) => ({
        amount: m.amount * 10n ** BigInt(r.d),
        postedOn: valuation - Math.min(m.age, r.days),
        byLender: m.byLender,
      })),
    };
  })
  .filter((i) => (i.quantity * i.cleanPrice * i.fxRate * 10n ** BigInt(i.terms.cashDecimals)) / 10n ** 36n > 0n);

/** The same deals under GMRA Method A, margin ratio 1 / initial LTV rounded to 1e-8 steps (corridor zero). */
const methodAArb = dealArb.map((i) => ({
  ...i,
  terms: {
    ...i.terms,
    initialLtv: 0n,
    lowerTrigger: 0n,
    upperTrigger: 0n,
    minimumTransfer: i.terms.purchasePrice / 1000n,
    marginRatio: ((WAD * WAD) / i.terms.initialLtv / 10n ** 10n) * 10n ** 10n,
  },
}));

/** Deals whose collateral value rounds to zero (price, FX or quantity too small), for the worthless path. */
const worthlessArb = dealArb.map((i) => ({ ...i, cleanPrice: i.cleanPrice % 3n === 0n ? 0n : 1n, fxRate: i.fxRate % 2n === 0n ? 0n : 1n }));

describe("RepoMath", function () {
  describe("revalue", function () {
    it("skips a holiday and computes nothing", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      const out = await repo.revalue(abi(input({ holiday: true, cleanPrice: "0" })));
      expect(out.skippedHoliday).to.equal(true);
      expect(out.repurchasePrice).to.equal(0n);
    });

    it("reverts for a basis other than 360 or 365", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      await expect(repo.revalue(abi(input({ basis: 366 }))))
        .to.be.revertedWithCustomError(repo, "RepoMathBasisInvalid")
        .withArgs(366);
    });

    it("reverts for a corridor that does not hold the initial LTV", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      await expect(repo.revalue(abi(input({ lowerTrigger: "0.81" }))))
        .to.be.revertedWithCustomError(repo, "RepoMathCorridorInvalid")
        .withArgs(81n * 10n ** 16n, 8n * 10n ** 17n, 85n * 10n ** 16n);
      await expect(repo.revalue(abi(input({ upperTrigger: "0.79" })))).to.be.revertedWithCustomError(repo, "RepoMathCorridorInvalid");
      await expect(repo.revalue(abi(input({ lowerTrigger: "0" })))).to.be.revertedWithCustomError(repo, "RepoMathCorridorInvalid");
    });

    it("reverts for a cash token with more than 18 decimals", async function () {
      const i = input();
      i.terms.cashDecimals = 19;
      const { repo } = await loadFixture(repoMathFixture);
      await expect(repo.revalue(abi(i)))
        .to.be.revertedWithCustomError(repo, "RepoMathCashDecimalsInvalid")
        .withArgs(19);
    });

    it("reverts for a valuation date before the start date", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      const i = input({ valuationDate: "2024-02-29" });
      await expect(repo.revalue(abi(i)))
        .to.be.revertedWithCustomError(repo, "RepoMathDateBeforeStart")
        .withArgs(i.terms.startDate, i.valuationDate);
    });

    it("reverts for cash margin posted after the valuation date", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      const i = input({ cashMargins: [{ amount: "1.00", postedOn: "2024-04-01", by: "Borrower" }] });
      await expect(repo.revalue(abi(i)))
        .to.be.revertedWithCustomError(repo, "RepoMathDateBeforeStart")
        .withArgs(i.cashMargins[0].postedOn, i.valuationDate);
    });

    it("values worthless collateral as a borrower call in cash for the whole exposure", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      const out = repoOutputFromContract(await repo.revalue(abi(input({ quantity: "0" }))));
      expect(out.marketValue).to.equal(0n);
      expect(out.ltv).to.equal(ethers.MaxUint256);
      expect(out.action).to.equal("BorrowerCall");
      expect(out.callCash).to.equal(out.exposure);
      expect(out.callCash).to.equal(out.repurchasePrice);
      expect(out.callQuantity).to.equal(0n);
    });

    it("asks nothing for worthless collateral when cash margin covers the exposure", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      const i = input({ cleanPrice: "0", cashMargins: [{ amount: "10500000.00", postedOn: "2024-03-01", by: "Borrower" }] });
      const out = repoOutputFromContract(await repo.revalue(abi(i)));
      expect(out.ltv).to.equal(ethers.MaxUint256);
      expect(out.exposure).to.equal(0n);
      expect(out.action).to.equal("None");
      expect(out.callCash).to.equal(0n);
    });

    it("reports a securities call that does not fit 256 bits as the maximum", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      // 10^50 RUB lent against 10^36 units worth 10^-36 RUB each: the quantity that restores
      // the LTV is about 10^86 units, beyond 2^256.
      const i = input({
        cashDecimals: 0,
        purchasePrice: "1" + "0".repeat(50),
        cleanPrice: "0.000000000000000001",
        fxRate: "0.000000000000000001",
        quantity: "1" + "0".repeat(36),
      });
      const out = repoOutputFromContract(await repo.revalue(abi(i)));
      expect(out.action).to.equal("BorrowerCall");
      expect(out.callQuantity).to.equal(ethers.MaxUint256);
      expect(out).to.deep.equal(revalueRepo(i).output);
    });

    it("property: the contract equals the reference calculator field for field", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      for (const i of fc.sample(dealArb, { numRuns: 40, seed: 2011 })) {
        const onChain = repoOutputFromContract(await repo.revalue(abi(i)));
        expect(onChain).to.deep.equal(revalueRepo(i).output);
      }
    });

    it("property: worthless collateral equals the reference calculator and calls the whole exposure", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      for (const i of fc.sample(worthlessArb, { numRuns: 20, seed: 1995 })) {
        const onChain = repoOutputFromContract(await repo.revalue(abi(i)));
        expect(onChain).to.deep.equal(revalueRepo(i).output);
        expect(onChain.marketValue).to.equal(0n);
        expect(onChain.callCash).to.equal(onChain.action === "BorrowerCall" ? onChain.exposure : 0n);
      }
    });
  });

  describe("restoring margin", function () {
    it("property: a borrower call brings the LTV to the initial LTV and one unit less would not", function () {
      fc.assert(
        fc.property(dealArb, (i) => {
          const { output: o } = revalueRepo(i);
          if (o.action !== "BorrowerCall") return true;
          const ltv0 = new Rational(i.terms.initialLtv, WAD);
          const mv = new Rational(o.marketValue);
          const unit = new Rational(o.dirtyPrice * i.fxRate * 10n ** BigInt(i.terms.cashDecimals), WAD * WAD);
          const cashOk = new Rational(o.exposure - o.callCash).div(mv).cmp(ltv0) <= 0;
          const cashTight = new Rational(o.exposure - o.callCash + 1n).div(mv).cmp(ltv0) > 0;
          const qtyOk = new Rational(o.exposure).div(mv.add(unit.mul(o.callQuantity))).cmp(ltv0) <= 0;
          const qtyTight = new Rational(o.exposure).div(mv.add(unit.mul(o.callQuantity - 1n))).cmp(ltv0) > 0;
          return cashOk && cashTight && qtyOk && qtyTight;
        }),
        { numRuns: propertyRuns(400), seed: 4 },
      );
    });

    it("property: a lender return leaves the LTV at or below the initial LTV and one unit more would pass it", function () {
      fc.assert(
        fc.property(dealArb, (i) => {
          const { output: o } = revalueRepo(i);
          if (o.action !== "LenderReturn") return true;
          const ltv0 = new Rational(i.terms.initialLtv, WAD);
          const mv = new Rational(o.marketValue);
          const unit = new Rational(o.dirtyPrice * i.fxRate * 10n ** BigInt(i.terms.cashDecimals), WAD * WAD);
          const cashOk = new Rational(o.exposure + o.callCash).div(mv).cmp(ltv0) <= 0;
          const cashTight = new Rational(o.exposure + o.callCash + 1n).div(mv).cmp(ltv0) > 0;
          const rest = mv.sub(unit.mul(o.callQuantity));
          const qtyOk = o.exposure === 0n || (rest.cmp(0n) > 0 && new Rational(o.exposure).div(rest).cmp(ltv0) <= 0);
          const after = mv.sub(unit.mul(o.callQuantity + 1n));
          const qtyTight = after.cmp(0n) <= 0 || new Rational(o.exposure).div(after).cmp(ltv0) > 0;
          return cashOk && cashTight && qtyOk && qtyTight;
        }),
        { numRuns: propertyRuns(400), seed: 5 },
      );
    });

    it("property: the exact cash call equals GMRA Method B net exposure with 1 - H = initial LTV", function () {
      fc.assert(
        fc.property(dealArb, (i) => {
          const { output: o, exact } = revalueRepo(i);
          if (o.action !== "BorrowerCall" || exact === null) return true;
          const scale = 10n ** BigInt(i.terms.cashDecimals);
          const haircut = new Rational(WAD - i.terms.initialLtv, WAD);
          const net = new Rational(o.borrowerCashMargin - o.lenderCashMargin, scale);
          const nb = methodBNetExposure(new Rational(o.repurchasePrice, scale), new Rational(o.marketValue, scale), haircut, net);
          return o.exposure === 0n || nb.eq(exact.callCash);
        }),
        { numRuns: propertyRuns(300), seed: 6 },
      );
    });
  });

  describe("Method A (margin ratio)", function () {
    it("reverts for a margin ratio below 100%", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      await expect(repo.revalue(abi(input({ marginMethod: "A", marginRatio: "0.99" }))))
        .to.be.revertedWithCustomError(repo, "RepoMathMarginRatioInvalid")
        .withArgs(99n * 10n ** 16n);
    });

    it("ignores the corridor: an exposure inside it is still called", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      // LTV 0.8079 is inside 75%..85%; under Method A the 30 days of interest x 1.25 are called.
      const i = input({ marginMethod: "A", marginRatio: "1.25" });
      const onChain = repoOutputFromContract(await repo.revalue(abi(i)));
      expect(onChain.action).to.equal("BorrowerCall");
      expect(onChain.callCash).to.equal(12_328_768n); // ceil(1.25 x 10,098,630.14 - 12,500,000) = 123,287.68
      expect(onChain.transactionExposure).to.equal(onChain.callCash);
    });

    it("property: the contract equals the calculator on random Method A deals", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      for (const i of fc.sample(methodAArb, { numRuns: 60, seed: 2011 })) {
        expect(repoOutputFromContract(await repo.revalue(abi(i)))).to.deep.equal(revalueRepo(i).output);
      }
    });

    it("property: the call cash is |transaction exposure|, the borrower's rounded up and the lender's down", function () {
      fc.assert(
        fc.property(methodAArb, (i) => {
          const { output: o, exact } = revalueRepo(i);
          const scale = 10n ** BigInt(i.terms.cashDecimals);
          const x = exact!.transactionExposure.mul(scale);
          if (o.transactionExposure !== x.ceil()) return false;
          if (o.action === "BorrowerCall") return o.callCash === x.ceil() && o.callCash >= i.terms.minimumTransfer;
          if (o.action === "LenderReturn") return o.callCash === x.neg().floor() && o.callCash >= i.terms.minimumTransfer;
          const owed = x.cmp(0n) > 0 ? x.ceil() : x.neg().floor();
          return o.callCash === 0n && (owed === 0n || (owed < i.terms.minimumTransfer && o.belowMinimumTransfer));
        }),
        { numRuns: propertyRuns(400), seed: 7 },
      );
    });

    it("property: a borrower securities call covers the exposure at market value and one unit less would not", function () {
      fc.assert(
        fc.property(methodAArb, (i) => {
          const { output: o, exact } = revalueRepo(i);
          if (o.action === "None" || o.marketValue === 0n) return true;
          const unit = new Rational(o.dirtyPrice * i.fxRate, WAD * WAD);
          const x = exact!.transactionExposure;
          // Each unit delivered (returned) lowers (raises) X by its market value.
          if (o.action === "BorrowerCall") {
            return x.sub(unit.mul(o.callQuantity)).cmp(0n) <= 0 && x.sub(unit.mul(o.callQuantity - 1n)).cmp(0n) > 0;
          }
          return x.add(unit.mul(o.callQuantity)).cmp(0n) <= 0 && x.add(unit.mul(o.callQuantity + 1n)).cmp(0n) > 0;
        }),
        { numRuns: propertyRuns(400), seed: 8 },
      );
    });

    it("property: Method A net exposure = (Method B net exposure + net cash margin) / (1 - H) - net cash margin (DOMAIN.md §1)", function () {
      fc.assert(
        fc.property(dealArb, (b) => {
          // 1 - H = initial LTV = 1 / margin ratio, exactly: a ratio of 1.25 (H = 20%) or 2 (H = 50%).
          const ltv0 = b.terms.initialLtv % 2n === 0n ? (WAD * 4n) / 5n : WAD / 2n;
          const methodB = { ...b, terms: { ...b.terms, initialLtv: ltv0, lowerTrigger: ltv0 / 2n, upperTrigger: ltv0 } };
          const methodA = {
            ...b,
            terms: { ...b.terms, initialLtv: 0n, lowerTrigger: 0n, upperTrigger: 0n, marginRatio: (WAD * WAD) / ltv0 },
          };
          const ob = revalueRepo(methodB);
          const oa = revalueRepo(methodA);
          // The identity holds where Method B's exposure is not floored at zero (cash margin below the price).
          if (ob.output.repurchasePrice + ob.output.lenderCashMargin < ob.output.borrowerCashMargin) return true;
          const scale = 10n ** BigInt(b.terms.cashDecimals);
          const cc = new Rational(ob.output.borrowerCashMargin - ob.output.lenderCashMargin, scale);
          const expected = ob.exact!.transactionExposure.add(cc).div(new Rational(ltv0, WAD)).sub(cc);
          return oa.exact!.transactionExposure.eq(expected);
        }),
        { numRuns: propertyRuns(300), seed: 9 },
      );
    });

    it("property: Method B's transaction exposure is the Method B net exposure and signs the call", function () {
      fc.assert(
        fc.property(dealArb, (i) => {
          const { output: o, exact } = revalueRepo(i);
          const scale = 10n ** BigInt(i.terms.cashDecimals);
          const haircut = new Rational(WAD - i.terms.initialLtv, WAD);
          const net = new Rational(o.borrowerCashMargin - o.lenderCashMargin, scale);
          const nb = methodBNetExposure(new Rational(o.repurchasePrice, scale), new Rational(o.marketValue, scale), haircut, net);
          const floored = o.repurchasePrice + o.lenderCashMargin < o.borrowerCashMargin;
          if (!floored && !nb.eq(exact!.transactionExposure)) return false;
          if (o.action === "BorrowerCall") return o.transactionExposure === o.callCash;
          if (o.action === "LenderReturn") return o.transactionExposure === -o.callCash;
          return true;
        }),
        { numRuns: propertyRuns(300), seed: 10 },
      );
    });
  });

  describe("building blocks", function () {
    it("accrueUp rounds interest up: 100.00 at 10% for 1 day of 365 is 100.03", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      expect(await repo.accrueUp(10_000n, WAD / 10n, 0, 1, 365)).to.equal(10_003n);
    });

    it("marketValueDown rounds collateral value down", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      // 3 units x 0.333...(18 dp) x 1 = 0.999... -> 0.99 in a 2-decimal token
      expect(await repo.marketValueDown(3n, 333333333333333333n, WAD, 2)).to.equal(99n);
    });

    it("ltvUp rounds the ratio up", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      expect(await repo.ltvUp(1n, 3n)).to.equal(333333333333333334n);
    });

    it("classify treats the triggers themselves as inside the corridor", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      expect(await repo.classify(85n, 75n, 85n)).to.equal(0n);
      expect(await repo.classify(86n, 75n, 85n)).to.equal(1n);
      expect(await repo.classify(75n, 75n, 85n)).to.equal(0n);
      expect(await repo.classify(74n, 75n, 85n)).to.equal(2n);
    });

    it("borrower amounts round up, lender amounts round down", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      const ltv0 = (WAD * 8n) / 10n;
      // exposure 1001, MV 1000: borrower owes 1001 - 800 = 201 exactly; exposure 1001, MV 1251: 0.8 x 1251 = 1000.8
      expect(await repo.borrowerCashCallUp(1001n, 1000n, ltv0)).to.equal(201n);
      expect(await repo.lenderCashReturnDown(1000n, 1251n, ltv0)).to.equal(0n);
      expect(await repo.lenderCashReturnDown(1000n, 1252n, ltv0)).to.equal(1n);
      expect(await repo.borrowerCashCallUp(1001n, 1251n, ltv0)).to.equal(1n);
      // unit value 3 (36-dp numerator 3e36 with 0 decimals): borrower 201 / (0.8 x 3) = 83.75 -> 84; lender -> 83
      expect(await repo.borrowerQuantityCallUp(1001n, 1000n, ltv0, 3n * WAD * WAD, 0)).to.equal(84n);
      expect(await repo.lenderQuantityReturnDown(599n, 1000n, ltv0, 3n * WAD * WAD, 0)).to.equal(83n);
      expect(await repo.lenderQuantityReturnDown(900n, 1000n, ltv0, 3n * WAD * WAD, 0)).to.equal(0n);
    });

    it("asks the borrower for nothing at or below the initial LTV", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      const ltv0 = (WAD * 8n) / 10n;
      expect(await repo.borrowerCashCallUp(800n, 1000n, ltv0)).to.equal(0n);
      expect(await repo.borrowerQuantityCallUp(800n, 1000n, ltv0, 3n * WAD * WAD, 0)).to.equal(0n);
    });

    it("returns nothing to the borrower at or above the initial LTV", async function () {
      const { repo } = await loadFixture(repoMathFixture);
      const ltv0 = (WAD * 8n) / 10n;
      expect(await repo.lenderCashReturnDown(800n, 1000n, ltv0)).to.equal(0n);
      expect(await repo.lenderCashReturnDown(900n, 1000n, ltv0)).to.equal(0n);
    });
  });
});
