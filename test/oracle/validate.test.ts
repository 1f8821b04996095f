import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isoToDay } from "../../lib/core/dates";
import { BusinessCalendar } from "../../lib/oracle/calendar-model";
import { formatIssue, PRICE_TABLE, readTable } from "../../lib/oracle/files";
import { assetFeedId, fxFeedId } from "../../lib/oracle/ids";
import { FeedInfo, validateFiles, ValidationContext, ValidValue } from "../../lib/oracle/validate";

const ISIN = "RU000A0JX0J2";
const OTHER = "US0378331005";

/** A context with one registered security (no calendar) and the USD/RUB pair; today is 2026-12-31. */
function context(): ValidationContext {
  const feeds = new Map<string, FeedInfo>([
    [assetFeedId(ISIN).toLowerCase(), { kind: "Security", calendar: "" }],
    [fxFeedId("USD", "RUB").toLowerCase(), { kind: "FxPair", calendar: "" }],
  ]);
  return {
    today: isoToDay("2026-12-31"),
    feed: async (id) => feeds.get(id.toLowerCase()) ?? { kind: "None", calendar: "" },
    calendar: async () => undefined as BusinessCalendar | undefined,
  };
}

describe("price file validation (lib/oracle/validate, lib/oracle/files)", function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "validate-"));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, text: string): string {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  }

  async function validate(files: { prices?: string; fx?: string }) {
    const values: ValidValue[] = [];
    const r = await validateFiles(files, context(), (v) => values.push(v));
    return { ...r, values, messages: r.issues.map(formatIssue) };
  }

  it("hands over every valid CSV value with its line", async function () {
    const f = write("ok.csv", `date,isin,price\n2026-11-13,${ISIN},101.25\n# a comment\n\n2026-11-16,${ISIN},"102"\n`);
    const r = await validate({ prices: f });
    expect(r.messages).to.deep.equal([]);
    expect(r.values.map((v) => [v.date, v.price, v.line])).to.deep.equal([
      [isoToDay("2026-11-13"), 101250000000000000000n, 2],
      [isoToDay("2026-11-16"), 102000000000000000000n, 5],
    ]);
    expect([r.lines, r.valid]).to.deep.equal([2, 2]);
  });

  it("names every bad CSV line with file, line and reason", async function () {
    const f = write(
      "bad.csv",
      [
        "date,isin,price",
        `2026-11-13,${ISIN},1`,
        `2026-11-13,${ISIN},2`,
        `2026-11-14,RU000A0JX0J3,1`,
        `2026-11-14,${OTHER},1`,
        `2026-11-14,${ISIN},0`,
        `2099-01-01,${ISIN},1`,
        `2026-02-30,${ISIN},1`,
        `2026-11-15,${ISIN}`,
        `2026-11-13,${ISIN},3`,
      ].join("\n"),
    );
    const rel = path.relative(process.cwd(), f);
    const r = await validate({ prices: f });
    expect(r.messages).to.deep.equal([
      `${rel}:3: duplicate: ${ISIN} on 2026-11-13 already given at ${rel}:2`,
      `${rel}:4: malformed ISIN: "RU000A0JX0J3" has check digit 3, expected 2`,
      `${rel}:5: unknown asset ${OTHER}: not registered with the oracle (oracle:configure)`,
      `${rel}:6: price "0" is not a positive number (at most 18 decimals)`,
      `${rel}:7: future date 2099-01-01: the chain's today is 2026-12-31`,
      `${rel}:8: date "2026-02-30" is not a date (YYYY-MM-DD)`,
      `${rel}:9: malformed line: 2 fields, header has 3`,
      `${rel}:10: duplicate: ${ISIN} on 2026-11-13 already given at ${rel}:2`,
    ]);
    expect(r.values.map((v) => v.line)).to.deep.equal([2]);
  });

  it("refuses a CSV header without the required columns", async function () {
    const f = write("header.csv", `date,isin,value\n2026-11-13,${ISIN},1\n`);
    await validateFiles({ prices: f }, context()).then(
      () => expect.fail("accepted"),
      (e: Error) =>
        expect(e.message).to.equal(`${path.relative(process.cwd(), f)}:1: header lacks column(s) price (expected date,isin,price)`),
    );
  });

  it("reads JSON numbers exactly as written and refuses other JSON types by name", async function () {
    const f = write(
      "types.json",
      [
        "[",
        `  {"date": "2026-11-13", "isin": "${ISIN}", "price": 0.123456789012345678},`,
        `  {"date": "2026-11-16", "isin": "${ISIN}", "price": [100]},`,
        "  null,",
        `  {"date": "2026-11-17", "isin": "${ISIN}", "price": 1e2},`,
        `  {"date": "2026-11-18", "isin": "${ISIN}", "price": {"value": 1}},`,
        `  {"date": "2026-11-18", "isin": 7, "price": "1"}, 5, "x",`,
        `  {"Date": "2026-11-19", "ISIN": "${ISIN}"}`,
        "]",
      ].join("\n"),
    );
    const rel = path.relative(process.cwd(), f);
    const r = await validate({ prices: f });
    expect(r.values.map((v) => v.price)).to.deep.equal([123456789012345678n]);
    expect(r.messages).to.deep.equal([
      `${rel}:3: field "price" is an array, expected a number or a decimal string`,
      `${rel}:4: record is null, expected an object with date, isin, price`,
      `${rel}:5: price "1e2" is not a positive number (at most 18 decimals)`,
      `${rel}:6: field "price" is an object, expected a number or a decimal string`,
      `${rel}:7: field "isin" is a number (7), expected a string`,
      `${rel}:7: record is a number (5), expected an object with date, isin, price`,
      `${rel}:7: record is a string, expected an object with date, isin, price`,
      `${rel}:8: field "price" is missing`,
    ]);
  });

  it("names the line of broken JSON and refuses a top level that is not an array", async function () {
    const broken = write(
      "broken.json",
      `[\n  {"date": "2026-11-13", "isin": "${ISIN}", "price": 1},\n  {"date": "2026-11-16" "isin"}\n]\n`,
    );
    const notArray = write("object.json", `{"date": "2026-11-13"}`);
    await readTable(broken, PRICE_TABLE).then(
      () => expect.fail("accepted"),
      (e: Error) => expect(e.message).to.match(new RegExp(`^${path.relative(process.cwd(), broken)}:3: not valid JSON`)),
    );
    await readTable(notArray, PRICE_TABLE).then(
      () => expect.fail("accepted"),
      (e: Error) => expect(e.message).to.equal(`${path.relative(process.cwd(), notArray)}:1: expected a JSON array of records`),
    );
  });

  it("checks FX pairs and finds duplicates across lines of the FX file", async function () {
    const f = write(
      "fx.csv",
      "date,base,quote,rate\n2026-11-13,USD,RUB,90.5\n2026-11-13,USD,USD,1\n2026-11-13,GBP,RUB,110\n2026-11-13,USD,RUB,91\n",
    );
    const rel = path.relative(process.cwd(), f);
    const r = await validate({ fx: f });
    expect(r.messages).to.deep.equal([
      `${rel}:3: FX pair "USD/USD" is not two different ISO 4217 codes`,
      `${rel}:4: FX pair GBP/RUB unknown: not registered with the oracle (oracle:configure)`,
      `${rel}:5: duplicate: USD/RUB on 2026-11-13 already given at ${rel}:2`,
    ]);
    expect(r.values).to.have.length(1);
  });

  it("checks business days against the feed's calendar", async function () {
    const ctx = context();
    const feed = ctx.feed;
    ctx.feed = async (id) => ({ ...(await feed(id)), calendar: "XMOS" });
    const cal = BusinessCalendar.fromSpec({
      id: "XMOS",
      name: "XMOS",
      weekend: [6, 7],
      holidays: new Map([[2026, [isoToDay("2026-11-04")]]]),
    });
    ctx.calendar = async () => cal;
    const f = write("cal.csv", `date,isin,price\n2026-11-04,${ISIN},1\n2026-11-07,${ISIN},1\n2026-11-05,${ISIN},1\n2025-11-05,${ISIN},1\n`);
    const rel = path.relative(process.cwd(), f);
    const r = await validateFiles({ prices: f }, ctx);
    expect(r.issues.map(formatIssue)).to.deep.equal([
      `${rel}:2: non-business day: 2026-11-04 is a holiday of XMOS`,
      `${rel}:3: non-business day: 2026-11-07 is a weekend day of XMOS`,
      `${rel}:5: calendar XMOS has no holidays loaded for 2025 (calendar:load or --calendar)`,
    ]);
    expect(r.valid).to.equal(1);
  });
});
