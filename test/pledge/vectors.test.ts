import { expect } from "chai";
import path from "node:path";
import { loadFixture, takeSnapshot, SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { loadVectorFiles } from "../../lib/math";
import {
  PledgeCaseJson,
  PledgeOutput,
  initialPledgeRate,
  parsePledgeExpected,
  parsePledgeInitial,
  parsePledgeInput,
  pledgeOutputFromContract,
  valuationOutput,
  valuePledge,
  requestedId,
  valuationsOf,
} from "../../lib/pledge";
import { DAY_COUNTS } from "../../lib/tokens";
import { PledgeFixture, pledgeFixture, pushPrice, termsFor, openPledge } from "./fixtures";

const files = loadVectorFiles<PledgeCaseJson>(path.join(__dirname, "..", "vectors", "pledge"));

function compare(actual: Partial<PledgeOutput>, expected: Partial<PledgeOutput>, who: string): void {
  for (const [key, v] of Object.entries(expected)) {
    expect(actual[key as keyof PledgeOutput], `${who}: ${key}`).to.equal(v);
  }
}

/**
 * Every pledge vector through a real PledgeBook pledge: push the initial price at the start date, set the
 * security's board lot, open the pledge with the case's terms (the initial pledge rate registered, or the
 * registration refused above the cap), record its repayments and pledged cash, push the case's close, value
 * it, and require the emitted outputs (and the enforcement amounts `preview` computes, which a valuation does
 * not publish) to equal the file and the reference calculator exactly.
 */
describe("PledgeBook vectors (test/vectors/pledge through the book)", function () {
  let f: PledgeFixture;
  let snapshot: SnapshotRestorer;

  before(async function () {
    f = await loadFixture(pledgeFixture);
    snapshot = await takeSnapshot();
  });

  afterEach(async function () {
    await snapshot.restore();
  });

  for (const file of files) {
    describe(file.file, function () {
      for (const c of file.cases) {
        it(c.name, async function () {
          const input = parsePledgeInput(c.input);
          const initial = parsePledgeInitial(c);
          const t = input.terms;
          expect(t.cashDecimals, "the book's cash token has 2 decimals").to.equal(2);
          const calc = initialPledgeRate(t.principal, input.shares, input.initialPrice!, t.cashDecimals, input.maxInitialRate);
          expect(calc.rate, "calculator: initialRate").to.equal(initial.initialRate);
          expect(calc.aboveCap, "calculator: refused").to.equal(initial.refused);
          if (input.valuationDate === t.startDate) expect(input.initialPrice, "one price per date").to.equal(input.closePrice);
          await pushPrice(f, t.startDate, c.input.initialPrice);
          if ((t.boardLot ?? 1n) > 1n) await (await f.book.connect(f.actors.csd).setBoardLot(f.equity.target, t.boardLot!)).wait();
          const terms = termsFor(f, t.startDate, {
            quantity: input.shares,
            principal: t.principal,
            interestRate: t.interestRate,
            dayCount: DAY_COUNTS.indexOf(t.dayCount as (typeof DAY_COUNTS)[number]),
            startDate: t.startDate,
            maturityDate: input.valuationDate + 365,
            warningLine: t.warningLine,
            liquidationLine: t.liquidationLine,
            restoreTarget: t.restoreTarget,
            maxInitialRate: input.maxInitialRate,
            topUpAtWarning: t.topUpAtWarning,
            principalFirst: t.principalFirst,
          });
          if (initial.refused) {
            const r = await (await f.book.connect(f.pledger).request(terms)).wait();
            const pending = requestedId(f.book, r);
            await (await f.book.connect(f.pledgee).consent(pending)).wait();
            await expect(f.book.connect(f.actors.csd).register(pending))
              .to.be.revertedWithCustomError(f.book, "PledgeInitialRateAboveCap")
              .withArgs(pending, initial.initialRate, input.maxInitialRate);
            return;
          }
          const id = await openPledge(f, terms);
          const [registered] = await f.book.queryFilter(f.book.filters.PledgeRegistered(id));
          expect(registered.args.initialPrice).to.equal(input.initialPrice);
          expect(registered.args.initialRate, "book: initialRate").to.equal(initial.initialRate);
          const expected = parsePledgeExpected(c);
          for (const r of input.repayments) {
            await (await f.book.connect(f.pledgee).repay(id, r.amount, r.date)).wait();
          }
          if (input.pledgedCash > 0n) await (await f.book.connect(f.actors.csd).topUp(id, 0n, input.pledgedCash)).wait();
          if (input.valuationDate !== t.startDate) await pushPrice(f, input.valuationDate, c.input.closePrice);
          const receipt = await (await f.book.value([id], input.valuationDate)).wait();
          const [v] = valuationsOf(f.book, receipt);
          expect(v.closePrice).to.equal(input.closePrice);
          expect(v.shares).to.equal(input.shares);
          expect(v.pledgedCash).to.equal(input.pledgedCash);
          const { output } = valuePledge(input);
          compare(v.out, valuationOutput(expected), "book");
          compare(output, expected, "calculator");
          expect(v.out).to.deep.equal(valuationOutput(output));
          const [previewed, close] = await f.book.preview(id, input.valuationDate);
          expect(close).to.equal(input.closePrice);
          compare(pledgeOutputFromContract(previewed), expected, "book preview");
        });
      }
    });
  }
});
