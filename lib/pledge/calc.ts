/**
 * Reference calculator for stock-pledge valuation, the twin of `contracts/libraries/PledgeMath.sol`.
 * Inputs in on-chain units; each output is an exact rational in natural units (currency, plain ratio,
 * shares) computed from the inputs and the earlier outputs as rounded on chain, then rounded in its
 * documented direction (docs/math.md).
 */
import { DayCountName, dayCountFraction, dayCountIndex } from "../math/daycount";
import { Rational, WAD } from "../math/rational";

export const PLEDGE_LEVELS = ["Normal", "Warning", "Liquidation"] as const;
export type PledgeLevel = (typeof PLEDGE_LEVELS)[number];

/** Default lines of DOMAIN.md §6 (WAD): warning 160%, liquidation 140%; the restore target defaults to the initial ratio. */
export const DEFAULT_WARNING_LINE = 16n * 10n ** 17n;
export const DEFAULT_LIQUIDATION_LINE = 14n * 10n ** 17n;
/** Default cap on the initial pledge rate (SSE/CSDC 2018: at most 60%), WAD. */
export const DEFAULT_MAX_INITIAL_RATE = 6n * 10n ** 17n;

export interface PledgeTerms {
  principal: bigint;
  interestRate: bigint;
  dayCount: DayCountName;
  startDate: number;
  warningLine: bigint;
  liquidationLine: bigint;
  restoreTarget: bigint;
  cashDecimals: number;
  /** A top-up is due from the Warning level (default: from Liquidation). */
  topUpAtWarning?: boolean;
  /** Repayments reduce principal first, interest staying accrued and owed (default: interest first). */
  principalFirst?: boolean;
  /** Board lot of the security: extra shares are whole lots (default 1). */
  boardLot?: bigint;
}

export interface Repayment {
  date: number;
  amount: bigint;
}

export interface PledgeInput {
  terms: PledgeTerms;
  valuationDate: number;
  closePrice: bigint;
  shares: bigint;
  pledgedCash: bigint;
  repayments: Repayment[];
  /** Price at the start date (18 decimals), for the initial pledge rate ({@link initialPledgeRate}). */
  initialPrice?: bigint;
  /** Cap on the initial pledge rate, WAD (default 60%). */
  maxInitialRate?: bigint;
}

/** On-chain output, field for field `PledgeMath.Output`. */
export interface PledgeOutput {
  principalOutstanding: bigint;
  interestUnpaid: bigint;
  amountPayable: bigint;
  shareValue: bigint;
  collateralValue: bigint;
  ratio: bigint;
  level: PledgeLevel;
  topUpShares: bigint;
  topUpCash: bigint;
  topUpRepayment: bigint;
  warningPrice: bigint;
  liquidationPrice: bigint;
  enforcementCash: bigint;
  enforcementShares: bigint;
  enforcementShortfall: bigint;
}

/** Outputs computed by enforcement (and `preview`), not published by a daily valuation. */
export const PLEDGE_ENFORCEMENT_OUTPUTS = ["enforcementCash", "enforcementShares", "enforcementShortfall"] as const;

/** What a `PledgeValued` event carries: `PledgeOutput` without the enforcement amounts (`IPledgeBook.Valuation`). */
export type PledgeValuationOutput = Omit<PledgeOutput, (typeof PLEDGE_ENFORCEMENT_OUTPUTS)[number]>;

/** The valuation part of an output (drops the enforcement amounts). */
export function valuationOutput(o: PledgeOutput): PledgeValuationOutput {
  const { enforcementCash: _c, enforcementShares: _s, enforcementShortfall: _f, ...rest } = o;
  return rest;
}

export interface PledgeExact {
  shareValue: Rational;
  ratio: Rational | null;
  topUpShares: Rational;
  topUpCash: Rational;
  topUpRepayment: Rational;
  warningPrice: Rational;
  liquidationPrice: Rational;
  enforcementShares: Rational;
}

export class PledgeInputError extends Error {}

const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * Outstanding principal and unpaid interest after the repayments (interest first, or principal first under
 * `principalFirst`), each accrual rounded up.
 */
export function pledgeDebt(terms: PledgeTerms, repayments: Repayment[], valuationDate: number): { principal: bigint; interest: bigint } {
  const scale = 10n ** BigInt(terms.cashDecimals);
  const interestUp = (principal: bigint, from: number, to: number): bigint => {
    const f = dayCountFraction(terms.dayCount, from, to);
    return new Rational(principal, scale)
      .mul(new Rational(terms.interestRate * f.numerator, WAD * f.denominator))
      .toUnits(terms.cashDecimals, "up");
  };
  let principal = terms.principal;
  let interest = 0n;
  let from = terms.startDate;
  for (const r of repayments) {
    if (r.date < from || r.date > valuationDate) throw new PledgeInputError(`repayment dated ${r.date} out of order`);
    interest += interestUp(principal, from, r.date);
    if (r.amount > principal + interest) throw new PledgeInputError(`repayment ${r.amount} exceeds debt ${principal + interest}`);
    if (terms.principalFirst === true) {
      const toPrincipal = r.amount < principal ? r.amount : principal;
      principal -= toPrincipal;
      interest -= r.amount - toPrincipal;
    } else {
      const toInterest = r.amount < interest ? r.amount : interest;
      interest -= toInterest;
      principal -= r.amount - toInterest;
    }
    from = r.date;
  }
  if (valuationDate < from) throw new PledgeInputError(`valuation date ${valuationDate} before ${from}`);
  interest += interestUp(principal, from, valuationDate);
  return { principal, interest };
}

/** Values a pledge: on-chain outputs plus the exact values they were rounded from. */
export function valuePledge(input: PledgeInput): { output: PledgeOutput; exact: PledgeExact } {
  const t = input.terms;
  if (t.liquidationLine === 0n || t.liquidationLine > t.warningLine || t.warningLine > t.restoreTarget) {
    throw new PledgeInputError("lines must satisfy 0 < liquidation <= warning <= restore target");
  }
  if (t.cashDecimals < 0 || t.cashDecimals > 18) throw new PledgeInputError(`cash decimals ${t.cashDecimals} outside 0..18`);
  if (input.closePrice === 0n) throw new PledgeInputError("close price is zero");
  const d = t.cashDecimals;
  const scale = 10n ** BigInt(d);
  const cash = (units: bigint) => new Rational(units, scale);
  const close = new Rational(input.closePrice, WAD);

  const { principal, interest } = pledgeDebt(t, input.repayments, input.valuationDate);
  const amountPayable = principal + interest;
  const shareValueExact = close.mul(input.shares);
  const shareValue = shareValueExact.toUnits(d, "down");
  const collateralValue = shareValue + input.pledgedCash;
  const ratioExact = amountPayable === 0n ? null : new Rational(collateralValue, amountPayable);
  const ratio = ratioExact === null ? MAX_UINT256 : ratioExact.toUnits(18, "down");
  const liq = new Rational(t.liquidationLine, WAD);
  const warn = new Rational(t.warningLine, WAD);
  const level: PledgeLevel =
    ratioExact === null ? "Normal" : ratioExact.cmp(liq) <= 0 ? "Liquidation" : ratioExact.cmp(warn) <= 0 ? "Warning" : "Normal";

  const target = new Rational(t.restoreTarget, WAD);
  const gap = target.mul(cash(amountPayable)).sub(cash(collateralValue)); // currency short of the target
  const positive = (r: Rational) => (r.cmp(0n) > 0 ? r : new Rational(0n));
  const topUpCashExact = positive(gap);
  const topUpSharesExact = topUpCashExact.div(close);
  const topUpRepaymentExact = gap.cmp(0n) > 0 ? cash(amountPayable).sub(cash(collateralValue).div(target)) : new Rational(0n);
  const due = level === "Liquidation" || (t.topUpAtWarning === true && level === "Warning");
  const lot = t.boardLot !== undefined && t.boardLot > 1n ? t.boardLot : 1n;
  const toLot = (n: bigint) => ((n + lot - 1n) / lot) * lot;
  // The close at which the ratio equals a line: (line x payable - pledged cash) / shares, rounded down.
  const linePrice = (line: bigint): Rational => {
    const gapAtZero = new Rational(line, WAD).mul(cash(amountPayable)).sub(cash(input.pledgedCash));
    return input.shares === 0n || gapAtZero.cmp(0n) <= 0 ? new Rational(0n) : gapAtZero.div(input.shares);
  };
  const warningPriceExact = linePrice(t.warningLine);
  const liquidationPriceExact = linePrice(t.liquidationLine);

  const enforcementCash = input.pledgedCash < amountPayable ? input.pledgedCash : amountPayable;
  const rest = amountPayable - enforcementCash;
  const neededExact = cash(rest).div(close);
  const needed = neededExact.ceil();
  const enforcementShares = needed <= input.shares ? needed : input.shares;
  const enforcementShortfall = needed <= input.shares ? 0n : rest - shareValue;

  return {
    output: {
      principalOutstanding: principal,
      interestUnpaid: interest,
      amountPayable,
      shareValue,
      collateralValue,
      ratio,
      level,
      topUpShares: due ? toLot(topUpSharesExact.ceil()) : 0n,
      topUpCash: due ? topUpCashExact.toUnits(d, "up") : 0n,
      topUpRepayment: due ? topUpRepaymentExact.toUnits(d, "up") : 0n,
      warningPrice: warningPriceExact.toUnits(18, "down"),
      liquidationPrice: liquidationPriceExact.toUnits(18, "down"),
      enforcementCash,
      enforcementShares,
      enforcementShortfall,
    },
    exact: {
      shareValue: shareValueExact,
      ratio: ratioExact,
      topUpShares: topUpSharesExact,
      topUpCash: topUpCashExact,
      topUpRepayment: topUpRepaymentExact,
      warningPrice: warningPriceExact,
      liquidationPrice: liquidationPriceExact,
      enforcementShares: neededExact,
    },
  };
}

/** The input in the contract's ABI shape (enum as index), ready for `PledgeMathHarness.value`. */
export function pledgeInputToContract(input: PledgeInput) {
  const { initialPrice: _p, maxInitialRate: _m, ...rest } = input;
  const t = input.terms;
  return {
    ...rest,
    terms: {
      ...t,
      dayCount: dayCountIndex(t.dayCount),
      topUpAtWarning: t.topUpAtWarning ?? false,
      principalFirst: t.principalFirst ?? false,
      boardLot: t.boardLot ?? 1n,
    },
  };
}

/**
 * Initial pledge rate at registration (SSE/CSDC 2018): principal / value of the pledged shares at the initial
 * price (the share value rounded down as in a valuation), rounded up; `aboveCap` compares exactly, a rate equal
 * to the cap being accepted. `rate` is the maximum uint256 when the shares are worth nothing.
 */
export function initialPledgeRate(
  principal: bigint,
  shares: bigint,
  initialPrice: bigint,
  cashDecimals: number,
  maxInitialRate: bigint = DEFAULT_MAX_INITIAL_RATE,
): { shareValue: bigint; rate: bigint; exact: Rational | null; aboveCap: boolean } {
  const shareValue = new Rational(initialPrice, WAD).mul(shares).toUnits(cashDecimals, "down");
  if (shareValue === 0n) return { shareValue, rate: MAX_UINT256, exact: null, aboveCap: true };
  const exact = new Rational(principal, shareValue);
  return { shareValue, rate: exact.toUnits(18, "up"), exact, aboveCap: exact.cmp(new Rational(maxInitialRate, WAD)) > 0 };
}

/** A contract `PledgeMath.Output` (ethers Result) as a PledgeOutput. */
export function pledgeOutputFromContract(r: Omit<PledgeOutput, "level"> & { level: bigint }): PledgeOutput {
  return {
    principalOutstanding: r.principalOutstanding,
    interestUnpaid: r.interestUnpaid,
    amountPayable: r.amountPayable,
    shareValue: r.shareValue,
    collateralValue: r.collateralValue,
    ratio: r.ratio,
    level: PLEDGE_LEVELS[Number(r.level)],
    topUpShares: r.topUpShares,
    topUpCash: r.topUpCash,
    topUpRepayment: r.topUpRepayment,
    warningPrice: r.warningPrice,
    liquidationPrice: r.liquidationPrice,
    enforcementCash: r.enforcementCash,
    enforcementShares: r.enforcementShares,
    enforcementShortfall: r.enforcementShortfall,
  };
}
