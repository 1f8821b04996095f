import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { activeFixture, openDeal, pushEquity, repoFixture, RepoFixture, SIDE, WAD } from "./fixtures";
import { propose, RepoTerms, SIGNATURE_TYPES, RepoOutput, repoCalcTerms, repoOutputFromContract, revalueRepo } from "../../lib/repo";

const RATIO = (125n * WAD) / 100n;

/** The template deal under GMRA Method A: margin ratio 125 % (the same 1,000 shares against 200,000.00 RUB). */
function methodATerms(f: RepoFixture): RepoTerms {
  return { ...f.terms, initialLtv: 0n, lowerTrigger: 0n, upperTrigger: 0n, marginMethod: 1, marginRatio: RATIO };
}

async function proposedA() {
  const f = await repoFixture();
  const terms = methodATerms(f);
  const { id } = await propose(f.book.connect(f.borrower), terms);
  return { ...f, terms, id };
}

/** The Method A deal active on chain. */
async function activeA() {
  const f = await proposedA();
  await openDeal(f, f.id);
  return f;
}

type Deal = RepoFixture & { id: bigint };

/** Pushes `price` for `date`, revalues the deal and returns the emitted output and the calculator's. */
async function revalueAt(
  f: Deal,
  date: number,
  price: bigint,
): Promise<{ emitted: RepoOutput; calc: RepoOutput; tx: ContractTransactionResponse }> {
  await pushEquity(f, date, price);
  const state = await f.book.dealState(f.id);
  const margins = await f.book.cashMargins(f.id);
  const tx = await f.book.revalue([f.id], date);
  const receipt = (await tx.wait())!;
  const parsed = receipt.logs.map((l) => f.book.interface.parseLog(l)).find((p) => p?.name === "RepoRevalued");
  if (!parsed) throw new Error("no RepoRevalued event");
  const { output: calc } = revalueRepo({
    terms: repoCalcTerms(f.terms, 2),
    isBond: false,
    bond: { faceValue: 0n, couponRate: 0n, frequency: 0, issueDate: 0, maturityDate: 0, dayCount: "Thirty360BondBasis" },
    valuationDate: date,
    cleanPrice: price,
    fxRate: WAD,
    holiday: false,
    quantity: state.quantity,
    cashMargins: margins.map((m) => ({ amount: m.amount, postedOn: Number(m.postedOn), byLender: m.byLender })),
  });
  return { emitted: repoOutputFromContract(parsed.args.output), calc, tx };
}

describe("RepoBook: GMRA margin methods", function () {
  describe("propose", function () {
    it("stores the Method A election and margin ratio, covered by the terms hash", async function () {
      const f = await loadFixture(proposedA);
      const t = await f.book.terms(f.id);
      expect(t.marginMethod).to.equal(1n);
      expect(t.marginRatio).to.equal(RATIO);
      expect(await f.book.termsHash(f.id)).to.equal(await f.book.hashTerms(f.terms));
      expect(await f.book.hashTerms({ ...f.terms, marginRatio: RATIO + 10n ** 10n })).to.not.equal(await f.book.termsHash(f.id));
    });

    it("reads a Method B deal back with method 0 and no margin ratio", async function () {
      const f = await loadFixture(repoFixture);
      const { id } = await propose(f.book.connect(f.borrower), f.terms);
      const t = await f.book.terms(id);
      expect(t.marginMethod).to.equal(0n);
      expect(t.marginRatio).to.equal(0n);
    });

    it("refuses a signature over another margin ratio", async function () {
      const f = await loadFixture(proposedA);
      const [, name, version, chainId, verifyingContract] = await f.book.eip712Domain();
      const deadline = BigInt((await time.latest()) + 3600);
      const nonce = await f.book.nonces(f.borrower.address);
      const signature = await f.borrower.signTypedData({ name, version, chainId, verifyingContract }, SIGNATURE_TYPES, {
        dealId: f.id,
        terms: { ...f.terms, marginRatio: RATIO + 10n ** 16n },
        nonce,
        deadline,
      });
      await expect(f.book.sign(f.id, f.borrower.address, deadline, signature))
        .to.be.revertedWithCustomError(f.book, "RepoSignatureInvalid")
        .withArgs(f.borrower.address);
    });

    it("refuses a margin method other than B (0) or A (1)", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...methodATerms(f), marginMethod: 2 }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("marginMethod", 2n);
    });

    it("refuses a Method A margin ratio below 100 %", async function () {
      const f = await loadFixture(repoFixture);
      const ratio = (99n * WAD) / 100n;
      await expect(f.book.connect(f.borrower).propose({ ...methodATerms(f), marginRatio: ratio }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("marginRatio", ratio);
    });

    it("refuses a Method A margin ratio finer than 1e-8", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...methodATerms(f), marginRatio: RATIO + 1n }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("marginRatio", RATIO + 1n);
    });

    it("refuses a margin ratio on a Method B deal", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, marginRatio: RATIO }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("marginRatio", RATIO);
    });

    it("refuses a corridor on a Method A deal", async function () {
      const f = await loadFixture(repoFixture);
      const t = { ...f.terms, marginMethod: 1, marginRatio: RATIO };
      await expect(f.book.connect(f.borrower).propose(t))
        .to.be.revertedWithCustomError(f.book, "RepoCorridorInvalid")
        .withArgs(t.lowerTrigger, t.initialLtv, t.upperTrigger);
    });

    it("refuses a stranger proposing a Method A deal", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.stranger).propose(methodATerms(f)))
        .to.be.revertedWithCustomError(f.book, "RepoNotAuthorised")
        .withArgs(0n, f.stranger.address);
    });
  });

  describe("revalue under Method A", function () {
    it("calls the borrower for margin ratio x repurchase price - market value, as the calculator does", async function () {
      const f = await loadFixture(activeA);
      const { emitted, calc } = await revalueAt(f, f.days[5], 240n * WAD);
      expect(emitted).to.deep.equal(calc);
      expect(emitted.action).to.equal("BorrowerCall");
      expect(emitted.transactionExposure).to.equal(emitted.callCash);
      const o = await f.book.obligation(f.id, SIDE.Borrower);
      expect([o.cash, o.quantity]).to.deep.equal([emitted.callCash, emitted.callQuantity]);
    });

    it("calls an exposure the Method B corridor would leave alone", async function () {
      const f = await loadFixture(activeA);
      const { emitted } = await revalueAt(f, f.days[5], 248n * WAD);
      expect(emitted.action).to.equal("BorrowerCall");
      // The same deal under Method B (80 % initial, 75 %..85 % corridor): the LTV stays inside.
      const b = revalueRepo({
        terms: repoCalcTerms(
          {
            ...f.terms,
            initialLtv: (80n * WAD) / 100n,
            lowerTrigger: (75n * WAD) / 100n,
            upperTrigger: (85n * WAD) / 100n,
            marginRatio: 0n,
          },
          2,
        ),
        isBond: false,
        bond: { faceValue: 0n, couponRate: 0n, frequency: 0, issueDate: 0, maturityDate: 0, dayCount: "Thirty360BondBasis" },
        valuationDate: f.days[5],
        cleanPrice: 248n * WAD,
        fxRate: WAD,
        holiday: false,
        quantity: 1000n,
        cashMargins: [],
      }).output;
      expect(b.action).to.equal("None");
    });

    it("raises nothing for an exposure below the minimum transfer amount", async function () {
      const f = await loadFixture(activeA);
      const { emitted, calc } = await revalueAt(f, f.days[5], 250n * WAD);
      expect(emitted).to.deep.equal(calc);
      expect(emitted.transactionExposure > 0n).to.equal(true);
      expect([emitted.action, emitted.belowMinimumTransfer]).to.deep.equal(["None", true]);
      expect((await f.book.dealState(f.id)).borrowerCallOpen).to.equal(false);
    });

    it("asks the lender to return the excess, rounded down, when the exposure is negative", async function () {
      const f = await loadFixture(activeA);
      const { emitted, calc } = await revalueAt(f, f.days[5], 270n * WAD);
      expect(emitted).to.deep.equal(calc);
      expect(emitted.action).to.equal("LenderReturn");
      expect(emitted.transactionExposure).to.equal(-emitted.callCash);
      const o = await f.book.obligation(f.id, SIDE.Lender);
      expect(o.quantity).to.equal(emitted.callQuantity);
      // Returning the rounded-down quantity leaves the lender covered: the exposure stays at or below zero.
      expect(-emitted.transactionExposure >= o.quantity * 270_00n).to.equal(true);
    });

    it("settling a borrower call in securities brings the exposure below the minimum transfer amount", async function () {
      const f = await loadFixture(activeA);
      await revalueAt(f, f.days[5], 240n * WAD);
      await f.book.connect(f.borrower).settleObligation(f.id, SIDE.Borrower, true);
      const { emitted, calc } = await revalueAt(f, f.days[6], 240n * WAD);
      expect(emitted).to.deep.equal(calc);
      expect(emitted.action).to.equal("None");
      expect(emitted.transactionExposure < f.terms.minimumTransfer).to.equal(true);
    });

    it("resizes an open call and cancels it once the exposure is below the minimum transfer amount", async function () {
      const f = await loadFixture(activeA);
      await revalueAt(f, f.days[5], 240n * WAD);
      const resized = await revalueAt(f, f.days[6], 230n * WAD);
      await expect(resized.tx)
        .to.emit(f.book, "MarginCallResized")
        .withArgs(f.id, SIDE.Borrower, f.days[6], resized.emitted.callCash, resized.emitted.callQuantity);
      const back = await revalueAt(f, f.days[7], 250n * WAD);
      await expect(back.tx).to.emit(f.book, "MarginCallCancelled").withArgs(f.id, SIDE.Borrower, f.days[7]);
    });
  });

  describe("revalue under Method B", function () {
    it("carries the signed transaction exposure: the borrower's call, or minus the lender's return", async function () {
      const f = await loadFixture(activeFixture);
      const down = await revalueAt(f, f.days[5], 200n * WAD);
      expect(down.emitted).to.deep.equal(down.calc);
      expect(down.emitted.action).to.equal("BorrowerCall");
      expect(down.emitted.transactionExposure).to.equal(down.emitted.callCash);
      const up = await revalueAt(f, f.days[6], 300n * WAD);
      expect(up.emitted.action).to.equal("LenderReturn");
      expect(up.emitted.transactionExposure).to.equal(-up.emitted.callCash);
    });
  });
});
