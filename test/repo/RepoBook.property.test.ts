import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { activeFixture, closeDay, pushEquity, SIDE, STATUS, WAD, XMOS } from "./fixtures";
import { decodeRevaluation, REPO_ACTION_NAMES, repoCalcTerms, repoOutputFromContract, revalueRepo, RepoInput } from "../../lib/repo";
import { toDate } from "../../lib/core/dates";
import { propertyRuns } from "../helpers/runs";

/** The calculator's input for the fixture deal at `date`, from the book's state before the revaluation. */
async function calculatorInput(f: Awaited<ReturnType<typeof activeFixture>>, date: number, price: bigint): Promise<RepoInput> {
  const s = await f.book.dealState(f.id);
  const margins = await f.book.cashMargins(f.id);
  return {
    terms: repoCalcTerms(f.terms, 2),
    isBond: false,
    bond: { faceValue: 0n, couponRate: 0n, frequency: 0, issueDate: 0, maturityDate: 0, dayCount: "Thirty360BondBasis" },
    valuationDate: date,
    cleanPrice: price,
    fxRate: WAD,
    holiday: false,
    quantity: s.quantity,
    cashMargins: margins.map((m) => ({ amount: m.amount, postedOn: Number(m.postedOn), byLender: m.byLender })),
  };
}

describe("RepoBook (properties)", function () {
  it("after every revaluation the open calls match the corridor rule and the calculator; settling restores the initial LTV", async function () {
    const step = fc.record({
      price: fc.integer({ min: 150, max: 350 }),
      holiday: fc.boolean(),
      settle: fc.constantFrom("none", "securities", "cash"),
      stranger: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 10 }), async (steps) => {
        const f = await loadFixture(activeFixture);
        // Every other business day of the fixture's window, after the start date.
        const dates = f.days.filter((_, i) => i > 0 && i % 2 === 0).slice(0, steps.length);
        const holidays = dates.filter((_, i) => steps[i].holiday && toDate(dates[i]).year === toDate(f.today).year);
        await (await f.calendar.loadHolidays(XMOS, toDate(f.today).year, holidays)).wait();
        for (let i = 0; i < dates.length; i++) {
          const date = dates[i];
          const price = BigInt(steps[i].price) * WAD;
          // Nothing is priced on a holiday: the next business day's close covers it.
          if (holidays.includes(date)) await closeDay(f, f.days[f.days.indexOf(date) + 1]);
          else await pushEquity(f, date, price);
          const input = await calculatorInput(f, date, price);
          const receipt = (await (await f.book.revalue([f.id], date)).wait())!;
          const { rows } = decodeRevaluation(f.book, receipt.logs);
          const s = await f.book.dealState(f.id);
          if (holidays.includes(date)) {
            expect(rows[0].reason).to.equal("Holiday");
          } else if (input.cashMargins.some((m) => m.postedOn > date)) {
            // Cash margin paid on chain is dated the day it arrives; earlier dates are no longer revalued.
            expect(rows[0].reason).to.equal("MarginPostedLater");
          } else {
            const event = receipt.logs.map((l) => f.book.interface.parseLog(l)).find((p) => p?.name === "RepoRevalued")!;
            const emitted = repoOutputFromContract(event.args.output);
            expect(emitted).to.deep.equal(revalueRepo(input).output);
            expect(s.borrowerCallOpen).to.equal(emitted.action === "BorrowerCall");
            expect(s.lenderCallOpen).to.equal(emitted.action === "LenderReturn");
            for (const side of [SIDE.Borrower, SIDE.Lender]) {
              const o = await f.book.obligation(f.id, side);
              if (REPO_ACTION_NAMES[side + 1] === emitted.action) {
                expect([o.status, o.cash, o.quantity]).to.deep.equal([1n, emitted.callCash, emitted.callQuantity]);
              } else {
                expect(o.status).to.not.equal(1n);
              }
            }
            const owing = emitted.action === "BorrowerCall" ? SIDE.Borrower : emitted.action === "LenderReturn" ? SIDE.Lender : undefined;
            if (steps[i].stranger && owing !== undefined) {
              await expect(f.book.connect(f.stranger).settleObligation(f.id, owing, true)).to.be.revertedWithCustomError(
                f.book,
                "RepoNotAuthorised",
              );
            }
            if (owing !== undefined && steps[i].settle !== "none") {
              const who = owing === SIDE.Borrower ? f.borrower : f.lender;
              await (await f.book.connect(who).settleObligation(f.id, owing, steps[i].settle === "securities")).wait();
              // Revalued at the same date and price, the LTV is back at (not above) the initial LTV, within one
              // unit of what was transferred.
              const next = await calculatorInput(f, date, price);
              next.cashMargins = next.cashMargins.map((m) => ({ ...m, postedOn: Math.min(m.postedOn, date) }));
              const after = revalueRepo(next).output;
              expect(after.ltv <= f.terms.initialLtv + 1n, "LTV after settlement at most the initial one").to.equal(true);
              const unit = steps[i].settle === "securities" ? price : 10n ** 16n; // one share, or one kopeck
              const bound = (f.terms.initialLtv * unit) / ((after.marketValue * 10n ** 16n) / 1n) + 2n;
              expect(f.terms.initialLtv - after.ltv <= bound, "within the rounding bound").to.equal(true);
              expect(after.action).to.equal("None");
            }
          }
          expect(s.status).to.equal(BigInt(STATUS.Active));
        }
      }),
      { numRuns: propertyRuns(6) },
    );
  });
});
