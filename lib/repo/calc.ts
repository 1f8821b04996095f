/**
 * Reference calculator for repo revaluation, the twin of `contracts/libraries/RepoMath.sol`.
 * Inputs are in on-chain units (the same struct the contract takes, with the day count by name). Every
 * output is computed as an exact rational in natural units (currency, currency per unit, plain ratio) from
 * the inputs and the earlier outputs as rounded on chain, then rounded in its documented direction
 * (docs/math.md, test/vectors/README.md).
 */
import { Bond, DayCountName, accruedPerUnitExact, dayCountIndex } from "../math/daycount";
import { Rational, Rounding, WAD } from "../math/rational";

export const REPO_ACTIONS = ["None", "BorrowerCall", "LenderReturn"] as const;
export type RepoAction = (typeof REPO_ACTIONS)[number];

export interface RepoTerms {
  purchasePrice: bigint;
  repoRate: bigint;
  basis: number;
  startDate: number;
  initialLtv: bigint;
  lowerTrigger: bigint;
  upperTrigger: bigint;
  minimumTransfer: bigint;
  cashMarginRate: bigint;
  cashDecimals: number;
  /** Method A margin ratio, WAD; 0n elects Method B (the LTV corridor). */
  marginRatio: bigint;
}

/** The calculator's terms: a deal's terms (as stored, proposed or replayed) and its cash token's decimals. */
export function repoCalcTerms(
  t: Omit<RepoTerms, "cashDecimals" | "marginRatio"> & { marginRatio?: bigint },
  cashDecimals: number,
): RepoTerms {
  return {
    purchasePrice: t.purchasePrice,
    repoRate: t.repoRate,
    basis: t.basis,
    startDate: t.startDate,
    initialLtv: t.initialLtv,
    lowerTrigger: t.lowerTrigger,
    upperTrigger: t.upperTrigger,
    minimumTransfer: t.minimumTransfer,
    cashMarginRate: t.cashMarginRate,
    cashDecimals,
    marginRatio: t.marginRatio ?? 0n,
  };
}

export interface CashMargin {
  amount: bigint;
  postedOn: number;
  byLender: boolean;
}

export interface RepoInput {
  terms: RepoTerms;
  isBond: boolean;
  bond: Bond;
  valuationDate: number;
  cleanPrice: bigint;
  fxRate: bigint;
  holiday: boolean;
  quantity: bigint;
  cashMargins: CashMargin[];
}

/** On-chain output, field for field `RepoMath.Output`. */
export interface RepoOutput {
  skippedHoliday: boolean;
  repurchasePrice: bigint;
  accruedCoupon: bigint;
  dirtyPrice: bigint;
  marketValue: bigint;
  borrowerCashMargin: bigint;
  lenderCashMargin: bigint;
  exposure: bigint;
  ltv: bigint;
  action: RepoAction;
  belowMinimumTransfer: boolean;
  callCash: bigint;
  callQuantity: bigint;
  /** The deal's exposure under its margin method, net of its cash margin, signed (positive: the borrower owes). */
  transactionExposure: bigint;
}

/** Exact values (natural units) behind each rounded output, and the direction each is rounded in. */
export interface RepoExact {
  repurchasePrice: Rational;
  accruedCoupon: Rational;
  marketValue: Rational;
  ltv: Rational;
  callCash: Rational;
  callQuantity: Rational;
  transactionExposure: Rational;
}

/** Rounding of each output when converted to on-chain units (`cash`: cashDecimals, `price`/`ratio`: 18, `quantity`: 0). */
export const REPO_ROUNDING: Record<string, { scale: "cash" | "price" | "ratio" | "quantity"; borrower: Rounding; lender: Rounding }> = {
  repurchasePrice: { scale: "cash", borrower: "up", lender: "up" },
  accruedCoupon: { scale: "price", borrower: "down", lender: "down" },
  dirtyPrice: { scale: "price", borrower: "down", lender: "down" },
  marketValue: { scale: "cash", borrower: "down", lender: "down" },
  borrowerCashMargin: { scale: "cash", borrower: "up", lender: "up" },
  lenderCashMargin: { scale: "cash", borrower: "up", lender: "up" },
  exposure: { scale: "cash", borrower: "up", lender: "up" },
  ltv: { scale: "ratio", borrower: "up", lender: "up" },
  callCash: { scale: "cash", borrower: "up", lender: "down" },
  callQuantity: { scale: "quantity", borrower: "up", lender: "down" },
  // Signed: up is toward the lender (more from the borrower, less from the lender).
  transactionExposure: { scale: "cash", borrower: "up", lender: "up" },
};

export class RepoInputError extends Error {}

const ZERO_OUTPUT: RepoOutput = {
  skippedHoliday: true,
  repurchasePrice: 0n,
  accruedCoupon: 0n,
  dirtyPrice: 0n,
  marketValue: 0n,
  borrowerCashMargin: 0n,
  lenderCashMargin: 0n,
  exposure: 0n,
  ltv: 0n,
  action: "None",
  belowMinimumTransfer: false,
  callCash: 0n,
  callQuantity: 0n,
  transactionExposure: 0n,
};

/** Exact value of `amount` cash units after simple interest over [from, to) on `basis`, in currency. */
export function accrueExact(amount: bigint, rate: bigint, from: number, to: number, basis: number, cashDecimals: number): Rational {
  if (to < from) throw new RepoInputError(`interest from ${from} runs backwards to ${to}`);
  const principal = new Rational(amount, 10n ** BigInt(cashDecimals));
  return principal.add(principal.mul(new Rational(rate * BigInt(to - from), WAD * BigInt(basis))));
}

/** GMRA 2011 Method B net exposure RP - MV x (1 - H) - net cash margin (currency); equals the borrower cash call. */
export function methodBNetExposure(repurchasePrice: Rational, marketValue: Rational, haircut: Rational, netCashMargin: Rational): Rational {
  return repurchasePrice.sub(marketValue.mul(new Rational(1n).sub(haircut))).sub(netCashMargin);
}

/** Revalues a deal: on-chain outputs plus the exact values they were rounded from. */
export function revalueRepo(input: RepoInput): { output: RepoOutput; exact: RepoExact | null } {
  // A worthless collateral (market value 0) is valued, not refused: see `worthless`.
  if (input.holiday) return { output: { ...ZERO_OUTPUT }, exact: null };
  const t = input.terms;
  if (t.basis !== 360 && t.basis !== 365) throw new RepoInputError(`basis ${t.basis} is neither 360 nor 365`);
  if (t.marginRatio !== 0n) {
    if (t.marginRatio < WAD) throw new RepoInputError(`margin ratio ${t.marginRatio} below 100%`);
  } else if (t.lowerTrigger === 0n || t.lowerTrigger > t.initialLtv || t.initialLtv > t.upperTrigger) {
    throw new RepoInputError("corridor must satisfy 0 < lower <= initial <= upper");
  }
  if (t.cashDecimals < 0 || t.cashDecimals > 18) throw new RepoInputError(`cash decimals ${t.cashDecimals} outside 0..18`);
  const d = t.cashDecimals;
  const cashScale = 10n ** BigInt(d);
  const cash = (units: bigint) => new Rational(units, cashScale);

  const rpExact = accrueExact(t.purchasePrice, t.repoRate, t.startDate, input.valuationDate, t.basis, d);
  const repurchasePrice = rpExact.toUnits(d, "up");

  const accruedExact = input.isBond ? accruedPerUnitExact(input.bond, input.valuationDate).div(WAD) : new Rational(0n);
  const accruedCoupon = accruedExact.toUnits(18, "down");
  const dirtyPrice = input.cleanPrice + accruedCoupon;

  const mvExact = new Rational(input.quantity * dirtyPrice * input.fxRate, WAD * WAD);
  const marketValue = mvExact.toUnits(d, "down");

  let borrowerCashMargin = 0n;
  let lenderCashMargin = 0n;
  for (const c of input.cashMargins) {
    const v = accrueExact(c.amount, t.cashMarginRate, c.postedOn, input.valuationDate, t.basis, d).toUnits(d, "up");
    if (c.byLender) lenderCashMargin += v;
    else borrowerCashMargin += v;
  }
  const owed = repurchasePrice + lenderCashMargin;
  const exposure = owed > borrowerCashMargin ? owed - borrowerCashMargin : 0n;
  if (t.marginRatio !== 0n)
    return methodA(
      input,
      { repurchasePrice, accruedCoupon, dirtyPrice, marketValue, borrowerCashMargin, lenderCashMargin, exposure },
      rpExact,
      accruedExact,
      mvExact,
    );
  if (marketValue === 0n)
    return worthless(
      input,
      { repurchasePrice, accruedCoupon, dirtyPrice, borrowerCashMargin, lenderCashMargin, exposure },
      rpExact,
      accruedExact,
      mvExact,
    );
  const ltvExact = new Rational(exposure, marketValue);
  const ltv = ltvExact.toUnits(18, "up");

  const action: RepoAction = ltv > t.upperTrigger ? "BorrowerCall" : ltv < t.lowerTrigger ? "LenderReturn" : "None";
  const ltv0 = new Rational(t.initialLtv, WAD);
  // Signed gap to the initial LTV in currency: positive when the borrower owes.
  const gap = cash(exposure).sub(ltv0.mul(cash(marketValue)));
  const unitValue = new Rational(dirtyPrice * input.fxRate, WAD * WAD);
  const callCashExact = action === "BorrowerCall" ? gap : action === "LenderReturn" ? gap.neg() : new Rational(0n);
  const callQuantityExact = callCashExact.div(ltv0.mul(unitValue));
  const direction: Rounding = action === "BorrowerCall" ? "up" : "down";

  const output: RepoOutput = {
    skippedHoliday: false,
    repurchasePrice,
    accruedCoupon,
    dirtyPrice,
    marketValue,
    borrowerCashMargin,
    lenderCashMargin,
    exposure,
    ltv,
    action: "None",
    belowMinimumTransfer: false,
    callCash: 0n,
    callQuantity: 0n,
    transactionExposure: gap.toUnits(d, "up"),
  };
  const exact: RepoExact = {
    repurchasePrice: rpExact,
    accruedCoupon: accruedExact,
    marketValue: mvExact,
    ltv: ltvExact,
    callCash: callCashExact,
    callQuantity: callQuantityExact,
    transactionExposure: gap,
  };
  if (action === "None") return { output, exact };
  const callCash = callCashExact.cmp(0n) > 0 ? callCashExact.toUnits(d, direction) : 0n;
  if (callCash < t.minimumTransfer) {
    output.belowMinimumTransfer = true;
    return { output, exact };
  }
  output.action = action;
  output.callCash = callCash;
  const q = callQuantityExact.cmp(0n) > 0 ? callQuantityExact.round(direction) : 0n;
  // The contract reports a quantity that does not fit 256 bits as the maximum uint256.
  output.callQuantity = q > MAX_UINT256 ? MAX_UINT256 : q;
  return { output, exact };
}

export const MAX_UINT256 = (1n << 256n) - 1n;
/** Largest call (cash or quantity) an obligation of the book stores; a larger one is skipped as ValueOutOfRange. */
export const MAX_BOOK_CALL = (1n << 128n) - 1n;
/** Largest dirty price x FX rate (36 decimals) the book values; a higher one is skipped as ValueOutOfRange. */
export const MAX_UNIT_VALUE = 1n << 155n;

/**
 * Worthless collateral (market value rounds to zero): the largest margin call, not an error. LTV is the maximum
 * uint256; the borrower owes all of the exposure in cash (already whole, so rounding changes nothing), no
 * quantity; nothing when the exposure is zero, and below the minimum transfer amount as usual.
 */
function worthless(
  input: RepoInput,
  v: Pick<RepoOutput, "repurchasePrice" | "accruedCoupon" | "dirtyPrice" | "borrowerCashMargin" | "lenderCashMargin" | "exposure">,
  rpExact: Rational,
  accruedExact: Rational,
  mvExact: Rational,
): { output: RepoOutput; exact: RepoExact } {
  const output: RepoOutput = {
    skippedHoliday: false,
    ...v,
    marketValue: 0n,
    ltv: MAX_UINT256,
    action: "None",
    belowMinimumTransfer: false,
    callCash: 0n,
    callQuantity: 0n,
    transactionExposure: v.exposure,
  };
  const callCashExact = new Rational(v.exposure, 10n ** BigInt(input.terms.cashDecimals));
  const exact: RepoExact = {
    repurchasePrice: rpExact,
    accruedCoupon: accruedExact,
    marketValue: mvExact,
    ltv: new Rational(MAX_UINT256, WAD),
    callCash: v.exposure > 0n ? callCashExact : new Rational(0n),
    callQuantity: new Rational(0n),
    transactionExposure: callCashExact,
  };
  if (v.exposure === 0n) return { output, exact };
  if (v.exposure < input.terms.minimumTransfer) {
    output.belowMinimumTransfer = true;
    return { output, exact };
  }
  output.action = "BorrowerCall";
  output.callCash = v.exposure;
  return { output, exact };
}

/**
 * Method A (GMRA 2011, margin ratio MR): X = MR x RP + lender cash margin - borrower cash margin - MV, margin
 * securities at market value, no corridor. X > 0: the borrower owes ceil(X) in cash or ceil(X / unit value)
 * securities; X < 0: the lender owes floor(-X) or floor(-X / unit value); nothing when the cash is zero or below
 * the minimum transfer amount. The LTV is reported as under Method B; worthless collateral: maximum LTV, no
 * quantity.
 */
function methodA(
  input: RepoInput,
  v: Pick<
    RepoOutput,
    "repurchasePrice" | "accruedCoupon" | "dirtyPrice" | "marketValue" | "borrowerCashMargin" | "lenderCashMargin" | "exposure"
  >,
  rpExact: Rational,
  accruedExact: Rational,
  mvExact: Rational,
): { output: RepoOutput; exact: RepoExact } {
  const t = input.terms;
  const d = t.cashDecimals;
  const cash = (units: bigint) => new Rational(units, 10n ** BigInt(d));
  const x = cash(v.repurchasePrice)
    .mul(new Rational(t.marginRatio, WAD))
    .add(cash(v.lenderCashMargin))
    .sub(cash(v.borrowerCashMargin))
    .sub(cash(v.marketValue));
  const borrower = x.cmp(0n) > 0;
  const callCashExact = borrower ? x : x.neg();
  const direction: Rounding = borrower ? "up" : "down";
  const worthless = v.marketValue === 0n;
  const ltvExact = worthless ? new Rational(MAX_UINT256, WAD) : new Rational(v.exposure, v.marketValue);
  const unitValue = new Rational(v.dirtyPrice * input.fxRate, WAD * WAD);
  const callQuantityExact = worthless ? new Rational(0n) : callCashExact.div(unitValue);
  const output: RepoOutput = {
    skippedHoliday: false,
    ...v,
    ltv: worthless ? MAX_UINT256 : ltvExact.toUnits(18, "up"),
    action: "None",
    belowMinimumTransfer: false,
    callCash: 0n,
    callQuantity: 0n,
    transactionExposure: x.toUnits(d, "up"),
  };
  const exact: RepoExact = {
    repurchasePrice: rpExact,
    accruedCoupon: accruedExact,
    marketValue: mvExact,
    ltv: ltvExact,
    callCash: callCashExact,
    callQuantity: callQuantityExact,
    transactionExposure: x,
  };
  const callCash = callCashExact.toUnits(d, direction);
  if (callCash === 0n) return { output, exact };
  if (callCash < t.minimumTransfer) {
    output.belowMinimumTransfer = true;
    return { output, exact };
  }
  output.action = borrower ? "BorrowerCall" : "LenderReturn";
  output.callCash = callCash;
  const q = callQuantityExact.round(direction);
  output.callQuantity = q > MAX_UINT256 ? MAX_UINT256 : q;
  return { output, exact };
}

/** The input in the contract's ABI shape (enum as index), ready for `RepoMathHarness.revalue`. */
export function repoInputToContract(input: RepoInput) {
  return { ...input, bond: { ...input.bond, dayCount: dayCountIndex(input.bond.dayCount) } };
}

/** A contract `RepoMath.Output` (ethers Result) as a RepoOutput. */
export function repoOutputFromContract(r: {
  skippedHoliday: boolean;
  repurchasePrice: bigint;
  accruedCoupon: bigint;
  dirtyPrice: bigint;
  marketValue: bigint;
  borrowerCashMargin: bigint;
  lenderCashMargin: bigint;
  exposure: bigint;
  ltv: bigint;
  action: bigint;
  belowMinimumTransfer: boolean;
  callCash: bigint;
  callQuantity: bigint;
  transactionExposure: bigint;
}): RepoOutput {
  return {
    skippedHoliday: r.skippedHoliday,
    repurchasePrice: r.repurchasePrice,
    accruedCoupon: r.accruedCoupon,
    dirtyPrice: r.dirtyPrice,
    marketValue: r.marketValue,
    borrowerCashMargin: r.borrowerCashMargin,
    lenderCashMargin: r.lenderCashMargin,
    exposure: r.exposure,
    ltv: r.ltv,
    action: REPO_ACTIONS[Number(r.action)],
    belowMinimumTransfer: r.belowMinimumTransfer,
    callCash: r.callCash,
    callQuantity: r.callQuantity,
    transactionExposure: r.transactionExposure,
  };
}
