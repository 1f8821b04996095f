/**
 * Vector files (test/vectors/README.md): JSON cases with inputs as decimal strings and ISO dates and expected
 * outputs as decimals or exact `"num/den"` rationals in natural units. These functions turn a case into the
 * on-chain input and the expected on-chain output, rounding each expected value in its documented direction.
 */
import fs from "node:fs";
import path from "node:path";
import { isoToDay } from "../dates";
import { Bond, DayCountName, DayCountPeriod, Fraction, NO_PERIOD, dayCountIndex } from "./daycount";
import { PLEDGE_LEVELS, PledgeInput, PledgeLevel, PledgeOutput } from "./pledge";
import { Rational, Rounding, decimalToUnits } from "./rational";
import { REPO_ACTIONS, REPO_ROUNDING, RepoAction, RepoInput, RepoOutput } from "./repo";

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

function need<T>(value: T | undefined, what: string): T {
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

/* ---------------------------------------------------------------- repo */

export interface RepoCaseJson {
  name: string;
  note?: string;
  input: {
    cashDecimals: number;
    purchasePrice: string;
    repoRate: string;
    basis: number;
    startDate: string;
    initialLtv?: string;
    lowerTrigger?: string;
    upperTrigger?: string;
    /** "B" (default) or "A"; Method A needs marginRatio and leaves the corridor out. */
    marginMethod?: "A" | "B";
    marginRatio?: string;
    minimumTransfer: string;
    cashMarginRate: string;
    security:
      | { kind: "Equity" }
      | {
          kind: "Bond";
          faceValue: string;
          couponRate: string;
          frequency: number;
          issueDate: string;
          maturityDate: string;
          dayCount: DayCountName;
        };
    valuationDate: string;
    cleanPrice: string;
    fxRate: string;
    holiday?: boolean;
    quantity: string;
    cashMargins?: { amount: string; postedOn: string; by: "Borrower" | "Lender" }[];
  };
  expected: Partial<Record<keyof RepoOutput, string | boolean>> & { skippedHoliday: boolean };
}

const EMPTY_BOND: Bond = { faceValue: 0n, couponRate: 0n, frequency: 0, issueDate: 0, maturityDate: 0, dayCount: "Thirty360BondBasis" };

export function parseRepoInput(j: RepoCaseJson["input"]): RepoInput {
  const d = need(j.cashDecimals, "cashDecimals");
  const s = j.security;
  return {
    terms: {
      purchasePrice: decimalToUnits(j.purchasePrice, d),
      repoRate: decimalToUnits(j.repoRate, 18),
      basis: j.basis,
      startDate: isoToDay(j.startDate),
      initialLtv: decimalToUnits(j.initialLtv ?? "0", 18),
      lowerTrigger: decimalToUnits(j.lowerTrigger ?? "0", 18),
      upperTrigger: decimalToUnits(j.upperTrigger ?? "0", 18),
      minimumTransfer: decimalToUnits(j.minimumTransfer, d),
      cashMarginRate: decimalToUnits(j.cashMarginRate, 18),
      cashDecimals: d,
      marginRatio: j.marginMethod === "A" ? decimalToUnits(need(j.marginRatio, "marginRatio"), 18) : 0n,
    },
    isBond: s.kind === "Bond",
    bond:
      s.kind === "Bond"
        ? {
            faceValue: decimalToUnits(s.faceValue, 18),
            couponRate: decimalToUnits(s.couponRate, 18),
            frequency: s.frequency,
            issueDate: isoToDay(s.issueDate),
            maturityDate: isoToDay(s.maturityDate),
            dayCount: s.dayCount,
          }
        : EMPTY_BOND,
    valuationDate: isoToDay(j.valuationDate),
    cleanPrice: decimalToUnits(j.cleanPrice, 18),
    fxRate: decimalToUnits(j.fxRate, 18),
    holiday: !!j.holiday,
    quantity: decimalToUnits(j.quantity, 0),
    cashMargins: (j.cashMargins ?? []).map((c) => ({
      amount: decimalToUnits(c.amount, d),
      postedOn: isoToDay(c.postedOn),
      byLender: c.by === "Lender",
    })),
  };
}

const REPO_REQUIRED: (keyof RepoOutput)[] = [
  "repurchasePrice",
  "marketValue",
  "exposure",
  "ltv",
  "action",
  "belowMinimumTransfer",
  "callCash",
  "callQuantity",
];

/**
 * Expected on-chain output of a repo case. Fields left out of `expected` (only the optional accruedCoupon,
 * dirtyPrice and the two cash-margin values) are returned as `undefined` and not compared.
 */
export function parseRepoExpected(c: RepoCaseJson): Partial<RepoOutput> & { skippedHoliday: boolean } {
  const e = c.expected;
  if (e.skippedHoliday) return { skippedHoliday: true };
  for (const k of REPO_REQUIRED) need(e[k], `expected.${k}`);
  const action = e.action as RepoAction;
  if (!REPO_ACTIONS.includes(action)) throw new Error(`${c.name}: unknown action "${action}"`);
  const d = c.input.cashDecimals;
  const out: Partial<RepoOutput> & { skippedHoliday: boolean } = {
    skippedHoliday: false,
    action,
    belowMinimumTransfer: e.belowMinimumTransfer === true,
  };
  const scaleOf = { cash: d, price: 18, ratio: 18, quantity: 0 } as const;
  for (const [key, rule] of Object.entries(REPO_ROUNDING)) {
    const v = e[key as keyof RepoOutput];
    if (v === undefined) continue;
    const direction = action === "LenderReturn" ? rule.lender : rule.borrower;
    // "max": the maximum uint256 (the LTV of worthless collateral).
    (out as Record<string, unknown>)[key] =
      key === "ltv" && v === "max" ? (1n << 256n) - 1n : expectedUnits(String(v), scaleOf[rule.scale], direction);
  }
  return out;
}

/* ---------------------------------------------------------------- pledge */

export interface PledgeCaseJson {
  name: string;
  note?: string;
  input: {
    cashDecimals: number;
    principal: string;
    interestRate: string;
    dayCount?: DayCountName;
    startDate: string;
    warningLine?: string;
    liquidationLine?: string;
    restoreTarget: string;
    valuationDate: string;
    closePrice: string;
    shares: string;
    pledgedCash?: string;
    repayments?: { date: string; amount: string }[];
    initialPrice: string;
    maxInitialRate?: string;
    topUpAtWarning?: boolean;
    principalFirst?: boolean;
    boardLot?: string;
  };
  /** The outputs, the initial pledge rate and, for a pledge refused at registration, `refused: true` alone with it. */
  expected: Partial<Record<keyof PledgeOutput | "initialRate", string>> & { refused?: boolean };
}

export function parsePledgeInput(j: PledgeCaseJson["input"]): PledgeInput {
  const d = need(j.cashDecimals, "cashDecimals");
  return {
    terms: {
      principal: decimalToUnits(j.principal, d),
      interestRate: decimalToUnits(j.interestRate, 18),
      dayCount: j.dayCount ?? "Act365Fixed",
      startDate: isoToDay(j.startDate),
      warningLine: decimalToUnits(j.warningLine ?? "1.6", 18),
      liquidationLine: decimalToUnits(j.liquidationLine ?? "1.4", 18),
      restoreTarget: decimalToUnits(need(j.restoreTarget, "restoreTarget"), 18),
      cashDecimals: d,
      topUpAtWarning: j.topUpAtWarning ?? false,
      principalFirst: j.principalFirst ?? false,
      boardLot: decimalToUnits(j.boardLot ?? "1", 0),
    },
    valuationDate: isoToDay(j.valuationDate),
    closePrice: decimalToUnits(j.closePrice, 18),
    shares: decimalToUnits(j.shares, 0),
    pledgedCash: decimalToUnits(j.pledgedCash ?? "0", d),
    repayments: (j.repayments ?? []).map((r) => ({ date: isoToDay(r.date), amount: decimalToUnits(r.amount, d) })),
    initialPrice: decimalToUnits(need(j.initialPrice, "initialPrice"), 18),
    maxInitialRate: decimalToUnits(j.maxInitialRate ?? "0.6", 18),
  };
}

/** Rounding of each pledge output (scale and direction) when converting expected values to on-chain units. */
export const PLEDGE_ROUNDING: Record<Exclude<keyof PledgeOutput, "level">, ["cash" | "ratio" | "price" | "quantity", Rounding]> = {
  principalOutstanding: ["cash", "up"],
  interestUnpaid: ["cash", "up"],
  amountPayable: ["cash", "up"],
  shareValue: ["cash", "down"],
  collateralValue: ["cash", "down"],
  ratio: ["ratio", "down"],
  topUpShares: ["quantity", "up"],
  topUpCash: ["cash", "up"],
  topUpRepayment: ["cash", "up"],
  warningPrice: ["price", "down"],
  liquidationPrice: ["price", "down"],
  enforcementCash: ["cash", "down"],
  enforcementShares: ["quantity", "up"],
  enforcementShortfall: ["cash", "up"],
};

export function parsePledgeExpected(c: PledgeCaseJson): PledgeOutput {
  const e = c.expected;
  const level = need(e.level, "expected.level") as PledgeLevel;
  if (!PLEDGE_LEVELS.includes(level)) throw new Error(`${c.name}: unknown level "${level}"`);
  const d = c.input.cashDecimals;
  const out: Record<string, unknown> = { level };
  for (const [key, [scale, direction]] of Object.entries(PLEDGE_ROUNDING)) {
    const v = need(e[key as keyof PledgeOutput], `expected.${key}`);
    out[key] =
      key === "ratio" && v === "max"
        ? (1n << 256n) - 1n
        : expectedUnits(v, { cash: d, ratio: 18, price: 18, quantity: 0 }[scale], direction);
  }
  return out as unknown as PledgeOutput;
}

/** The expected initial pledge rate (WAD, rounded up) and whether registration is refused above the cap. */
export function parsePledgeInitial(c: PledgeCaseJson): { initialRate: bigint; refused: boolean } {
  return {
    initialRate: expectedUnits(need(c.expected.initialRate, "expected.initialRate"), 18, "up"),
    refused: c.expected.refused === true,
  };
}
