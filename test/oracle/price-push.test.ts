import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { oracleFixture } from "./fixtures";
import { configureFeeds, loadCalendars } from "../../lib/oracle/admin";
import { formatIssue, readCalendars, readSecurities } from "../../lib/oracle/files";
import { pushPrices } from "../../lib/oracle/push";
import { readJournal } from "../../lib/oracle/journal";
import { parseArgs } from "../../scripts/price-push";
import { dayToIso, isoToDay } from "../../lib/core/dates";
import { calendarToBytes4 } from "../../lib/oracle/ids";
import { skipUnderCoverage } from "../helpers/runs";

const DATA = path.resolve(__dirname, "../../data");

describe("price push (lib/oracle/push)", function () {
  let dir: string;
  before(function () {
    skipUnderCoverage(this);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "price-push-"));
  });

  function write(name: string, text: string): string {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  }

  /** The sample securities registered and the sample calendars loaded. */
  async function sampleFixture() {
    const s = await loadFixture(oracleFixture);
    const { securities, fxPairs } = readSecurities(path.join(DATA, "securities.json"));
    await configureFeeds(s.oracle, securities, fxPairs);
    await loadCalendars(s.calendar, readCalendars(path.join(DATA, "calendars.json")));
    const lines = fs.readFileSync(path.join(DATA, "prices.csv"), "utf8").trim().split("\n");
    return { ...s, securities, header: lines[0], priceLines: lines.slice(1) };
  }

  describe("validation", function () {
    it("reports every bad line by file and line number and pushes nothing", async function () {
      const { oracle, calendar, securities, header, priceLines, today } = await loadFixture(sampleFixture);
      const xmos = securities.find((s) => s.calendar === "XMOS")!.isin;
      const good = priceLines[0];
      const [goodDate, goodIsin] = good.split(",");
      const file = write(
        "bad.csv",
        [
          header,
          good,
          `${goodDate},RU000A0JX0J3,100`, // 3: bad check digit
          `${goodDate},US0378331005,100`, // 4: unknown asset
          `${goodDate},${xmos},-5`, // 5: negative
          `${goodDate},${xmos},abc`, // 6: not a number
          good, // 7: duplicate of line 2
          `2099-01-05,${xmos},100`, // 8: future
          `2026-11-04,${xmos},100`, // 9: XMOS holiday (National Unity Day)
          `2026-11-07,${xmos},100`, // 10: Saturday
          `2026-13-01,${xmos},100`, // 11: not a date
          `${goodDate},${xmos}`, // 12: missing field
        ].join("\n"),
      );
      const fx = write("fx.csv", "date,base,quote,rate\n2026-11-13,USD,RUB,90\n2026-11-13,GBP,RUB,0\n");
      const s = await pushPrices({ oracle, calendar, prices: file, fx, journal: path.join(dir, "j1.json") });
      const msgs = s.rejected.map(formatIssue);
      const rel = path.relative(process.cwd(), file);
      const relFx = path.relative(process.cwd(), fx);
      expect(msgs).to.have.length(12);
      expect(msgs.find((m) => m.startsWith(`${rel}:3:`))).to.match(/malformed ISIN/);
      expect(msgs.find((m) => m.startsWith(`${rel}:4:`))).to.match(/unknown asset US0378331005/);
      expect(msgs.find((m) => m.startsWith(`${rel}:5:`))).to.match(/not a positive number/);
      expect(msgs.find((m) => m.startsWith(`${rel}:6:`))).to.match(/not a positive number/);
      expect(msgs.find((m) => m.startsWith(`${rel}:7:`))).to.equal(
        `${rel}:7: duplicate: ${goodIsin} on ${goodDate} already given at ${rel}:2`,
      );
      expect(msgs.find((m) => m.startsWith(`${rel}:8:`))).to.match(/future date 2099-01-05/);
      expect(msgs.find((m) => m.startsWith(`${rel}:9:`))).to.match(/non-business day: 2026-11-04 is a holiday of XMOS/);
      expect(msgs.find((m) => m.startsWith(`${rel}:10:`))).to.match(/non-business day: 2026-11-07 is a weekend day of XMOS/);
      expect(msgs.find((m) => m.startsWith(`${rel}:11:`))).to.match(/not a date/);
      expect(msgs.find((m) => m.startsWith(`${rel}:12:`))).to.match(/malformed line/);
      expect(msgs.find((m) => m.startsWith(`${relFx}:2:`))).to.match(/FX pair USD\/RUB unknown/);
      expect(msgs.find((m) => m.startsWith(`${relFx}:3:`))).to.match(/not a positive number/);
      expect([s.blocked, s.pushed, s.transactions]).to.deep.equal([true, 0, 0]);
      expect(await oracle.queryFilter(oracle.filters.PriceAccepted())).to.have.length(0);
      expect(today).to.be.greaterThan(0);
    });

    it("pushes the valid lines and reports the bad ones with skipInvalid", async function () {
      const { oracle, calendar, header, priceLines } = await loadFixture(sampleFixture);
      const [goodDate] = priceLines[0].split(",");
      const file = write("skip.csv", [header, priceLines[0], `${goodDate},RU000A0JX0J3,100`].join("\n"));
      const s = await pushPrices({ oracle, calendar, prices: file, journal: path.join(dir, "j6.json"), skipInvalid: true });
      expect(s.rejected.map(formatIssue)).to.deep.equal([
        `${path.relative(process.cwd(), file)}:3: malformed ISIN: "RU000A0JX0J3" has check digit 3, expected 2`,
      ]);
      expect([s.blocked, s.pushed, s.accepted]).to.deep.equal([false, 1, 1]);
    });

    it("holds back the whole file when a line contradicts the chain", async function () {
      const { oracle, calendar, header, priceLines } = await loadFixture(sampleFixture);
      const first = write("first.csv", [header, priceLines[0]].join("\n"));
      // Left open, so the second file's other line is not refused as dated on or before a close.
      await pushPrices({ oracle, calendar, prices: first, journal: path.join(dir, "j7.json"), close: false });
      const [date, isin] = priceLines[0].split(",");
      const file = write("contradicts.csv", [header, `${date},${isin},1.5`, priceLines[1]].join("\n"));
      const s = await pushPrices({ oracle, calendar, prices: file, journal: path.join(dir, "j8.json") });
      expect([s.blocked, s.pushed, s.rejected.length]).to.deep.equal([true, 0, 1]);
      expect(await oracle.queryFilter(oracle.filters.PriceAccepted())).to.have.length(1);
    });

    it("reports the line of a JSON record", async function () {
      const { oracle, calendar, securities } = await loadFixture(sampleFixture);
      const isin = securities[0].isin;
      const file = write(
        "bad.json",
        `[\n  {"date": "2026-11-13", "isin": "${isin}", "price": "1"},\n  {"date": "2026-11-13",\n   "isin": "XX", "price": "1"}\n]\n`,
      );
      const s = await pushPrices({ oracle, calendar, prices: file, dryRun: true });
      expect(s.rejected.map(formatIssue)).to.deep.equal([
        `${path.relative(process.cwd(), file)}:3: malformed ISIN: "XX" is not 2 letters, 9 letters or digits and a check digit`,
      ]);
    });
  });

  describe("resume", function () {
    it("pushes nothing twice: a second run skips everything, a dry run pushes nothing", async function () {
      const { oracle, calendar, header, priceLines } = await loadFixture(sampleFixture);
      const file = write("some.csv", [header, ...priceLines.slice(0, 120)].join("\n") + "\n");
      const journal = path.join(dir, "j2.json");
      const dry = await pushPrices({ oracle, calendar, prices: file, dryRun: true, journal });
      expect([dry.pushed, dry.transactions]).to.deep.equal([120, 0]);
      expect(fs.existsSync(journal)).to.equal(false);
      const first = await pushPrices({ oracle, calendar, prices: file, journal, batchSize: 50 });
      expect([first.pushed, first.accepted, first.transactions]).to.deep.equal([120, 120, 3]);
      expect(readJournal(journal)!.status).to.equal("completed");
      const second = await pushPrices({ oracle, calendar, prices: file, journal, batchSize: 50 });
      expect([second.pushed, second.skipped, second.transactions]).to.deep.equal([0, 120, 0]);
      const accepted = await oracle.queryFilter(oracle.filters.PriceAccepted());
      expect(accepted).to.have.length(120);
    });

    it("reports a line whose date and asset the chain holds with another value", async function () {
      const { oracle, calendar, header, priceLines } = await loadFixture(sampleFixture);
      const file = write("one.csv", [header, priceLines[0]].join("\n"));
      await pushPrices({ oracle, calendar, prices: file, journal: path.join(dir, "j3.json") });
      const [date, isin] = priceLines[0].split(",");
      const changed = write("changed.csv", [header, `${date},${isin},1.5`].join("\n"));
      const s = await pushPrices({ oracle, calendar, prices: changed, journal: path.join(dir, "j4.json") });
      expect(s.rejected.map((i) => i.message)[0]).to.match(/the chain holds .* the file says 1.5/);
    });

    it("splits a batch that exceeds the gas budget", async function () {
      const { oracle, calendar, header, priceLines } = await loadFixture(sampleFixture);
      const file = write("budget.csv", [header, ...priceLines.slice(0, 40)].join("\n"));
      const s = await pushPrices({ oracle, calendar, prices: file, journal: path.join(dir, "j5.json"), gasBudget: 200_000n });
      expect(s.transactions).to.be.greaterThan(1);
      expect(s.accepted).to.equal(40);
    });
  });

  describe("close of business", function () {
    /** The latest date per calendar of some sample lines. */
    function latestPerCalendar(lines: string[], securities: { isin: string; calendar: string }[]): Map<string, string> {
      const out = new Map<string, string>();
      for (const l of lines) {
        const [date, isin] = l.split(",");
        const cal = securities.find((x) => x.isin === isin)!.calendar;
        if (!out.has(cal) || out.get(cal)! < date) out.set(cal, date);
      }
      return out;
    }

    it("closes each calendar up to its latest pushed date as the last step", async function () {
      const { oracle, calendar, securities, header, priceLines } = await loadFixture(sampleFixture);
      const lines = priceLines.slice(0, 90);
      const file = write("close.csv", [header, ...lines].join("\n") + "\n");
      const s = await pushPrices({ oracle, calendar, prices: file, journal: path.join(dir, "j6.json") });
      const latest = latestPerCalendar(lines, securities);
      for (const [mic, date] of latest) expect(dayToIso(Number(await oracle.lastClosedDate(calendarToBytes4(mic))))).to.equal(date);
      expect(s.closed.every((c) => c.status === "closed")).to.equal(true);
      expect(await oracle.queryFilter(oracle.filters.BusinessDateClosed())).to.have.length(latest.size);
      // The close comes after the last push.
      const pushes = await oracle.queryFilter(oracle.filters.PriceAccepted());
      const closes = await oracle.queryFilter(oracle.filters.BusinessDateClosed());
      expect(Math.min(...closes.map((e) => e.blockNumber))).to.be.greaterThan(Math.max(...pushes.map((e) => e.blockNumber)));
    });

    it("a rerun finds its dates closed and sends nothing", async function () {
      const { oracle, calendar, header, priceLines } = await loadFixture(sampleFixture);
      const file = write("rerun.csv", [header, ...priceLines.slice(0, 30)].join("\n") + "\n");
      const journal = path.join(dir, "j7.json");
      await pushPrices({ oracle, calendar, prices: file, journal });
      const second = await pushPrices({ oracle, calendar, prices: file, journal });
      expect([second.pushed, second.skipped, second.transactions]).to.deep.equal([0, 30, 0]);
      expect(second.closed.every((c) => c.status === "already closed")).to.equal(true);
    });

    it("leaves the dates open with close: false (--no-close) and plans them in a dry run", async function () {
      const { oracle, calendar, header, priceLines } = await loadFixture(sampleFixture);
      const file = write("noclose.csv", [header, ...priceLines.slice(0, 30)].join("\n") + "\n");
      const dry = await pushPrices({ oracle, calendar, prices: file, dryRun: true });
      expect(dry.closed.length).to.be.greaterThan(0);
      expect(dry.closed.every((c) => c.status === "would close")).to.equal(true);
      const s = await pushPrices({ oracle, calendar, prices: file, journal: path.join(dir, "j8.json"), close: false });
      expect(s.accepted).to.equal(30);
      expect(s.closed).to.deep.equal([]);
      expect(await oracle.queryFilter(oracle.filters.BusinessDateClosed())).to.have.length(0);
    });

    it("does not close a date whose value waits in quarantine, and says why", async function () {
      const { oracle, calendar, securities, header, priceLines } = await loadFixture(sampleFixture);
      const bond = securities.find((x) => x.calendar === "XMOS" && x.kind === "bond")!.isin;
      const [first, second] = [...new Set(priceLines.map((l) => l.split(",")[0]))];
      const f1 = write("q1.csv", `${header}\n${first},${bond},1000\n`);
      await pushPrices({ oracle, calendar, prices: f1, journal: path.join(dir, "j9.json") });
      const f2 = write("q2.csv", `${header}\n${second},${bond},1500\n`);
      const s = await pushPrices({ oracle, calendar, prices: f2, journal: path.join(dir, "j10.json") });
      expect(s.quarantined).to.equal(1);
      expect(s.closed).to.have.length(1);
      expect(s.closed[0]).to.include({ calendar: "XMOS", iso: second, status: "refused" });
      expect(s.closed[0].reason).to.match(/^OracleQuarantinePending\(XMOS, \d+, 1\)$/);
      expect(dayToIso(Number(await oracle.lastClosedDate(calendarToBytes4("XMOS"))))).to.equal(first);
    });

    it("rejects a line dated on or before its calendar's last close", async function () {
      const { oracle, calendar, securities, header, actors } = await loadFixture(sampleFixture);
      const bond = securities.find((x) => x.calendar === "XMOS" && x.kind === "bond")!.isin;
      await oracle.connect(actors.oracle1).closeBusinessDate(calendarToBytes4("XMOS"), isoToDay("2026-11-13"));
      const file = write("late.csv", `${header}\n2026-11-12,${bond},1000\n`);
      const s = await pushPrices({ oracle, calendar, prices: file, journal: path.join(dir, "j11.json") });
      expect(s.pushed).to.equal(0);
      expect(s.rejected.map((i) => i.message)).to.deep.equal([`${bond} on 2026-11-12: XMOS is closed until 2026-11-13`]);
    });
  });

  describe("scripts/price-push.ts arguments", function () {
    it("parses flags like the task", function () {
      expect(parseArgs(["--prices", "p.csv", "--batch-size", "50", "--dry-run", "--no-close", "--no-revalue"])).to.deep.equal({
        prices: "p.csv",
        batchSize: 50,
        dryRun: true,
        noClose: true,
        noRevalue: true,
      });
      expect(() => parseArgs(["--bogus"])).to.throw(/unknown argument/);
    });
  });
});
