/**
 * Reading the oracle operator's input files: prices and FX rates (CSV or JSON), calendars (JSON) and the
 * securities list (JSON). Every problem names the file and the line. No contract types here.
 *
 * Formats (see docs/oracle.md):
 * - prices CSV: header `date,isin,price` (any column order); JSON: `[{"date","isin","price"}, …]`;
 * - FX CSV: header `date,base,quote,rate`; JSON: `[{"date","base","quote","rate"}, …]`;
 * - calendars JSON: `{ "XLON": { "name", "weekend": [6, 7], "holidays": { "2026": ["2026-01-01", …] } } }`;
 * - securities JSON: `{ "securities": [{ isin, name, kind, currency, calendar, maxDeviation, maxAgeDays }],
 *   "fxPairs": [{ base, quote, calendar, maxDeviation, maxAgeDays }] }`.
 */
import fs from "node:fs";
import path from "node:path";
import { isoToDay } from "../dates";

/** One record of an input file with where it came from. */
export interface SourceRecord {
  file: string;
  line: number;
  fields: Record<string, string>;
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

/** Splits one CSV line (RFC 4180 quotes supported). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** Line numbers (1-based) where each top-level element of a JSON array starts. */
function jsonElementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let inString = false;
  let line = 1;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (depth === 1 && expectElement && c !== "]") {
      lines.push(line);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) expectElement = true;
  }
  return lines;
}

/**
 * Reads a CSV or JSON table whose records must carry `columns`; header or structure problems throw,
 * per-record problems are left to the caller.
 */
export function readTable(file: string, columns: string[]): SourceRecord[] {
  const display = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) throw new Error(`${display}: file not found`);
  const text = fs.readFileSync(file, "utf8");
  if (file.toLowerCase().endsWith(".json")) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new Error(`${display}: not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(data)) throw new Error(`${display}: expected a JSON array of records`);
    const lines = jsonElementLines(text);
    return data.map((rec, i) => {
      const fields: Record<string, string> = {};
      if (rec && typeof rec === "object") for (const [k, v] of Object.entries(rec)) fields[k.toLowerCase()] = v === null ? "" : String(v);
      return { file: display, line: lines[i] ?? i + 1, fields };
    });
  }
  const rows = text.split(/\r?\n/);
  const header = splitCsv(rows[0] ?? "").map((h) => h.toLowerCase());
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`${display}:1: header lacks column(s) ${missing.join(", ")} (expected ${columns.join(",")})`);
  const out: SourceRecord[] = [];
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].trim() === "" || rows[i].trimStart().startsWith("#")) continue;
    const cells = splitCsv(rows[i]);
    const fields: Record<string, string> = {};
    header.forEach((h, j) => (fields[h] = cells[j] ?? ""));
    if (cells.length !== header.length) fields.__shape = `${cells.length} fields, header has ${header.length}`;
    out.push({ file: display, line: i + 1, fields });
  }
  return out;
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
