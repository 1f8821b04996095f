import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { activePledgeFixture, pushPrice } from "../pledge/fixtures";
import { auditReplay, compareFields, registerReplayer, replayEvents, replayers, unregisterReplayer } from "../../lib/audit/replay";
import type { FollowedContract, SuiteEvent } from "../../lib/core/events";
import { reencoded, suiteEvents } from "../helpers/audit";
import { readDeployment } from "../../lib/core/deployments";

/** An active pledge valued at four dates (down to the liquidation line, so top-ups are computed), with a repayment between. */
async function valuedPledgeFixture() {
  const f = await activePledgeFixture();
  for (const [day, price] of [
    [f.today - 20, "24"],
    [f.today - 10, "15"],
  ] as const) {
    await pushPrice(f, day, price);
    await (await f.book.value([f.id], day)).wait();
  }
  await (await f.book.connect(f.pledgee).repay(f.id, 50_000_00n, f.today - 5)).wait();
  for (const [day, price] of [
    [f.today - 1, "13.5"],
    [f.today, "14.2"],
  ] as const) {
    await pushPrice(f, day, price);
    await (await f.book.value([f.id], day)).wait();
  }
  return f;
}

/** The same PledgeValued log with one output field changed. */
function tamper(ev: SuiteEvent, followed: Map<string, FollowedContract>, field: string): SuiteEvent {
  const a = ev.parsed.args;
  const out = { ...a.out.toObject(), [field]: a.out[field] + 1n };
  return reencoded(ev, followed, [a.id, a.date, a.closePrice, a.shares, a.pledgedCash, out]);
}

describe("audit replay", function () {
  describe("auditReplay", function () {
    it("recomputes every pledge valuation and repayment with the reference calculator: no mismatch", async function () {
      await loadFixture(valuedPledgeFixture);
      let progress = 0;
      const report = await auditReplay(hre, { onProgress: (done) => (progress = done) });
      expect(report.mismatches).to.deep.equal([]);
      expect(report.replayers).to.include("pledge");
      const count = (event: string) => report.counts.find((c) => c.event === event)?.replayed;
      expect(count("PledgeValued")).to.equal(4);
      expect(count("PledgeRepaid")).to.equal(1);
      expect(progress).to.be.greaterThan(0);
    });

    it("checks only events from --from-block, still reading the history before it", async function () {
      const f = await loadFixture(valuedPledgeFixture);
      const events = (await suiteEvents()).events.filter((e) => e.event === "PledgeValued");
      const report = await auditReplay(hre, { fromBlock: events[2].blockNumber });
      expect(report.mismatches).to.deep.equal([]);
      expect(report.counts.find((c) => c.event === "PledgeValued")?.replayed).to.equal(2);
      expect(f.id).to.equal(1n);
    });
  });

  describe("replayEvents", function () {
    it("reports a tampered valuation as a mismatch naming the field, block, transaction and log index", async function () {
      await loadFixture(valuedPledgeFixture);
      const { events, followed } = await suiteEvents();
      const i = events.findIndex((e) => e.event === "PledgeValued" && e.args.out && (e.args.out as { level: string }).level === "2");
      expect(i, "a liquidation-level valuation").to.be.greaterThan(-1);
      events[i] = tamper(events[i], followed, "topUpShares");
      const ctx = { provider: ethers.provider, deployment: readDeployment(hre.network.name)! };
      const { mismatches, counts } = await replayEvents(events, ctx);
      expect(mismatches).to.have.length(1);
      expect(mismatches[0]).to.include({
        event: "PledgeValued",
        field: "out.topUpShares",
        blockNumber: events[i].blockNumber,
        txHash: events[i].txHash,
        logIndex: events[i].logIndex,
      });
      expect(BigInt(mismatches[0].onChain) - BigInt(mismatches[0].expected)).to.equal(1n);
      expect(counts.find((c) => c.event === "PledgeValued")?.mismatched).to.equal(1);
    });

    it("reports a valuation of a pledge whose history is missing as a failed replay", async function () {
      await loadFixture(valuedPledgeFixture);
      const events = (await suiteEvents()).events.filter((e) => e.event !== "PledgeRequested");
      const { mismatches } = await replayEvents(events, { provider: ethers.provider, deployment: readDeployment(hre.network.name)! });
      expect(mismatches.length).to.be.greaterThan(0);
      expect(mismatches[0].field).to.equal("(replay failed)");
      expect(mismatches[0].expected).to.match(/no PledgeRequested event/);
    });
  });

  describe("registerReplayer", function () {
    it("adds a replayer for a new event without changing the replay", async function () {
      await loadFixture(valuedPledgeFixture);
      registerReplayer("PledgeLevelChanged", (ev) => ({ to: ev.args.to as string, from: "9" }));
      try {
        const { mismatches, counts } = await replayEvents((await suiteEvents()).events, {
          provider: ethers.provider,
          deployment: readDeployment(hre.network.name)!,
        });
        expect(counts.find((c) => c.event === "PledgeLevelChanged")?.replayed).to.be.greaterThan(0);
        expect(mismatches.length).to.be.greaterThan(0);
        expect(mismatches.every((m) => m.replayer === "PledgeLevelChanged" && m.field === "from")).to.equal(true);
      } finally {
        unregisterReplayer("PledgeLevelChanged");
      }
      expect(replayers().map((r) => r.name)).to.not.include("PledgeLevelChanged");
    });

    it("compares every expected field as a decimal string", function () {
      const ev = {
        contract: "X",
        event: "E",
        blockNumber: 1,
        txHash: "0x",
        logIndex: 0,
        args: { a: "5", s: { b: "true" } },
      } as unknown as SuiteEvent;
      expect(compareFields(ev, { a: 5n, "s.b": true }, "r")).to.deep.equal([]);
      expect(compareFields(ev, { a: 6, c: 1 }, "r").map((m) => m.field)).to.deep.equal(["a", "c"]);
    });
  });
});
