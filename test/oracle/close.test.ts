import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { BOND_ID, EQUITY_ID, oracleFixture, WAD, XLON, XMOS } from "./fixtures";
import { closeDates, decodeRevert } from "../../lib/oracle/close";
import { dayToIso } from "../../lib/core/dates";
import { runJson } from "../helpers/tasks";

const p = (feedId: string, date: number, price: bigint) => ({ feedId, date, price });

describe("close of business (lib/oracle/close, oracle:close)", function () {
  describe("oracle:close", function () {
    it("closes a business date and prints the transaction", async function () {
      const f = await loadFixture(oracleFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      const out = await runJson("oracle:close", { calendar: "XMOS", date: dayToIso(f.today - 1), from: f.actors.oracle1.address });
      expect(out).to.include({ calendar: "XMOS", date: f.today - 1, status: "closed" });
      expect(await f.oracle.lastClosedDate(XMOS)).to.equal(f.today - 1);
    });

    it("refuses with the decoded custom error and sends nothing", async function () {
      const f = await loadFixture(oracleFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      await f.oracle.connect(f.actors.oracle1).pushPrices([p(BOND_ID, f.today - 2, 100n * WAD)]);
      await f.oracle.connect(f.actors.oracle1).pushPrices([p(BOND_ID, f.today - 1, 80n * WAD)]);
      const block = await ethers.provider.getBlockNumber();
      await expect(
        runJson("oracle:close", { calendar: "XMOS", date: dayToIso(f.today - 1), from: f.actors.oracle1.address }),
      ).to.be.rejectedWith(`the oracle refuses to close XMOS ${dayToIso(f.today - 1)}: OracleQuarantinePending(XMOS, ${f.today - 1}, 1)`);
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(await f.oracle.lastClosedDate(XMOS)).to.equal(0);
    });

    it("names a weekend day as the calendar refuses it", async function () {
      const f = await loadFixture(oracleFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      await expect(
        runJson("oracle:close", { calendar: "XLON", date: dayToIso(f.today - 6), from: f.actors.oracle1.address }),
      ).to.be.rejectedWith(`OracleNotBusinessDay(XLON, ${f.today - 6})`);
    });

    it("refuses a malformed calendar id or date before any call", async function () {
      const f = await loadFixture(oracleFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      await expect(runJson("oracle:close", { calendar: "moex", date: "2026-12-01" })).to.be.rejectedWith(
        /--calendar: "moex" is not a calendar id/,
      );
      await expect(runJson("oracle:close", { calendar: "XMOS", date: "2026-13-01" })).to.be.rejectedWith(
        /--date "2026-13-01" is not a date/,
      );
    });
  });

  describe("closeDates", function () {
    it("closes each calendar up to its latest date in one transaction", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      const op = oracle.connect(actors.oracle1);
      const out = await closeDates(op, [
        { calendar: "XMOS", date: today - 3 },
        { calendar: "XMOS", date: today - 1 },
        { calendar: "XLON", date: today - 2 },
      ]);
      expect(out.map((o) => [o.calendar, o.date, o.status])).to.deep.equal([
        ["XLON", today - 2, "closed"],
        ["XMOS", today - 3, "closed"],
        ["XMOS", today - 1, "closed"],
      ]);
      expect(await oracle.lastClosedDate(XMOS)).to.equal(today - 1);
      expect(await oracle.lastClosedDate(XLON)).to.equal(today - 2);
      expect(await oracle.queryFilter(oracle.filters.BusinessDateClosed())).to.have.length(2);
    });

    it("stops a calendar before a date with a quarantined value and says why", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      const op = oracle.connect(actors.oracle1);
      await op.pushPrices([p(BOND_ID, today - 3, 100n * WAD), p(EQUITY_ID, today - 3, 5n * WAD)]);
      await op.pushPrices([p(BOND_ID, today - 2, 101n * WAD), p(BOND_ID, today - 1, 150n * WAD)]);
      const out = await closeDates(op, [
        { calendar: "XMOS", date: today - 2 },
        { calendar: "XMOS", date: today - 1 },
        { calendar: "XMOS", date: today },
        { calendar: "XLON", date: today - 1 },
      ]);
      expect(await oracle.lastClosedDate(XMOS)).to.equal(today - 2);
      expect(await oracle.lastClosedDate(XLON)).to.equal(today - 1);
      const xmos = out.filter((o) => o.calendar === "XMOS");
      expect(xmos.map((o) => o.status)).to.deep.equal(["closed", "refused", "not tried"]);
      expect(xmos[1].reason).to.equal(`OracleQuarantinePending(XMOS, ${today - 1}, 1)`);
    });

    it("reports dates already closed and only plans in a dry run", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      const op = oracle.connect(actors.oracle1);
      await op.closeBusinessDate(XMOS, today - 2);
      const out = await closeDates(
        op,
        [
          { calendar: "XMOS", date: today - 2 },
          { calendar: "XMOS", date: today - 1 },
        ],
        { dryRun: true },
      );
      expect(out.map((o) => o.status)).to.deep.equal(["already closed", "would close"]);
      expect(await oracle.lastClosedDate(XMOS)).to.equal(today - 2);
    });
  });

  describe("decodeRevert", function () {
    it("decodes the holiday calendar's errors too", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      const err = await oracle
        .connect(actors.oracle1)
        .closeBusinessDate.staticCall("0x58534847", today)
        .catch((e: unknown) => e);
      expect(decodeRevert(err)).to.equal("CalendarUnknown(XSHG)");
    });
  });
});
