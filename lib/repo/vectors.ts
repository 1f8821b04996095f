/**
 * Repo vector files (test/vectors/repo/, format in test/vectors/README.md): a case turned into the on-chain
 * input and the expected on-chain output, each expected value rounded in its documented direction.
 */
import { isoToDay } from "../core/dates";
import type { Bond, DayCountName } from "../math/daycount";
import { decimalToUnits } from "../math/rational";
import { expectedUnits, need } from "../math/vectors";
import { REPO_ACTIONS, REPO_ROUNDING, RepoAction, RepoInput, RepoOutput } from "./calc";

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
