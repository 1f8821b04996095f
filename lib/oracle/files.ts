/**
 * Reading the oracle operator's input files: prices and FX rates (CSV or JSON), calendars (JSON) and the
 * securities list (JSON). Every problem names the file and the line. No contract types here.
 *
 * Formats (see docs/oracle.md):
 * - prices CSV: header `date,isin,price` (any column order); JSON: `[{"date","isin","price"}, …]`;
 * - FX CSV: header `date,base,quote,rate`; JSON: `[{"date","base","quote","rate"}, …]`;
 *   in JSON, dates and codes are strings and a price or rate a number or a decimal string;
 * - price and FX tables are streamed (csv-parse, stream-json), so memory does not grow with the file;
 * - calendars JSON: `{ "XLON": { "name", "weekend": [6, 7], "holidays": { "2026": ["2026-01-01", …] } } }`;
 * - securities JSON: `{ "securities": [{ isin, name, kind, currency, calendar, maxDeviation, maxAgeDays }],
 *   "fxPairs": [{ base, quote, calendar, maxDeviation, maxAgeDays }] }`.
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse";
import streamJson from "stream-json";
import { none } from "stream-chain";
import { isoToDay } from "../core/dates";

/** One record of an input file with where it came from. */
export interface SourceRecord {
  file: string;
  /** Line (1-based) where the record starts. */
  line: number;
  /** The record's fields by lower-case name, each as the text given (JSON numbers as written). */
  fields: Record<string, string>;
  /** Why the record cannot be read as one (wrong shape, wrong JSON type); `fields` is then partial. */
  problem?: string;
}

/** A problem with one line of an input file. */
export interface LineIssue {
  file: string;
  line: number;
  message: string;
}

export function formatIssue(i: LineIssue): string {
  return `${i.file}:${i.line}: ${i.message}`;
}

/** What a table's records must carry: text columns and columns that may also be JSON numbers. */
export interface TableShape {
  columns: string[];
  numeric: string[];
}

export const PRICE_TABLE: TableShape = { columns: ["date", "isin", "price"], numeric: ["price"] };
export const FX_TABLE: TableShape = { columns: ["date", "base", "quote", "rate"], numeric: ["rate"] };

export function displayPath(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/**
 * Streams the records of a CSV or JSON table (`.json`: an array of objects) without holding the file in
 * memory. Header and JSON syntax problems throw with file and line; per-record problems are returned in
 * `problem` for the caller to report.
 */
export async function* readRecords(file: string, shape: TableShape): AsyncGenerator<SourceRecord> {
  const display = displayPath(file);
  if (!fs.existsSync(file)) throw new Error(`${display}: file not found`);
  if (file.toLowerCase().endsWith(".json")) yield* readJsonRecords(file, display, shape);
  else yield* readCsvRecords(file, display, shape);
}

/** All records of a table (small files, tests). */
export async function readTable(file: string, shape: TableShape): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of readRecords(file, shape)) out.push(r);
  return out;
}

async function* readCsvRecords(file: string, display: string, shape: TableShape): AsyncGenerator<SourceRecord> {
  const parser = fs.createReadStream(file).pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      comment: "#",
      comment_no_infix: true,
      relax_column_count: true,
      info: true,
    }),
  );
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!header) {
        header = record.map((h) => h.toLowerCase());
        const missing = shape.columns.filter((c) => !header!.includes(c));
        if (missing.length > 0)
          throw new Error(`${display}:${line}: header lacks column(s) ${missing.join(", ")} (expected ${shape.columns.join(",")})`);
        continue;
      }
      const fields: Record<string, string> = {};
      header.forEach((h, j) => (fields[h] = record[j] ?? ""));
      const problem = record.length !== header.length ? `malformed line: ${record.length} fields, header has ${header.length}` : undefined;
      yield { file: display, line, fields, problem };
    }
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    if (e.code?.startsWith("CSV_")) throw new Error(`${display}:${e.lines ?? "?"}: not valid CSV (${e.message})`);
    throw err;
  } finally {
    parser.destroy();
  }
  if (!header) throw new Error(`${display}: empty file, expected a header ${shape.columns.join(",")}`);
}

/** A JSON number kept as written, so a price is never rounded through a float. */
class JsonNumber {
  constructor(readonly text: string) {}
}

type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [k: string]: JsonValue };

function describe(v: JsonValue | undefined): string {
  if (v === null) return "null";
  if (v instanceof JsonNumber) return `a number (${v.text})`;
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  return `a ${typeof v} (${String(v)})`;
}

/** Checks one JSON array element against the table's shape: strict types, honest messages. */
function jsonRecord(value: JsonValue, display: string, line: number, shape: TableShape): SourceRecord {
  const expected = `an object with ${shape.columns.join(", ")}`;
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof JsonNumber) {
    return { file: display, line, fields: {}, problem: `record is ${describe(value)}, expected ${expected}` };
  }
  const fields: Record<string, string> = {};
  const problems: string[] = [];
  const given = new Map<string, JsonValue>();
  for (const [k, v] of Object.entries(value)) given.set(k.toLowerCase(), v);
  for (const c of shape.columns) {
    if (!given.has(c)) {
      problems.push(`field "${c}" is missing`);
      continue;
    }
    const v = given.get(c)!;
    if (typeof v === "string") fields[c] = v;
    else if (v instanceof JsonNumber && shape.numeric.includes(c)) fields[c] = v.text;
    else
      problems.push(`field "${c}" is ${describe(v)}, expected ${shape.numeric.includes(c) ? "a number or a decimal string" : "a string"}`);
  }
  return { file: display, line, fields, problem: problems.length > 0 ? problems.join("; ") : undefined };
}

async function* readJsonRecords(file: string, display: string, shape: TableShape): AsyncGenerator<SourceRecord> {
  const tokens = streamJson.parser({ packValues: true, streamValues: false });
  // Assembly state: the stack of open containers; depth 1 is the top-level array.
  const stack: { value: JsonValue[] | Record<string, JsonValue>; key?: string }[] = [];
  let started = false;
  let ended = false;
  let elementLine = 0;
  let line = 1;
  const ready: SourceRecord[] = [];
  const add = (v: JsonValue, tokenLine: number) => {
    if (stack.length === 1) {
      // A scalar element of the top-level array: complete at once.
      ready.push(jsonRecord(v, display, tokenLine, shape));
      return;
    }
    const top = stack[stack.length - 1];
    if (Array.isArray(top.value)) top.value.push(v);
    else top.value[top.key!] = v;
  };
  const onToken = (t: { name: string; value?: unknown }) => {
    if (!started) {
      if (t.name !== "startArray") throw new Error(`${display}:${line}: expected a JSON array of records`);
      started = true;
      stack.push({ value: [] });
      return;
    }
    if (ended) throw new Error(`${display}:${line}: unexpected data after the array`);
    switch (t.name) {
      case "startObject":
      case "startArray":
        if (stack.length === 1) elementLine = line;
        stack.push({ value: t.name === "startObject" ? {} : [] });
        return;
      case "endObject":
      case "endArray": {
        const done = stack.pop()!;
        if (stack.length === 0) {
          ended = true;
          return;
        }
        if (stack.length === 1) ready.push(jsonRecord(done.value, display, elementLine, shape));
        else add(done.value, line);
        return;
      }
      case "keyValue":
        stack[stack.length - 1].key = String(t.value);
        return;
      case "stringValue":
        return add(String(t.value), line);
      case "numberValue":
        return add(new JsonNumber(String(t.value)), line);
      case "nullValue":
        return add(null, line);
      case "trueValue":
        return add(true, line);
      case "falseValue":
        return add(false, line);
    }
  };
  const feed = async (text: string | typeof none) => {
    try {
      const out = tokens(text as string);
      if (out && typeof (out as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
        for await (const t of out as AsyncIterable<{ name: string; value?: unknown }>) onToken(t);
      }
    } catch (err) {
      const m = (err as Error).message;
      if (m.startsWith(display)) throw err;
      throw new Error(`${display}:${line}: not valid JSON (${m})`);
    }
  };
  const stream = fs.createReadStream(file, { encoding: "utf8", highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      // Feed line by line so every token is known to come from the current line.
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf("\n", from);
        if (nl < 0) {
          if (from < chunk.length) await feed(chunk.slice(from));
          break;
        }
        await feed(chunk.slice(from, nl + 1));
        line++;
        from = nl + 1;
        while (ready.length > 0) yield ready.shift()!;
      }
      while (ready.length > 0) yield ready.shift()!;
    }
    await feed(none);
  } finally {
    stream.destroy();
  }
  while (ready.length > 0) yield ready.shift()!;
  if (!started) throw new Error(`${display}: expected a JSON array of records, the file is empty`);
  if (!ended) throw new Error(`${display}:${line}: the JSON array is not closed`);
}

export interface CalendarSpec {
  id: string;
  name: string;
  weekend: number[];
  /** Year → holiday day numbers, ascending. */
  holidays: Map<number, number[]>;
}

/** Reads a calendars JSON file; throws with the calendar and date at fault. */
export function readCalendars(file: string): CalendarSpec[] {
  const display = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) throw new Error(`${display}: file not found`);
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as Record<
    string,
    { name?: string; weekend?: number[]; holidays?: Record<string, string[]> }
  >;
  return Object.entries(data).map(([id, c]) => {
    if (!/^[A-Z0-9]{4}$/.test(id)) throw new Error(`${display}: calendar id "${id}" is not four upper-case letters or digits`);
    const holidays = new Map<number, number[]>();
    for (const [y, days] of Object.entries(c.holidays ?? {})) {
      const year = Number(y);
      if (!Number.isInteger(year) || year < 1970 || year > 9999) throw new Error(`${display}: ${id}: "${y}" is not a year`);
      const nums = days.map((d) => {
        let n: number;
        try {
          n = isoToDay(d);
        } catch {
          throw new Error(`${display}: ${id} ${y}: "${d}" is not a date (YYYY-MM-DD)`);
        }
        if (!d.startsWith(`${y}-`)) throw new Error(`${display}: ${id} ${y}: ${d} is not in ${y}`);
        return n;
      });
      holidays.set(
        year,
        [...new Set(nums)].sort((a, b) => a - b),
      );
    }
    return { id, name: c.name ?? id, weekend: c.weekend ?? [6, 7], holidays };
  });
}

export interface SecuritySpec {
  isin: string;
  name: string;
  kind: string;
  currency: string;
  calendar: string;
  maxDeviation: string;
  maxAgeDays: number;
  bond?: Record<string, unknown>;
}

export interface FxPairSpec {
  base: string;
  quote: string;
  calendar?: string;
  maxDeviation: string;
  maxAgeDays: number;
}

export function readSecurities(file: string): { securities: SecuritySpec[]; fxPairs: FxPairSpec[] } {
  const display = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) throw new Error(`${display}: file not found`);
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as { securities?: SecuritySpec[]; fxPairs?: FxPairSpec[] };
  return { securities: data.securities ?? [], fxPairs: data.fxPairs ?? [] };
}
