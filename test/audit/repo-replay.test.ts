import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { closeDay, offChainFixture, openDeal, pushEquity, RUB, SIDE, WAD, XMOS } from "../repo/fixtures";
import { BOND_ISIN } from "../token/fixtures";
import { auditReplay, replayEvents, replayers } from "../../lib/audit/replay";
import type { FollowedContract, SuiteEvent } from "../../lib/core/events";
import { reencoded, suiteEvents } from "../helpers/audit";
import { readDeployment } from "../../lib/core/deployments";
import { assetFeedId } from "../../lib/oracle/ids";
import { propose } from "../../lib/repo";
import { weekday } from "../../lib/core/dates";

const REF = ethers.encodeBytes32String("SWIFT-REF");
const BOND_FEED = assetFeedId(BOND_ISIN);

/**
 * Two deals with a full history:
 * - the template equity deal, opened off chain: a borrower call after a price drop settled in securities, a
 *   borrower and a lender cash margin recorded with past dates, revaluations that accrue interest on them, a
 *   lender return after a rise, then early termination (closing leg with both margins);
 * - an OFZ deal opened through tokens: a borrower call settled in cash (dated today), revalued on the next
 *   business day from today.
 */
async function repoHistoryFixture() {
  const f = await offChainFixture();
  const { book, days, agent, borrower, lender } = f;
  await pushEquity(f, days[5], 200n * WAD);
  await (await book.revalue([f.id], days[5])).wait();
  await (await book.connect(agent).confirmObligation(f.id, SIDE.Borrower, true, REF)).wait();
  await (await book.connect(agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 5_000_00n, days[7], REF)).wait();
  await pushEquity(f, days[8], 190n * WAD);
  await (await book.revalue([f.id], days[8])).wait();
  await (await book.connect(agent).recordMarginTransfer(f.id, SIDE.Lender, false, 2_000_00n, days[10], REF)).wait();
  await pushEquity(f, days[14], 260n * WAD);
  await (await book.revalue([f.id], days[14])).wait();

  await (await f.oracle.configureAsset(BOND_FEED, RUB, XMOS, 5n * WAD, 30)).wait();
  const { id: bondId } = await propose(book.connect(borrower), {
    ...f.terms,
    security: await f.bond.getAddress(),
    quantity: 200n,
    purchasePrice: 160_000_00n,
    couponDayCount: 0,
  });
  await openDeal(f, bondId, true);
  for (const [day, price] of [
    [days[15], 1000n],
    [days[16], 900n],
  ] as const) {
    await (await f.oracle.pushPrices([{ feedId: BOND_FEED, date: day, price: price * WAD }])).wait();
    await closeDay(f, day);
    await (await book.revalue([bondId], day)).wait();
  }
  await (await book.connect(borrower).settleObligation(bondId, SIDE.Borrower, false)).wait();
  // The cash margin is dated today: revalue on the first business day from today (the clock moves on a weekend).
  let day = f.today;
  while (weekday(day) > 5) day++;
  if (day > f.today) await time.increaseTo(day * 86400 + 3600);
  await (await f.oracle.pushPrices([{ feedId: BOND_FEED, date: day, price: 905n * WAD }])).wait();
  await pushEquity(f, day, 255n * WAD);
  await (await book.revalue([f.id, bondId], day)).wait();

  await (await book.connect(borrower).agreeTermination(f.id)).wait();
  await (await book.connect(lender).agreeTermination(f.id)).wait();
  await (await book.connect(agent).confirmRepurchase(f.id)).wait();
  return { ...f, bondId };
}

/** The same RepoRevalued log with one output field changed. */
function tamper(ev: SuiteEvent, followed: Map<string, FollowedContract>, field: string): SuiteEvent {
  const a = ev.parsed.args;
  const output = { ...a.output.toObject(), [field]: a.output[field] + 1n };
  return reencoded(ev, followed, [a.dealId, a.date, a.inputs.toObject(), output]);
}

describe("audit replay: repo book", function () {
  describe("auditReplay", function () {
    it("is registered as the repo replayer of RepoBook", function () {
      const r = replayers().find((x) => x.name === "repo");
      expect(r?.contract).to.equal("RepoBook");
      expect(r?.checks).to.deep.equal(["RepoRevalued", "RepoClosed"]);
    });

    it("recomputes every revaluation and the closing leg with the reference calculator: no mismatch", async function () {
      const f = await loadFixture(repoHistoryFixture);
      const report = await auditReplay(hre);
      expect(report.mismatches).to.deep.equal([]);
      const count = (event: string) => report.counts.find((c) => c.event === event)?.replayed;
      expect(count("RepoRevalued")).to.equal(7);
      expect(count("RepoClosed")).to.equal(1);
      const margins = await f.book.cashMargins(f.id);
      expect(margins.map((m) => m.byLender)).to.deep.equal([false, true]);
      expect((await f.book.cashMargins(f.bondId)).length).to.equal(1);
    });

    it("exercises the history it rebuilds: a call, a lender return, margins in cash and securities, a bond", async function () {
      await loadFixture(repoHistoryFixture);
      const { events } = await suiteEvents();
      const revalued = events.filter((e) => e.event === "RepoRevalued").map((e) => e.parsed.args.output);
      expect(revalued.map((o) => Number(o.action))).to.include.members([1, 2]);
      expect(
        revalued.some((o) => o.accruedCoupon > 0n),
        "a bond valued with its accrued coupon",
      ).to.equal(true);
      expect(
        revalued.some((o) => o.borrowerCashMargin > 5_000_00n && o.lenderCashMargin > 2_000_00n),
        "margins with interest",
      ).to.equal(true);
      const settled = events.filter((e) => e.event === "MarginCallSettled").map((e) => e.parsed.args.inSecurities);
      expect(settled).to.deep.equal([true, false]);
    });
  });

  describe("replayEvents", function () {
    for (const field of ["ltv", "marketValue", "callQuantity"]) {
      it(`reports a RepoRevalued log with a tampered output.${field} as a mismatch naming the field`, async function () {
        await loadFixture(repoHistoryFixture);
        const { events, followed } = await suiteEvents();
        const i = events.findIndex((e) => e.event === "RepoRevalued" && Number(e.parsed.args.output.action) === 1);
        events[i] = tamper(events[i], followed, field);
        const { mismatches, counts } = await replayEvents(events, {
          provider: ethers.provider,
          deployment: readDeployment(hre.network.name)!,
          hre,
        });
        const own = mismatches.filter((m) => m.logIndex === events[i].logIndex && m.txHash === events[i].txHash);
        expect(own).to.have.length(1);
        expect(own[0]).to.include({
          replayer: "repo",
          contract: "RepoBook",
          event: "RepoRevalued",
          field: `output.${field}`,
          blockNumber: events[i].blockNumber,
        });
        expect(BigInt(own[0].onChain) - BigInt(own[0].expected)).to.equal(1n);
        expect(counts.find((c) => c.event === "RepoRevalued")?.mismatched).to.be.greaterThan(0);
      });
    }

    it("reports a cash margin missing from the history as mismatches of the margins and of the closing leg", async function () {
      await loadFixture(repoHistoryFixture);
      const { events } = await suiteEvents();
      const dropped = events.filter((e) => !(e.event === "MarginTransferRecorded" && Number(e.parsed.args.side) === SIDE.Lender));
      const { mismatches } = await replayEvents(dropped, { provider: ethers.provider, deployment: readDeployment(hre.network.name)!, hre });
      const fields = new Set(mismatches.map((m) => m.field));
      expect(fields).to.include("output.lenderCashMargin");
      expect(fields).to.include("closing.lenderCashMargin");
    });

    it("takes the terms from the book when the proposal is not in the history read", async function () {
      await loadFixture(repoHistoryFixture);
      const { events } = await suiteEvents();
      const ctx = { provider: ethers.provider, deployment: readDeployment(hre.network.name)! };
      const without = events.filter((e) => e.event !== "RepoProposed");
      expect((await replayEvents(without, { ...ctx, hre })).mismatches).to.deep.equal([]);
      const failed = (await replayEvents(without, ctx)).mismatches;
      expect(failed[0]).to.include({ replayer: "repo", field: "(replay failed)" });
      expect(failed[0].expected).to.match(/no RepoProposed event/);
    });
  });
});
