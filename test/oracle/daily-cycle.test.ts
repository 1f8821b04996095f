import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { activeFixture, SIDE } from "../repo/fixtures";
import { activePledgeFixture } from "../pledge/fixtures";
import { EQUITY_ISIN } from "../token/fixtures";
import { dayToIso } from "../../lib/core/dates";
import { runJson } from "../helpers/tasks";
import { calendarToBytes4 } from "../../lib/oracle/ids";

/**
 * The daily cycle as the oracle operator runs it: `oracle:push` pushes the prices, closes the pushed business
 * date of each calendar, then revalues the open deals holding an updated security and reports the margin
 * calls raised.
 */
describe("daily cycle (oracle:push: push, close, revalue)", function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "daily-cycle-"));
  });

  /** A price file dropping the equity of the active deal from 250 to 200 RUB on the last business day. */
  function dropFile(f: { days: number[] }, name: string): { file: string; date: number } {
    const date = f.days[f.days.length - 1];
    const file = path.join(dir, name);
    fs.writeFileSync(file, `date,isin,price\n${dayToIso(date)},${EQUITY_ISIN},200.00\n`);
    return { file, date };
  }

  it("revalues the open repo holding the security and reports the borrower's margin call", async function () {
    const f = await loadFixture(activeFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const { file, date } = dropFile(f, "drop.csv");
    const out = await runJson("oracle:push", { prices: file, from: f.actors.csd.address, journal: path.join(dir, "j1.json") });
    expect(out.accepted).to.equal(1);
    expect(out.closed).to.deep.equal([
      { calendar: "XMOS", date, iso: dayToIso(date), status: "closed", txHash: out.closed[0].txHash, gasUsed: out.closed[0].gasUsed },
    ]);
    expect(await f.oracle.lastClosedDate(calendarToBytes4("XMOS"))).to.equal(BigInt(date));
    expect(out.revaluation.revalued).to.be.greaterThanOrEqual(1);
    expect(out.revaluation.marginCalls).to.equal(1);
    const call = await f.book.obligation(f.id, SIDE.Borrower);
    expect(call.status).to.equal(1n);
    expect(call.raisedOn).to.equal(BigInt(date));
    expect(call.cash).to.be.greaterThan(0n);
    expect((await f.book.dealState(f.id)).lastRevaluedDate).to.equal(BigInt(date));
  });

  it("values the active pledge on the pushed date and reports its top-up call", async function () {
    const f = await loadFixture(activePledgeFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const date = f.today - 1;
    const file = path.join(dir, "pledge-drop.csv");
    // 1,000,000 shares at 12.00 against 10,000,000.00 of debt: below the 140 % liquidation line.
    fs.writeFileSync(file, `date,isin,price\n${dayToIso(date)},${EQUITY_ISIN},12.00\n`);
    const out = await runJson("oracle:push", { prices: file, from: f.actors.csd.address, journal: path.join(dir, "j3.json") });
    expect(out.accepted).to.equal(1);
    expect(out.revaluation).to.include({ revalued: 1, marginCalls: 1 });
    const valued = await f.book.queryFilter(f.book.filters.PledgeValued(f.id));
    expect(valued.map((e) => Number(e.args.date))).to.deep.equal([date]);
    expect(await f.book.queryFilter(f.book.filters.PledgeTopUpCalled(f.id))).to.have.length(1);
  });

  it("pushes without revaluing under --no-revalue", async function () {
    const f = await loadFixture(activeFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const { file } = dropFile(f, "drop-only.csv");
    const out = await runJson("oracle:push", {
      prices: file,
      from: f.actors.csd.address,
      journal: path.join(dir, "j2.json"),
      noRevalue: true,
    });
    expect(out.accepted).to.equal(1);
    expect(out.revaluation).to.deep.equal({ revalued: 0, marginCalls: 0, note: "skipped (--no-revalue)" });
    expect(out.closed.map((c: { status: string }) => c.status)).to.deep.equal(["closed"]);
    expect((await f.book.obligation(f.id, SIDE.Borrower)).status).to.equal(0n);
    expect((await f.book.dealState(f.id)).lastRevaluedDate).to.equal(0n);
  });

  it("leaves the pushed date open under --no-close", async function () {
    const f = await loadFixture(activeFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const { file } = dropFile(f, "drop-open.csv");
    const before = await f.oracle.lastClosedDate(calendarToBytes4("XMOS"));
    const out = await runJson("oracle:push", {
      prices: file,
      from: f.actors.csd.address,
      journal: path.join(dir, "j4.json"),
      noClose: true,
      noRevalue: true,
    });
    expect(out.accepted).to.equal(1);
    expect(out.closed).to.deep.equal([]);
    expect(await f.oracle.lastClosedDate(calendarToBytes4("XMOS"))).to.equal(before);
  });
});
