/**
 * Day-count fractions of ISDA 2006 §4.16 (DOMAIN.md §4), the twin of `contracts/libraries/DayCountLib.sol`
 * and the coupon schedule of `CouponLib.sol`. Dates are day numbers (lib/core/dates.ts); accrual runs from
 * `start` (inclusive) to `end` (exclusive). Fractions are returned as the same unreduced
 * (numerator, denominator) pairs the contract returns.
 */
import { daysInMonth, toDate, toDay } from "../core/dates";
import { Rational, WAD } from "./rational";

/** Names of `DayCountConvention`, in enum order. */
export const DAY_COUNT_CONVENTIONS = [
  "Thirty360BondBasis",
  "Thirty360E",
  "Thirty360EIsda",
  "Act360",
  "Act365Fixed",
  "ActActIcma",
  "Legacy30360Unadjusted",
] as const;
export type DayCountName = (typeof DAY_COUNT_CONVENTIONS)[number];

export function dayCountIndex(name: string): number {
  const i = DAY_COUNT_CONVENTIONS.indexOf(name as DayCountName);
  if (i < 0) throw new RangeError(`unknown day-count convention "${name}": use one of ${DAY_COUNT_CONVENTIONS.join(", ")}`);
  return i;
}

/** Coupon-period data (ActActIcma) and the termination flag (Thirty360EIsda). */
export interface DayCountPeriod {
  periodStart: number;
  periodEnd: number;
  frequency: number;
  endIsTermination: boolean;
}

export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

export const NO_PERIOD: DayCountPeriod = { periodStart: 0, periodEnd: 0, frequency: 0, endIsTermination: false };

/** 30/360-family day count D, adjusted per convention (start <= end). */
export function days360(convention: DayCountName, start: number, end: number, endIsTermination = false): number {
  if (end < start) throw new RangeError(`day count end ${end} before start ${start}`);
  if (end === start) return 0;
  const a = toDate(start);
  const b = toDate(end);
  let d1 = a.day;
  let d2 = b.day;
  if (convention === "Thirty360BondBasis") {
    if (d1 === 31) d1 = 30;
    if (d2 === 31 && d1 > 29) d2 = 30;
  } else if (convention === "Thirty360E") {
    if (d1 === 31) d1 = 30;
    if (d2 === 31) d2 = 30;
  } else if (convention === "Thirty360EIsda") {
    if (d1 === 31 || (a.month === 2 && d1 === daysInMonth(a.year, 2))) d1 = 30;
    if (d2 === 31 || (b.month === 2 && d2 === daysInMonth(b.year, 2) && !endIsTermination)) d2 = 30;
  }
  return Math.max(0, 360 * (b.year - a.year) + 30 * (b.month - a.month) + (d2 - d1));
}

/** Day-count fraction as the contract's (numerator, denominator) pair. */
export function dayCountFraction(convention: DayCountName, start: number, end: number, period: DayCountPeriod = NO_PERIOD): Fraction {
  if (end < start) throw new RangeError(`day count end ${end} before start ${start}`);
  const days = BigInt(end - start);
  switch (convention) {
    case "Act360":
      return { numerator: days, denominator: 360n };
    case "Act365Fixed":
      return { numerator: days, denominator: 365n };
    case "ActActIcma": {
      const { periodStart, periodEnd, frequency } = period;
      if (periodStart > start || end > periodEnd || periodEnd <= periodStart || frequency <= 0 || 12 % frequency !== 0) {
        throw new RangeError(
          `accrual ${start}..${end} not inside a valid coupon period ${periodStart}..${periodEnd} (frequency ${frequency})`,
        );
      }
      return { numerator: days, denominator: BigInt(frequency * (periodEnd - periodStart)) };
    }
    default:
      return { numerator: BigInt(days360(convention, start, end, period.endIsTermination)), denominator: 360n };
  }
}

export function fractionToRational(f: Fraction): Rational {
  return new Rational(f.numerator, f.denominator);
}

/** Fixed-rate bond as `CouponLib.Bond`, in on-chain units. */
export interface Bond {
  /** Face per token unit, 18 decimals. */
  faceValue: bigint;
  /** Coupon rate, WAD per year. */
  couponRate: bigint;
  frequency: number;
  issueDate: number;
  maturityDate: number;
  dayCount: DayCountName;
}

/** Coupon date k: issue date + k x 12/frequency months, end-of-month rule when the issue date is a month end. */
export function couponDate(issueDate: number, frequency: number, k: number): number {
  const { year, month, day } = toDate(issueDate);
  const endOfMonth = day === daysInMonth(year, month);
  const months = month - 1 + k * (12 / frequency);
  const y = year + Math.floor(months / 12);
  const m = (months % 12) + 1;
  const dim = daysInMonth(y, m);
  return toDay(y, m, endOfMonth || day > dim ? dim : day);
}

function checkSettlement(bond: Bond, settlement: number): void {
  if (settlement < bond.issueDate || settlement >= bond.maturityDate) {
    throw new RangeError(`settlement ${settlement} outside [issue ${bond.issueDate}, maturity ${bond.maturityDate})`);
  }
}

/** The scheduled coupon period [last, next) that contains the settlement date. */
export function couponPeriod(bond: Bond, settlement: number): { last: number; next: number } {
  if (bond.frequency <= 0 || 12 % bond.frequency !== 0 || bond.maturityDate <= bond.issueDate) {
    throw new RangeError(`invalid bond schedule (frequency ${bond.frequency})`);
  }
  checkSettlement(bond, settlement);
  let k = 0;
  while (couponDate(bond.issueDate, bond.frequency, k + 1) <= settlement) k++;
  return { last: couponDate(bond.issueDate, bond.frequency, k), next: couponDate(bond.issueDate, bond.frequency, k + 1) };
}

/** Accrued fraction at the settlement date under the bond's convention. */
export function accruedFraction(bond: Bond, settlement: number): Fraction {
  const { last, next } = couponPeriod(bond, settlement);
  return dayCountFraction(bond.dayCount, last, settlement, {
    periodStart: last,
    periodEnd: next,
    frequency: bond.frequency,
    endIsTermination: false,
  });
}

/** Exact accrued coupon per token unit, 18-decimal units (a rational; the chain floors it). */
export function accruedPerUnitExact(bond: Bond, settlement: number): Rational {
  if (bond.couponRate === 0n) {
    checkSettlement(bond, settlement);
    return new Rational(0n);
  }
  const f = accruedFraction(bond, settlement);
  return new Rational(bond.faceValue * bond.couponRate * f.numerator, WAD * f.denominator);
}
