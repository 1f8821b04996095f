import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ltvChartSvg } from "../../lib/chart";
import type { HistoryRow } from "../../lib/repo";
import { activeFixture, pushEquity, WAD } from "../repo/fixtures";

const CORRIDOR = { lowerTrigger: "0.75", upperTrigger: "0.85" };

function revalued(date: string, ltv: string, action = "None", over: Partial<HistoryRow> = {}): HistoryRow {
  return { date, event: "revalued", ltv, action, callCash: "0.00", callQuantity: "0", block: 1, tx: "0x01", ...CORRIDOR, ...over };
}

/** Five revaluations (a borrower call, a lender return), two skipped dates. */
const ROWS: HistoryRow[] = [
  revalued("2026-11-09", "0.80"),
  revalued("2026-11-10", "0.88", "BorrowerCall", { callCash: "30000.00", callQuantity: "33" }),
  { date: "2026-11-11", event: "skipped", note: "Holiday", block: 2, tx: "0x02" },
  revalued("2026-11-12", "0.79"),
  revalued("2026-11-13", "0.70", "LenderReturn", { callCash: "70000.00", callQuantity: "80" }),
  { date: "2026-11-16", event: "skipped", note: "NoPrice", block: 3, tx: "0x03" },
  revalued("2026-11-17", "0.81"),
];

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe("ltvChartSvg", function () {
  const svg = ltvChartSvg(ROWS, { title: "Deal 1", initialLtv: 0.8 });

  it("is one standalone SVG document", function () {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
    expect(count(svg, /<svg /g)).to.equal(1);
    expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
  });

  it("draws one LTV point per revaluation, on one line through all of them", function () {
    const points = count(svg, /<circle class="point"/g) + count(svg, /<path class="call /g);
    expect(points).to.equal(5);
    const line = svg.match(/<polyline class="ltv" points="([^"]+)"/)!;
    expect(line[1].split(" ")).to.have.length(5);
  });

  it("marks each margin call with its side's class", function () {
    expect(count(svg, /class="call BorrowerCall"/g)).to.equal(1);
    expect(count(svg, /class="call LenderReturn"/g)).to.equal(1);
    expect(svg).to.match(/class="call BorrowerCall"[^>]*fill="#c0392b"><title>2026-11-10: LTV 88\.0%, BorrowerCall 30000\.00 \/ 33 units/);
  });

  it("draws the corridor band and the lower, upper and initial LTV lines", function () {
    expect(count(svg, /<rect class="corridor"/g)).to.equal(1);
    expect(count(svg, /<line class="level"/g)).to.equal(3);
    for (const label of ["upper trigger 85.0%", "lower trigger 75.0%", "initial LTV 80.0%"]) expect(svg).to.contain(label);
  });

  it("puts a borrower call above the upper line and a lender return below the lower line", function () {
    const [upper, lower] = [...svg.matchAll(/<line class="level"[^>]*y1="([\d.]+)"/g)].map((m) => Number(m[1]));
    const markerY = (cls: string) => Number(svg.match(new RegExp(`class="call ${cls}" d="M [\\d.]+ ([\\d.]+)`))![1]) + 9;
    expect(markerY("BorrowerCall")).to.be.lessThan(upper);
    expect(markerY("LenderReturn")).to.be.greaterThan(lower);
  });

  it("ticks each skipped date with its reason", function () {
    expect(count(svg, /<line class="skip"/g)).to.equal(2);
    expect(svg).to.contain("<title>2026-11-11: skipped (Holiday)</title>");
    expect(svg).to.contain("<title>2026-11-16: skipped (NoPrice)</title>");
  });

  it("escapes the text it prints", function () {
    const odd = ltvChartSvg(
      [{ date: "2026-11-11", event: "skipped", note: `<b>"x" & y</b>`, block: 1, tx: "0x" }, revalued("2026-11-12", "0.8")],
      {
        title: `Deal <1> & "2"`,
        initialLtv: 0.8,
      },
    );
    expect(odd).to.contain("Deal &lt;1&gt; &amp; &quot;2&quot;");
    expect(odd).to.contain("skipped (&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;)");
    expect(odd).not.to.contain("<b>");
  });

  it("draws an empty history as axes and corridor without a line", function () {
    const empty = ltvChartSvg([], { title: "none", initialLtv: 0.8 });
    expect(empty).not.to.contain("<polyline");
    expect(count(empty, /<line class="level"/g)).to.equal(3);
  });
});

describe("repo:history --csv --chart", function () {
  it("writes the CSV history and the SVG chart of a deal with a margin call", async function () {
    const f = await loadFixture(activeFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    await pushEquity(f, f.days[4], 250n * WAD);
    await (await f.book.revalue([f.id], f.days[4])).wait();
    await pushEquity(f, f.days[5], 200n * WAD);
    await (await f.book.revalue([f.id], f.days[5])).wait();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repo-chart-"));
    const csv = path.join(dir, "history.csv");
    const chart = path.join(dir, "ltv.svg");
    const log = console.log;
    const lines: string[] = [];
    console.log = (...a: unknown[]) => lines.push(a.join(" "));
    try {
      await hre.run("repo:history", { id: f.id.toString(), csv, chart, json: true });
    } finally {
      console.log = log;
    }
    expect(JSON.parse(lines.join("\n"))).to.include({ file: csv, chart, rows: 2 });
    const rows = fs.readFileSync(csv, "utf8").trim().split("\n");
    expect(rows).to.have.length(3);
    expect(rows[2]).to.contain("BorrowerCall");
    const svg = fs.readFileSync(chart, "utf8");
    expect(svg).to.contain(`Repo deal ${f.id}: LTV against its corridor`);
    expect(count(svg, /<circle class="point"/g)).to.equal(1);
    expect(count(svg, /class="call BorrowerCall"/g)).to.equal(1);
    expect(svg).to.contain("initial LTV 80.0%");
  });
});
