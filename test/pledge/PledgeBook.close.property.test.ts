import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { openPledge, pledgeFixture, PLEDGED, pushPrice, termsFor } from "./fixtures";
import { valuationsOf } from "../../lib/pledge";
import { valuationOutput, valuePledge } from "../../lib/calc/pledge";

const op = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), day: fc.integer({ min: 0, max: 5 }), cents: fc.integer({ min: 1000, max: 3000 }) }),
  fc.record({ kind: fc.constant("close" as const), day: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant("value" as const), day: fc.integer({ min: 0, max: 5 }), caller: fc.integer({ min: 0, max: 19 }) }),
);

/**
 * Any interleaving of price pushes, closes and valuation calls by anyone: every valuation recorded for a date
 * equals the reference calculator's from the market data as of that date's close.
 */
describe("PledgeBook close of business (property)", function () {
  it("records for each date only the valuation computed from the data as of its close", async function () {
    const f = await loadFixture(pledgeFixture);
    const start = f.today - 30;
    await pushPrice(f, start, "25");
    const terms = termsFor(f, start);
    const id = await openPledge(f, terms);
    const signers = await ethers.getSigners();
    const base = await takeSnapshot();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 14 }), async (ops) => {
        await base.restore();
        let latest = { date: start, price: ethers.parseUnits("25", 18) };
        let lastClosed = start;
        const atClose = new Map<number, bigint | null>();
        for (const o of ops) {
          const day = f.today - 5 + o.day;
          if (o.kind === "push") {
            if (day <= lastClosed || day <= latest.date) continue;
            const price = BigInt(o.cents) * 10n ** 16n;
            await (await f.oracle.pushPrices([{ feedId: f.feed, date: day, price }])).wait();
            latest = { date: day, price };
          } else if (o.kind === "close") {
            if (day <= lastClosed) continue;
            await (await f.oracle.closeBusinessDate(f.feedCalendar, day)).wait();
            for (let d = lastClosed + 1; d <= day; d++) atClose.set(d, latest.date <= d ? latest.price : null);
            lastClosed = day;
          } else {
            const receipt = await (await f.book.connect(signers[o.caller]).value([id], day)).wait();
            for (const v of valuationsOf(f.book, receipt)) {
              const close = atClose.get(v.date);
              expect(atClose.has(v.date), `valued ${v.date} before its close`).to.equal(true);
              expect(close === null, `valued ${v.date} without a price at its close`).to.equal(false);
              expect(v.closePrice).to.equal(close);
              const reference = valuePledge({
                terms: {
                  principal: terms.principal,
                  interestRate: terms.interestRate,
                  dayCount: "Act365Fixed",
                  startDate: start,
                  warningLine: 16n * 10n ** 17n,
                  liquidationLine: 14n * 10n ** 17n,
                  restoreTarget: terms.restoreTarget,
                  cashDecimals: 2,
                },
                valuationDate: v.date,
                closePrice: close!,
                shares: PLEDGED,
                pledgedCash: 0n,
                repayments: [],
              }).output;
              expect(v.out).to.deep.equal(valuationOutput(reference));
            }
          }
        }
      }),
      { numRuns: 20 },
    );
  });
});
