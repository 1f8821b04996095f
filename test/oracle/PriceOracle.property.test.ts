import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { BOND_ID, EQUITY_ID, GBPRUB, oracleFixture, WAD, WEEKEND_SAT_SUN, XLON, XMOS } from "./fixtures";
import { BusinessCalendar } from "../../lib/oracle/calendar-model";
import { toDate } from "../../lib/core/dates";
import { propertyRuns } from "../helpers/runs";

/**
 * Random sequences of pushes by several operators (any dates: weekends, holidays, closed and future days
 * included; any moves), confirmations, rejections and closes, run against the oracle and a TypeScript model
 * of its rules. After every step the chain's feed state equals the model's, and every value that became
 * readable without a second operator's confirmation is within the feed's limit of the previous readable
 * value and dated on a later business day of the feed's calendar.
 */

interface Pending {
  operator: string;
  date: number;
  price: bigint;
  calendar: string;
}
interface FeedState {
  price: bigint;
  date: number;
  pending?: Pending;
}
interface Model {
  feeds: Map<string, FeedState>;
  lastClosed: Map<string, number>;
  quarantined: Map<string, number>;
}

const FEEDS = [
  { id: BOND_ID, calendar: XMOS, limit: WAD / 20n },
  { id: EQUITY_ID, calendar: XLON, limit: (WAD * 15n) / 100n },
  { id: GBPRUB, calendar: XMOS, limit: WAD / 20n },
];
const CALENDARS = [XMOS, XLON];
const qKey = (calendar: string, date: number) => `${calendar}:${date}`;

function clone(m: Model): Model {
  return {
    feeds: new Map([...m.feeds].map(([k, v]) => [k, { ...v, pending: v.pending ? { ...v.pending } : undefined }])),
    lastClosed: new Map(m.lastClosed),
    quarantined: new Map(m.quarantined),
  };
}

const deviation = (prev: bigint, next: bigint) => ((next > prev ? next - prev : prev - next) * WAD) / prev;

type Op =
  | { kind: "push"; operator: number; items: { feed: number; back: number; bps: number }[] }
  | { kind: "confirm"; operator: number; feed: number }
  | { kind: "reject"; feed: number }
  | { kind: "close"; operator: number; calendar: number; back: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("push" as const),
      operator: fc.integer({ min: 0, max: 2 }),
      items: fc.array(
        fc.record({
          feed: fc.integer({ min: 0, max: 2 }),
          back: fc.integer({ min: -1, max: 12 }),
          bps: fc.integer({ min: -2500, max: 2500 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("confirm" as const),
      operator: fc.integer({ min: 0, max: 2 }),
      feed: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reject" as const), feed: fc.integer({ min: 0, max: 2 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("close" as const),
      operator: fc.integer({ min: 0, max: 2 }),
      calendar: fc.integer({ min: 0, max: 1 }),
      back: fc.integer({ min: -1, max: 12 }),
    }),
  },
);

describe("PriceOracle (property: four eyes and close of business against a model)", function () {
  async function propertyFixture() {
    const s = await loadFixture(oracleFixture);
    // A holiday in each calendar inside the window the property draws dates from.
    const year = toDate(s.today).year;
    await s.calendar.loadHolidays(XMOS, year, [s.today - 2]);
    await s.calendar.loadHolidays(XLON, year, [s.today - 8]);
    const models = new Map<string, BusinessCalendar>();
    for (const [id, holiday] of [
      [XMOS, s.today - 2],
      [XLON, s.today - 8],
    ] as const) {
      const c = new BusinessCalendar(id, WEEKEND_SAT_SUN);
      for (const y of [year - 1, year, year + 1]) c.holidays.set(y, new Set(y === year ? [holiday] : []));
      models.set(id, c);
    }
    return { ...s, models };
  }

  it("keeps the chain equal to the model and no unconfirmed value beyond one limit per business day", async function () {
    const { oracle, actors, today, models } = await loadFixture(propertyFixture);
    const operators: HardhatEthersSigner[] = [actors.oracle1, actors.oracle2, actors.csd];
    const isBusiness = (calendar: string, date: number) => models.get(calendar)!.isBusinessDay(date) === true;

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 8, maxLength: 30 }), async (ops) => {
        const snap = await ethers.provider.send("evm_snapshot", []);
        try {
          let model: Model = {
            feeds: new Map(FEEDS.map((f) => [f.id, { price: 0n, date: 0 }])),
            lastClosed: new Map(),
            quarantined: new Map(),
          };
          for (const op of ops) {
            const next = clone(model);
            let expected: string | undefined; // custom error the chain must revert with
            let send: () => Promise<unknown>;
            if (op.kind === "push") {
              const signer = operators[op.operator];
              const items = op.items.map((it) => {
                const feed = FEEDS[it.feed];
                const cur = next.feeds.get(feed.id)!;
                const base = cur.price === 0n ? 100n * WAD : cur.price;
                return { feedId: feed.id, date: today - it.back, price: (base * BigInt(10_000 + it.bps)) / 10_000n };
              });
              for (const it of items) {
                if (expected) break;
                const feed = FEEDS.find((f) => f.id === it.feedId)!;
                const cur = next.feeds.get(feed.id)!;
                if (it.date > today) expected = "OracleFutureDate";
                else if (it.date === cur.date && it.price === cur.price) continue;
                else if (it.date <= (next.lastClosed.get(feed.calendar) ?? 0)) expected = "OracleDateClosed";
                else if (!isBusiness(feed.calendar, it.date)) expected = "OracleNotBusinessDay";
                else if (it.date <= cur.date)
                  continue; // refused
                else if (cur.date !== 0 && deviation(cur.price, it.price) > feed.limit) {
                  if (cur.pending)
                    next.quarantined.set(
                      qKey(cur.pending.calendar, cur.pending.date),
                      next.quarantined.get(qKey(cur.pending.calendar, cur.pending.date))! - 1,
                    );
                  cur.pending = { operator: signer.address, date: it.date, price: it.price, calendar: feed.calendar };
                  next.quarantined.set(qKey(feed.calendar, it.date), (next.quarantined.get(qKey(feed.calendar, it.date)) ?? 0) + 1);
                } else {
                  cur.price = it.price;
                  cur.date = it.date;
                }
              }
              send = async () => {
                // The readable values before the transaction; each PriceAccepted must stay within one limit of the previous one.
                const readable = new Map<string, { price: bigint; date: number }>();
                for (const f of FEEDS) {
                  const r = await oracle.latestRaw(f.id);
                  readable.set(f.id, { price: r.price, date: Number(r.date) });
                }
                const receipt = await (await oracle.connect(signer).pushPrices(items)).wait();
                for (const log of receipt!.logs) {
                  const ev = oracle.interface.parseLog(log);
                  if (ev?.name !== "PriceAccepted") continue;
                  const feed = FEEDS.find((f) => f.id === ev.args.feedId)!;
                  const prev = readable.get(feed.id)!;
                  const date = Number(ev.args.date);
                  expect(isBusiness(feed.calendar, date), "accepted on a business day").to.equal(true);
                  if (prev.date !== 0) {
                    expect(date, "accepted for a later date").to.be.greaterThan(prev.date);
                    expect(deviation(prev.price, ev.args.price) <= feed.limit, "unconfirmed move within the limit").to.equal(true);
                  }
                  readable.set(feed.id, { price: ev.args.price, date });
                }
              };
            } else if (op.kind === "confirm") {
              const feed = FEEDS[op.feed];
              const cur = next.feeds.get(feed.id)!;
              const p = cur.pending;
              if (!p) continue;
              const signer = operators[op.operator];
              if (p.operator === signer.address) expected = "OracleSameOperator";
              else if (p.date <= cur.date) expected = "OraclePendingSuperseded";
              else if (p.date <= (next.lastClosed.get(feed.calendar) ?? 0)) expected = "OracleDateClosed";
              else {
                cur.price = p.price;
                cur.date = p.date;
                next.quarantined.set(qKey(p.calendar, p.date), next.quarantined.get(qKey(p.calendar, p.date))! - 1);
                cur.pending = undefined;
              }
              send = () =>
                oracle
                  .connect(signer)
                  .confirmPrice(feed.id, p.date, p.price)
                  .then((t) => t.wait());
            } else if (op.kind === "reject") {
              const feed = FEEDS[op.feed];
              const cur = next.feeds.get(feed.id)!;
              const p = cur.pending;
              if (!p) continue;
              next.quarantined.set(qKey(p.calendar, p.date), next.quarantined.get(qKey(p.calendar, p.date))! - 1);
              cur.pending = undefined;
              send = () => oracle.rejectPrice(feed.id, p.date, p.price, ethers.ZeroHash).then((t) => t.wait());
            } else {
              const calendar = CALENDARS[op.calendar];
              const date = today - op.back;
              if (date > today) expected = "OracleCloseInFuture";
              else if (date <= (next.lastClosed.get(calendar) ?? 0)) expected = "OracleDateClosed";
              else if (!isBusiness(calendar, date)) expected = "OracleNotBusinessDay";
              else if ((next.quarantined.get(qKey(calendar, date)) ?? 0) > 0) expected = "OracleQuarantinePending";
              else next.lastClosed.set(calendar, date);
              send = () =>
                oracle
                  .connect(operators[op.operator])
                  .closeBusinessDate(calendar, date)
                  .then((t) => t.wait());
            }

            let reverted: string | undefined;
            try {
              await send();
            } catch (err) {
              const message = (err as Error).message;
              if (!/reverted with custom error/.test(message)) throw err;
              reverted = message;
            }
            if (expected) expect(reverted, `${JSON.stringify(op)} must revert with ${expected}`).to.contain(expected);
            else {
              expect(reverted, JSON.stringify(op)).to.equal(undefined);
              model = next;
            }

            // The chain equals the model.
            for (const f of FEEDS) {
              const m = model.feeds.get(f.id)!;
              const info = await oracle.feedInfo(f.id);
              expect([info.price, Number(info.date)]).to.deep.equal([m.price, m.date]);
              expect([info.pendingPrice, Number(info.pendingDate), info.pendingOperator]).to.deep.equal(
                m.pending ? [m.pending.price, m.pending.date, m.pending.operator] : [0n, 0, ethers.ZeroAddress],
              );
            }
            for (const c of CALENDARS) expect(Number(await oracle.lastClosedDate(c))).to.equal(model.lastClosed.get(c) ?? 0);
            for (const [k, count] of model.quarantined) {
              const [c, d] = k.split(":");
              expect(Number(await oracle.quarantinedCount(c, Number(d)))).to.equal(count);
            }
          }
        } finally {
          await ethers.provider.send("evm_revert", [snap]);
        }
      }),
      { numRuns: propertyRuns(25) },
    );
  });
});
