import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { activeFixture, EQUITY_FEED, openDeal, RUB, WAD, XMOS } from "./fixtures";
import { propose, repoCalcTerms, repoOutputFromContract, revalueRepo } from "../../lib/repo";
import { propertyRuns } from "../helpers/runs";

/**
 * Two active deals on the equity, whose feed now quarantines a move above 20 % until a second operator
 * confirms it (investor 0 is that operator).
 */
async function closeFixture() {
  const f = await activeFixture();
  const { id: second } = await propose(f.book.connect(f.borrower), f.terms);
  await openDeal(f, second, false);
  await (await f.oracle.configureAsset(EQUITY_FEED, RUB, XMOS, WAD / 5n, 30)).wait();
  const confirmer = f.actors.investors[0];
  await (await f.oracle.grantRole(await f.oracle.ORACLE_ROLE(), confirmer.address)).wait();
  return { ...f, ids: [f.id, second], confirmer };
}

const action = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), day: fc.integer({ min: 0, max: 9 }), price: fc.integer({ min: 150, max: 350 }) }),
  fc.record({ kind: fc.constant("confirm" as const) }),
  fc.record({ kind: fc.constant("close" as const) }),
  fc.record({ kind: fc.constant("revalue" as const), day: fc.integer({ min: 0, max: 9 }), stranger: fc.boolean() }),
);

describe("RepoBook (close of business properties)", function () {
  it("for any interleaving of pushes, confirmations, closes and revaluations by anyone, each recorded result for a date is the calculator's from the data as of that date's close", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 6, maxLength: 16 }), async (actions) => {
        const f = await loadFixture(closeFixture);
        const window = f.days.slice(1, 11);
        const csd = f.actors.csd;
        /** Price as of each closed date's close (undefined: the oracle had no usable price for it then). */
        const atClose = new Map<number, { price: bigint; priceDate: bigint } | undefined>();
        let quarantined: { date: number; price: bigint } | undefined;
        let lastClosed = -1;
        for (const a of actions) {
          if (a.kind === "push") {
            const price = BigInt(a.price) * WAD;
            const tx = f.oracle.connect(csd).pushPrices([{ feedId: EQUITY_FEED, date: window[a.day], price }]);
            // Refused on or before the last closed date; otherwise accepted or quarantined.
            const ok = await tx
              .then((t) => t.wait())
              .then(
                () => true,
                () => false,
              );
            if (ok) quarantined = { date: window[a.day], price };
          } else if (a.kind === "confirm" && quarantined) {
            await f.oracle
              .connect(f.confirmer)
              .confirmPrice(EQUITY_FEED, quarantined.date, quarantined.price)
              .then((t) => t.wait())
              .catch(() => undefined);
          } else if (a.kind === "close" && lastClosed + 1 < window.length) {
            const date = window[lastClosed + 1];
            // Refused while a value of the day waits in quarantine.
            const closed = await f.oracle
              .connect(csd)
              .closeBusinessDate(XMOS, date)
              .then((t) => t.wait())
              .then(
                () => true,
                () => false,
              );
            if (closed) {
              lastClosed++;
              const read = await f.oracle.closedPriceAt(EQUITY_FEED, date).catch(() => undefined);
              atClose.set(date, read ? { price: read[0], priceDate: read[1] } : undefined);
            }
          } else if (a.kind === "revalue") {
            const date = window[a.day];
            const caller = a.stranger ? f.stranger : f.lender;
            const receipt = (await (await f.book.connect(caller).revalue(f.ids, date)).wait())!;
            for (const log of receipt.logs) {
              const e = f.book.interface.parseLog(log);
              if (e?.name !== "RepoRevalued") continue;
              expect(atClose.has(date), "revalued only after the date's close").to.equal(true);
              const ref = atClose.get(date);
              expect(ref, "revalued only with a price as of the close").to.not.equal(undefined);
              expect([e.args.inputs.cleanPrice, e.args.inputs.priceDate]).to.deep.equal([ref!.price, ref!.priceDate]);
              const { output } = revalueRepo({
                terms: repoCalcTerms(f.terms, 2),
                isBond: false,
                bond: { faceValue: 0n, couponRate: 0n, frequency: 0, issueDate: 0, maturityDate: 0, dayCount: "Thirty360BondBasis" },
                valuationDate: date,
                cleanPrice: ref!.price,
                fxRate: WAD,
                holiday: false,
                quantity: f.terms.quantity,
                cashMargins: [],
              });
              expect(repoOutputFromContract(e.args.output)).to.deep.equal(output);
            }
          }
        }
      }),
      { numRuns: propertyRuns(8), seed: 4242 },
    );
  });
});
