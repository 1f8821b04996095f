import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ltvChartOption, ltvChartSvg } from "../../lib/repo/chart";
import type { HistoryRow } from "../../lib/repo";
import { parseXml, type XmlElement } from "../helpers/xml";
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

const LTV = "#1b3a5c";
const LEVEL = "#4a7fb5";
const CORRIDOR_FILL = "#e8f1fb";
const SKIPPED = "#999999";
const BORROWER_CALL = "#c0392b";
const LENDER_RETURN = "#27ae60";

/** Where the renderer put an element: the translation of its transform, "translate(x y)" or "matrix(a,b,c,d,x,y)". */
function origin(el: XmlElement): [number, number] {
  const t = el.attrs.transform ?? "";
  const n = (t.match(/-?[\d.]+/g) ?? []).map(Number);
  if (t.startsWith("translate")) return [n[0], n[1]];
  if (t.startsWith("matrix")) return [n[4], n[5]];
  throw new Error(`no position in ${JSON.stringify(el.attrs)}`);
}

/** The points of a path made of straight segments ("M x y L x y ..."). */
const pathPoints = (d: string) => [...d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

/** The y of a horizontal line, the x of a vertical one. */
const levelY = (el: XmlElement) => pathPoints(el.attrs.d)[0][1];
const lineX = (el: XmlElement) => pathPoints(el.attrs.d)[0][0];

function chartOf(svg: string) {
  const els = parseXml(svg);
  const texts = els.filter((e) => e.name === "text");
  const text = (s: string) => {
    const found = texts.filter((e) => e.text === s);
    if (found.length !== 1) throw new Error(`${found.length} texts "${s}"`);
    return found[0];
  };
  const plotted = els.filter((e) => e.attrs.ecmeta_ssr_type === "chart");
  return {
    els,
    texts,
    text,
    /** The LTV line: the one unfilled path in the LTV colour drawn inside the plot's clip path. */
    ltvLines: els.filter((e) => e.name === "path" && e.attrs.stroke === LTV && e.attrs.fill === "none" && e.parent?.attrs["clip-path"]),
    ltvPoints: plotted.filter((e) => e.name === "path" && e.attrs.fill === LTV),
    levels: plotted.filter((e) => e.name === "path" && e.attrs.stroke === LEVEL),
    corridor: plotted.filter((e) => e.attrs.fill === CORRIDOR_FILL),
    skipLines: plotted.filter((e) => e.name === "path" && e.attrs.stroke === SKIPPED),
    markers: (colour: string) => plotted.filter((e) => e.name === "path" && e.attrs.fill === colour && e.attrs.stroke === undefined),
    /** x of a date's label on the x axis, y of a percent's label on the y axis. */
    dateX: (iso: string) => origin(text(iso))[0],
    pctY: (pct: string) => origin(text(pct))[1],
  };
}

const near = (a: number, b: number) => expect(a).to.be.closeTo(b, 1);

describe("parseXml (test helper)", function () {
  it("reads a well-formed document's elements, attributes and decoded text", function () {
    const els = parseXml(`<?xml version="1.0"?><a x="1 &amp; 2"><b/><c>&lt;d&gt;</c><!-- note --></a>`);
    expect(els.map((e) => e.name)).to.deep.equal(["a", "b", "c"]);
    expect(els[0].attrs.x).to.equal("1 & 2");
    expect(els[2].text).to.equal("<d>");
  });

  it("rejects tags that do not nest, a bare ampersand, an unquoted attribute and a second root", function () {
    for (const bad of ["<a><b></a></b>", "<a>x & y</a>", "<a x=1></a>", "<a></a><a></a>", "<a>", "<a x='1' x='2'/>"]) {
      expect(() => parseXml(bad), bad).to.throw();
    }
  });
});

describe("ltvChartSvg", function () {
  const svg = ltvChartSvg(ROWS, { title: "Deal 1", initialLtv: 0.8 });
  const c = chartOf(svg);

  it("is one well-formed SVG document of a fixed size", function () {
    const root = c.els[0];
    expect(root.name).to.equal("svg");
    expect(root.attrs).to.include({ xmlns: "http://www.w3.org/2000/svg", width: "900", height: "420", viewBox: "0 0 900 420" });
  });

  it("takes the size it is given", function () {
    const root = parseXml(ltvChartSvg(ROWS, { title: "Deal 1", initialLtv: 0.8, width: 640, height: 300 }))[0];
    expect(root.attrs).to.include({ width: "640", height: "300" });
  });

  it("gives the same bytes for the same history, however many charts were drawn before", function () {
    ltvChartSvg(ROWS.slice(0, 2), { title: "another deal", initialLtv: 0.7 });
    expect(ltvChartSvg(ROWS, { title: "Deal 1", initialLtv: 0.8 })).to.equal(svg);
  });

  it("prints the title", function () {
    expect(c.text("Deal 1").attrs.style).to.contain("font-weight:bold");
  });

  it("explains the marks in a legend", function () {
    for (const entry of ["LTV", "margin call on the borrower", "collateral returned by the lender", "skipped date"]) c.text(entry);
  });

  it("draws the LTV line through one point per revaluation", function () {
    expect(c.ltvLines).to.have.length(1);
    expect(pathPoints(c.ltvLines[0].attrs.d)).to.have.length(5);
    expect(c.ltvPoints).to.have.length(5);
  });

  it("labels the x axis with every date from the first to the last, skipped dates and weekends included", function () {
    const dates = c.texts.map((t) => t.text).filter((s) => /^\d{4}-\d\d-\d\d$/.test(s));
    expect(dates).to.deep.equal([
      "2026-11-09",
      "2026-11-10",
      "2026-11-11",
      "2026-11-12",
      "2026-11-13",
      "2026-11-14",
      "2026-11-15",
      "2026-11-16",
      "2026-11-17",
    ]);
  });

  it("labels the y axis in percent, in steps of 5 % around the corridor and every LTV", function () {
    const pcts = c.texts.map((t) => t.text).filter((s) => /^\d+\.\d%$/.test(s));
    expect(pcts).to.deep.equal(["65.0%", "70.0%", "75.0%", "80.0%", "85.0%", "90.0%"]);
  });

  it("places each revaluation's point at its date and its LTV", function () {
    const y = (ltv: number) => c.pctY("65.0%") + ((ltv - 0.65) / 0.25) * (c.pctY("90.0%") - c.pctY("65.0%"));
    const points = c.ltvPoints.map(origin);
    ROWS.filter((r) => r.event === "revalued").forEach((r, i) => {
      near(points[i][0], c.dateX(r.date));
      near(points[i][1], y(Number(r.ltv)));
    });
  });

  it("draws the upper and lower triggers as solid lines and the initial LTV as a dashed one, each labelled", function () {
    expect(c.levels).to.have.length(3);
    const [upper, lower, initial] = c.levels;
    near(levelY(upper), c.pctY("85.0%"));
    near(levelY(lower), c.pctY("75.0%"));
    near(levelY(initial), c.pctY("80.0%"));
    expect([upper, lower, initial].map((l) => l.attrs["stroke-dasharray"])).to.deep.equal([undefined, undefined, "4,2"]);
    for (const label of ["upper trigger 85.0%", "lower trigger 75.0%", "initial LTV 80.0%"])
      expect(c.text(label).attrs.fill).to.equal(LEVEL);
  });

  it("shades the corridor between the lower and upper triggers", function () {
    expect(c.corridor).to.have.length(1);
    const ys = (c.corridor[0].attrs.points.match(/-?[\d.]+/g) ?? []).map(Number).filter((_, i) => i % 2 === 1);
    near(Math.max(...ys), c.pctY("75.0%"));
    near(Math.min(...ys), c.pctY("85.0%"));
  });

  it("marks a borrower call above the upper trigger and a lender return below the lower trigger, at their dates", function () {
    const [call] = c.markers(BORROWER_CALL).map(origin);
    const [ret] = c.markers(LENDER_RETURN).map(origin);
    expect(c.markers(BORROWER_CALL)).to.have.length(1);
    expect(c.markers(LENDER_RETURN)).to.have.length(1);
    near(call[0], c.dateX("2026-11-10"));
    expect(call[1]).to.be.lessThan(c.pctY("85.0%"));
    near(ret[0], c.dateX("2026-11-13"));
    expect(ret[1]).to.be.greaterThan(c.pctY("75.0%"));
  });

  it("prints each margin call's cash amount next to it in its side's colour", function () {
    expect(c.text("30000.00").attrs.fill).to.equal(BORROWER_CALL);
    expect(c.text("70000.00").attrs.fill).to.equal(LENDER_RETURN);
  });

  it("draws each skipped date as a dotted line at its date, labelled with the reason", function () {
    expect(c.skipLines).to.have.length(2);
    near(lineX(c.skipLines[0]), c.dateX("2026-11-11"));
    near(lineX(c.skipLines[1]), c.dateX("2026-11-16"));
    expect(c.skipLines.every((l) => l.attrs["stroke-dasharray"] !== undefined)).to.equal(true);
    near(origin(c.text("Holiday"))[0], c.dateX("2026-11-11"));
    near(origin(c.text("NoPrice"))[0], c.dateX("2026-11-16"));
  });

  it("escapes the text it prints", function () {
    const odd = ltvChartSvg(
      [{ date: "2026-11-11", event: "skipped", note: `<b>"x" & y</b>`, block: 1, tx: "0x" }, revalued("2026-11-12", "0.8")],
      { title: `Deal <1> & "2"`, initialLtv: 0.8 },
    );
    const o = chartOf(odd);
    o.text(`Deal <1> & "2"`);
    o.text(`<b>"x" & y</b>`);
    expect(o.els.some((e) => e.name === "b")).to.equal(false);
  });

  it("draws an empty history as the corridor and its lines, without an LTV line or dates", function () {
    const e = chartOf(ltvChartSvg([], { title: "none", initialLtv: 0.8 }));
    expect(e.ltvLines.every((l) => l.attrs.d === "")).to.equal(true);
    expect(e.ltvPoints).to.have.length(0);
    expect(e.levels).to.have.length(3);
    expect(e.corridor).to.have.length(1);
    expect(e.texts.some((t) => /^\d{4}-\d\d-\d\d$/.test(t.text))).to.equal(false);
  });
});

describe("ltvChartOption", function () {
  it("gives a browser the whole call on hover: date, LTV, side, cash and quantity", function () {
    const option = ltvChartOption(ROWS, { title: "Deal 1", initialLtv: 0.8 });
    const series = option.series as { name: string; data: unknown[]; tooltip: { formatter: (p: { data: unknown }) => string } }[];
    const calls = series.find((s) => s.name === "margin call on the borrower")!;
    expect(calls.tooltip.formatter({ data: calls.data[0] })).to.equal("2026-11-10: LTV 88.0%, BorrowerCall 30000.00 / 33 units");
  });

  it("gives a browser a skipped date's reason on hover", function () {
    const option = ltvChartOption(ROWS, { title: "Deal 1", initialLtv: 0.8 });
    const series = option.series as { name: string; markLine?: { tooltip: { formatter: (p: { dataIndex: number }) => string } } }[];
    const skipped = series.find((s) => s.name === "skipped date")!;
    expect(skipped.markLine!.tooltip.formatter({ dataIndex: 1 })).to.equal("2026-11-16: skipped (NoPrice)");
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
    const c = chartOf(fs.readFileSync(chart, "utf8"));
    c.text(`Repo deal ${f.id}: LTV against its corridor`);
    c.text("initial LTV 80.0%");
    expect(c.ltvPoints).to.have.length(2);
    expect(c.markers(BORROWER_CALL)).to.have.length(1);
  });
});
