import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { openPledge, pledgeFixture, PLEDGED, pushPrice, termsFor } from "./fixtures";
import { valuationsOf, valuationOutput, valuePledge } from "../../lib/pledge";

const op = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), day: fc.integer({ min: 0, max: 5 }), cents: fc.integer({ min: 1000, max: 3000 }) }),
  fc.record({ kind: fc.constant("close" as const), day: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant("confirm" as const), day: fc.constant(0) }),
  fc.record({ kind: fc.constant("value" as const), day: fc.integer({ min: 0, max: 5 }), caller: fc.integer({ min: 0, max: 19 }) }),
);

/**
 * Any interleaving of price pushes (moves beyond 20 % are quarantined), a second operator's confirmations, closes
 * and valuation calls by anyone: every valuation recorded for a date equals the reference calculator's from the
 * market data as of that date's close.
 */
describe("PledgeBook close of business (property)", function () {
  it("records for each date only the valuation computed from the data as of its close", async function () {
    const f = await loadFixture(pledgeFixture);
    const start = f.today - 30;
    await pushPrice(f, start, "25");
    const terms = termsFor(f, start);
    const id = await openPledge(f, terms);
    const signers = await ethers.getSigners();
    // A 20 % deviation limit, so some pushes wait for the second operator (signer 19).
    const limit = 2n * 10n ** 17n;
    const info = await f.oracle.feedInfo(f.feed);
    await (await f.oracle.configureAsset(f.feed, info.currency, f.feedCalendar, limit, info.maxAgeDays)).wait();
    const confirmer = signers[19];
    await (await f.oracle.grantRole(await f.oracle.ORACLE_ROLE(), confirmer.address)).wait();
    const base = await takeSnapshot();
    let confirmations = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 14 }), async (ops) => {
        await base.restore();
        let latest = { date: start, price: ethers.parseUnits("25", 18) };
        let pending: { date: number; price: bigint } | undefined;
        let lastClosed = start;
        const atClose = new Map<number, bigint | null>();
        for (const o of ops) {
          const day = f.today - 5 + o.day;
          if (o.kind === "push") {
            if (day <= lastClosed || day <= latest.date) continue;
            const price = BigInt(o.cents) * 10n ** 16n;
            await (await f.oracle.pushPrices([{ feedId: f.feed, date: day, price }])).wait();
            const diff = price > latest.price ? price - latest.price : latest.price - price;
            if ((diff * 10n ** 18n) / latest.price > limit) pending = { date: day, price };
            else latest = { date: day, price };
          } else if (o.kind === "confirm") {
            if (!pending || pending.date <= latest.date || pending.date <= lastClosed) continue;
            await (await f.oracle.connect(confirmer).confirmPrice(f.feed, pending.date, pending.price)).wait();
            latest = pending;
            pending = undefined;
            confirmations++;
          } else if (o.kind === "close") {
            // Refused while a value of that day waits in quarantine.
            if (day <= lastClosed || pending?.date === day) continue;
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
      { numRuns: 25 },
    );
    expect(confirmations, "no run confirmed a quarantined price").to.be.greaterThan(0);
  });
});
