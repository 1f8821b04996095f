/**
 * Vector files (test/vectors/README.md): JSON cases with inputs as decimal strings and ISO dates and expected
 * outputs as decimals or exact `"num/den"` rationals in natural units. These functions turn a case into the
 * on-chain input and the expected on-chain output, rounding each expected value in its documented direction.
 * The repo and pledge cases are read by lib/repo/vectors.ts and lib/pledge/vectors.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { isoToDay } from "../core/dates";
import { DayCountName, DayCountPeriod, Fraction, NO_PERIOD, dayCountIndex } from "./daycount";
import { Rational, Rounding } from "./rational";

export interface VectorFile<C> {
  file: string;
  description: string;
  cases: C[];
}

/** Every `*.json` file of a folder, sorted by name. */
export function loadVectorFiles<C>(dir: string): VectorFile<C>[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const data = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { description?: string; cases?: C[] };
      if (!Array.isArray(data.cases) || data.cases.length === 0) throw new Error(`${f}: no "cases" array`);
      return { file: f, description: data.description ?? "", cases: data.cases };
    });
}

/** A required field of a case. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`vector field "${what}" is missing`);
  return value;
}

/** Expected value (decimal or "num/den", natural units) in on-chain units with `decimals` places. */
export function expectedUnits(text: string, decimals: number, direction: Rounding): bigint {
  return Rational.parse(text).toUnits(decimals, direction);
}

/* ---------------------------------------------------------------- day counts */

export interface DayCountCase {
  name: string;
  convention: DayCountName;
  start: string;
  end: string;
  period?: { start: string; end: string; frequency: number };
  terminationDate?: boolean;
  /** Exact year fraction, `"num/den"` or decimal. */
  expected: string;
  /** Published decimal value (e.g. QuantLib's 12 places) the exact fraction must round to. */
  reference?: string;
}

export function parseDayCountCase(c: DayCountCase): {
  convention: DayCountName;
  conventionIndex: number;
  start: number;
  end: number;
  period: DayCountPeriod;
  expected: Rational;
} {
  const period: DayCountPeriod = c.period
    ? {
        periodStart: isoToDay(c.period.start),
        periodEnd: isoToDay(c.period.end),
        frequency: c.period.frequency,
        endIsTermination: !!c.terminationDate,
      }
    : { ...NO_PERIOD, endIsTermination: !!c.terminationDate };
  return {
    convention: c.convention,
    conventionIndex: dayCountIndex(c.convention),
    start: isoToDay(c.start),
    end: isoToDay(c.end),
    period,
    expected: Rational.parse(need(c.expected, "expected")),
  };
}

export function fractionEquals(f: Fraction, r: Rational): boolean {
  return new Rational(f.numerator, f.denominator).eq(r);
}
