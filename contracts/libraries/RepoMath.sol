// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {CouponLib} from "./CouponLib.sol";
import {FixedPointMath} from "./FixedPointMath.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title RepoMath
 * @notice Revaluation of a repo with an LTV corridor (GMRA Method B) or a margin ratio (GMRA Method A)
 * (DOMAIN.md §1, §6; SPEC §5.1) as a pure function over one input struct, returning one output struct a book
 * can store and emit as it is.
 * @dev Units:
 * - money (purchase price, repurchase price, market value, cash margin, minimum transfer): smallest unit of
 *   the deal currency's cash token, with `cashDecimals` decimals (e.g. 2 for RUB kopecks);
 * - prices: 18 decimals of the security's currency per one token unit of the security (bonds: clean price
 *   per token unit of face, e.g. 1012.5e18 for a 1,000 face bond quoted at 101.25%);
 * - FX: 18 decimals, deal currency per one unit of the security's currency (1e18 when they are the same);
 * - rates (repo rate, rate on cash margin) and ratios (LTV, triggers): WAD per year / WAD;
 * - dates: day numbers (DateLib); quantities: integer token units.
 * Every money amount is rounded once from exact inputs; ratios and calls are computed from the rounded money
 * amounts, so an auditor can replay every output from the emitted ones. Rounding (docs/math.md):
 * interest up (whoever holds the money owes it), collateral value down, LTV up, borrower calls up,
 * lender returns down: after a transfer the LTV is never above the initial LTV.
 * Worthless collateral (a market value that rounds to zero) is the largest margin call, not an error: LTV is
 * reported as the maximum uint256 and the borrower owes, in cash, all of the exposure (no quantity of a
 * worthless security restores the LTV), subject to the minimum transfer amount.
 * Range: with terms as a book stores them (amounts below 2^128, rates and ratios below 2^64, quantity below
 * 2^96) and dirtyPrice x fxRate at most 2^155 (the book skips a
 * deal priced above), no step overflows; a quantity call that would not fit 256 bits
 * is reported as the maximum uint256.
 */
library RepoMath {
    using FixedPointMath for uint256;

    /// @notice What a revaluation asks for.
    enum Action {
        None,
        BorrowerCall,
        LenderReturn
    }

    /// @notice Deal terms that revaluation reads.
    /// @param purchasePrice Cash paid by the lender on the purchase date (cash-token units).
    /// @param repoRate Repo rate, WAD per year.
    /// @param basis Day basis of repo and cash-margin interest: 360 or 365 (actual days / basis).
    /// @param startDate First day of interest (purchase or signing date, inclusive).
    /// @param initialLtv LTV that a margin transfer restores, WAD.
    /// @param lowerTrigger Below this LTV the lender owes margin, WAD.
    /// @param upperTrigger Above this LTV the borrower owes margin, WAD.
    /// @param minimumTransfer No obligation when the cash amount of the call is below this (cash-token units).
    /// @param cashMarginRate Interest on cash margin, WAD per year, accrued on the deal's basis.
    /// @param cashDecimals Decimals of the deal currency's cash token (0..18).
    /// @param marginRatio GMRA margin ratio MR, WAD (at least 1e18), electing Method A; zero elects Method B
    /// (the LTV corridor). Under Method A the corridor is not used and may be zero.
    struct Terms {
        uint256 purchasePrice;
        uint256 repoRate;
        uint256 basis;
        uint256 startDate;
        uint256 initialLtv;
        uint256 lowerTrigger;
        uint256 upperTrigger;
        uint256 minimumTransfer;
        uint256 cashMarginRate;
        uint8 cashDecimals;
        uint256 marginRatio;
    }

    /// @notice One cash margin transfer still held.
    /// @param amount Cash-token units transferred.
    /// @param postedOn Day the margin was received (interest from this day, inclusive).
    /// @param byLender True for cash the lender paid the borrower ("lends more"), false for borrower margin.
    struct CashMargin {
        uint256 amount;
        uint256 postedOn;
        bool byLender;
    }

    /// @notice Everything one revaluation needs.
    /// @param terms Deal terms.
    /// @param isBond True for a bond (dirty price = clean + accrued coupon), false for an equity.
    /// @param bond Bond data (ignored for equities).
    /// @param valuationDate Business date of the revaluation (interest to this day, exclusive).
    /// @param cleanPrice Oracle price, 18 decimals of the security's currency per token unit.
    /// @param fxRate Deal currency per unit of the security's currency, 18 decimals.
    /// @param holiday True when the date is a holiday of the deal's calendar: nothing is computed.
    /// @param quantity Collateral held: purchased quantity plus net securities margin (token units).
    /// @param cashMargins Cash margin transfers held, with their dates.
    struct Input {
        Terms terms;
        bool isBond;
        CouponLib.Bond bond;
        uint256 valuationDate;
        uint256 cleanPrice;
        uint256 fxRate;
        bool holiday;
        uint256 quantity;
        CashMargin[] cashMargins;
    }

    /// @notice The result of one revaluation.
    /// @param skippedHoliday True when the date is a holiday; every other field is then zero.
    /// @param repurchasePrice PP + interest (rounded up), cash-token units.
    /// @param accruedCoupon Accrued coupon per token unit (rounded down), 18 decimals (0 for equities).
    /// @param dirtyPrice cleanPrice + accruedCoupon, 18 decimals.
    /// @param marketValue quantity x dirtyPrice x fxRate (rounded down), cash-token units.
    /// @param borrowerCashMargin Borrower cash margin with interest (each transfer's interest rounded up).
    /// @param lenderCashMargin Lender cash margin with interest (each transfer's interest rounded up).
    /// @param exposure max(0, repurchasePrice - borrowerCashMargin + lenderCashMargin), cash-token units.
    /// @param ltv exposure / marketValue (rounded up), WAD; the maximum uint256 when marketValue is zero.
    /// @param action None, BorrowerCall (LTV above the upper trigger) or LenderReturn (below the lower).
    /// @param belowMinimumTransfer True when a call was due (Method B: a trigger crossed; Method A: a non-zero
    /// exposure) but its cash size is below the minimum transfer amount: action is then None, amounts zero.
    /// @param callCash Cash that restores the initial LTV (borrower: rounded up; lender: rounded down); with
    /// worthless collateral all of the exposure.
    /// @param callQuantity Securities that restore the initial LTV (borrower: rounded up; lender: down); zero
    /// with worthless collateral, the maximum uint256 when it does not fit 256 bits.
    /// @param transactionExposure The deal's exposure under its margin method, net of its cash margin, signed
    /// from the lender's side (positive: the borrower owes), rounded up (toward the lender): Method B
    /// exposure - initialLtv x marketValue (margin securities haircut like the purchased ones); Method A
    /// marginRatio x repurchasePrice + lenderCashMargin - borrowerCashMargin - marketValue (margin securities
    /// at market value). A call's cash is its absolute value.
    struct Output {
        bool skippedHoliday;
        uint256 repurchasePrice;
        uint256 accruedCoupon;
        uint256 dirtyPrice;
        uint256 marketValue;
        uint256 borrowerCashMargin;
        uint256 lenderCashMargin;
        uint256 exposure;
        uint256 ltv;
        Action action;
        bool belowMinimumTransfer;
        uint256 callCash;
        uint256 callQuantity;
        int256 transactionExposure;
    }

    /// @notice Thrown when the interest basis is neither 360 nor 365.
    error RepoMathBasisInvalid(uint256 basis);
    /// @notice Thrown unless 0 < lowerTrigger <= initialLtv <= upperTrigger.
    error RepoMathCorridorInvalid(uint256 lowerTrigger, uint256 initialLtv, uint256 upperTrigger);
    /// @notice Thrown when the cash token has more than 18 decimals.
    error RepoMathCashDecimalsInvalid(uint8 cashDecimals);
    /// @notice Thrown when interest would run backwards (valuation or posting date before its start).
    error RepoMathDateBeforeStart(uint256 start, uint256 date);
    /// @notice Thrown when a Method A margin ratio is below 1e18 (100%).
    error RepoMathMarginRatioInvalid(uint256 marginRatio);

    /// @notice Revalues a deal; pure, so the same input always yields the same output.
    /// @dev Requires valid terms (basis, corridor, decimals), valuationDate >= startDate and every margin
    /// posted on or before valuationDate. On a holiday returns at once with skippedHoliday = true. A zero
    /// collateral value gives the maximum LTV and a borrower call in cash for the whole exposure.
    function revalue(Input memory input) internal pure returns (Output memory out) {
        if (input.holiday) {
            out.skippedHoliday = true;
            return out;
        }
        Terms memory t = input.terms;
        _checkTerms(t);

        out.repurchasePrice = accrueUp(t.purchasePrice, t.repoRate, t.startDate, input.valuationDate, t.basis);
        if (input.isBond) out.accruedCoupon = CouponLib.accruedPerUnitDown(input.bond, input.valuationDate);
        out.dirtyPrice = input.cleanPrice + out.accruedCoupon;
        out.marketValue = marketValueDown(input.quantity, out.dirtyPrice, input.fxRate, t.cashDecimals);

        for (uint256 i = 0; i < input.cashMargins.length; i++) {
            CashMargin memory c = input.cashMargins[i];
            uint256 value = accrueUp(c.amount, t.cashMarginRate, c.postedOn, input.valuationDate, t.basis);
            if (c.byLender) out.lenderCashMargin += value;
            else out.borrowerCashMargin += value;
        }
        uint256 owed = out.repurchasePrice + out.lenderCashMargin;
        out.exposure = owed > out.borrowerCashMargin ? owed - out.borrowerCashMargin : 0;
        if (t.marginRatio != 0) {
            _methodA(out, t, out.dirtyPrice * input.fxRate);
            return out;
        }
        if (out.marketValue == 0) {
            _worthless(out, t.minimumTransfer);
            return out;
        }
        out.ltv = ltvUp(out.exposure, out.marketValue);
        // Method B transaction exposure x WAD: exposure x WAD - initialLtv x marketValue, signed. In range (see
        // the contract's notes) both products stay below 2^256 and the quotients below 2^255.
        unchecked {
            uint256 a = out.exposure * FixedPointMath.WAD;
            uint256 b = t.initialLtv * out.marketValue;
            out.transactionExposure =
                a >= b
                    ? int256((a - b + FixedPointMath.WAD - 1) / FixedPointMath.WAD)
                    : -int256((b - a) / FixedPointMath.WAD);
        }

        Action action = classify(out.ltv, t.lowerTrigger, t.upperTrigger);
        if (action != Action.None) _sizeCall(out, t, action, out.dirtyPrice * input.fxRate);
    }

    /// @notice amount + interest at `rate` for actual days [from, to) over `basis`; interest rounded up.
    /// @dev amount + ceil(amount x rate x days / (WAD x basis)). Up: the party holding the money owes the
    /// interest (repo interest by the borrower, cash-margin interest by the receiver of the margin).
    function accrueUp(
        uint256 amount,
        uint256 rate,
        uint256 from,
        uint256 to,
        uint256 basis
    ) internal pure returns (uint256) {
        if (to < from) revert RepoMathDateBeforeStart(from, to);
        return amount + amount.mulDivUp(rate * (to - from), FixedPointMath.WAD * basis);
    }

    /// @notice quantity x price x fx in cash-token units, rounded down (collateral value, against the borrower).
    /// @dev floor(quantity x price x fx / 10^(36 - cashDecimals)), one rounding over the exact product.
    function marketValueDown(
        uint256 quantity,
        uint256 price,
        uint256 fxRate,
        uint8 cashDecimals
    ) internal pure returns (uint256) {
        return quantity.mulDivDown(price * fxRate, 10 ** (36 - uint256(cashDecimals)));
    }

    /// @notice exposure / marketValue as a WAD, rounded up (a higher LTV is against the borrower).
    function ltvUp(uint256 exposure, uint256 marketValue) internal pure returns (uint256) {
        return exposure.wDivUp(marketValue);
    }

    /// @notice Corridor: above upper -> BorrowerCall, below lower -> LenderReturn, triggers themselves -> None.
    function classify(uint256 ltv, uint256 lowerTrigger, uint256 upperTrigger) internal pure returns (Action) {
        if (ltv > upperTrigger) return Action.BorrowerCall;
        if (ltv < lowerTrigger) return Action.LenderReturn;
        return Action.None;
    }

    /// @notice Cash the borrower pays so that (exposure - cash) / marketValue = initialLtv; rounded up.
    /// @dev ceil((exposure x WAD - initialLtv x marketValue) / WAD); zero when already at or below target.
    /// Equals GMRA Method B net exposure RP - MV x (1 - H) - net cash margin with 1 - H = initialLtv.
    function borrowerCashCallUp(
        uint256 exposure,
        uint256 marketValue,
        uint256 initialLtv
    ) internal pure returns (uint256) {
        uint256 a = exposure * FixedPointMath.WAD;
        uint256 b = initialLtv * marketValue;
        return a > b ? FixedPointMath.divUp(a - b, FixedPointMath.WAD) : 0;
    }

    /// @notice Cash the lender pays so that (exposure + cash) / marketValue = initialLtv; rounded down.
    /// @dev floor((initialLtv x marketValue - exposure x WAD) / WAD); zero when already at or above target.
    function lenderCashReturnDown(
        uint256 exposure,
        uint256 marketValue,
        uint256 initialLtv
    ) internal pure returns (uint256) {
        uint256 a = exposure * FixedPointMath.WAD;
        uint256 b = initialLtv * marketValue;
        return b > a ? (b - a) / FixedPointMath.WAD : 0;
    }

    /// @notice Securities the borrower delivers so that exposure / (marketValue + q x unit value) = initialLtv.
    /// @dev ceil((exposure x WAD - initialLtv x marketValue) x 10^(36 - d) / (initialLtv x price x fx)), where
    /// unitValueNumerator = dirtyPrice x fxRate (36 decimals of deal currency per unit).
    function borrowerQuantityCallUp(
        uint256 exposure,
        uint256 marketValue,
        uint256 initialLtv,
        uint256 unitValueNumerator,
        uint8 cashDecimals
    ) internal pure returns (uint256) {
        uint256 a = exposure * FixedPointMath.WAD;
        uint256 b = initialLtv * marketValue;
        if (a <= b) return 0;
        return _quantity(a - b, cashDecimals, initialLtv * unitValueNumerator, true);
    }

    /// @notice Securities the lender returns so that exposure / (marketValue - q x unit value) = initialLtv.
    /// @dev floor((initialLtv x marketValue - exposure x WAD) x 10^(36 - d) / (initialLtv x price x fx)).
    function lenderQuantityReturnDown(
        uint256 exposure,
        uint256 marketValue,
        uint256 initialLtv,
        uint256 unitValueNumerator,
        uint8 cashDecimals
    ) internal pure returns (uint256) {
        uint256 a = exposure * FixedPointMath.WAD;
        uint256 b = initialLtv * marketValue;
        if (b <= a) return 0;
        return _quantity(b - a, cashDecimals, initialLtv * unitValueNumerator, false);
    }

    /// @dev gap x 10^(36 - d) / denominator rounded up or down; the maximum uint256 when it does not fit.
    function _quantity(uint256 gap, uint8 cashDecimals, uint256 denominator, bool up) private pure returns (uint256) {
        uint256 scale = 10 ** (36 - uint256(cashDecimals));
        (uint256 high, ) = Math.mul512(gap, scale);
        if (high >= denominator) return type(uint256).max;
        uint256 q = gap.mulDivDown(scale, denominator);
        if (up && q != type(uint256).max && mulmod(gap, scale, denominator) != 0) ++q;
        return q;
    }

    function _checkTerms(Terms memory t) private pure {
        if (t.basis != 360 && t.basis != 365) revert RepoMathBasisInvalid(t.basis);
        if (t.marginRatio != 0) {
            if (t.marginRatio < FixedPointMath.WAD) revert RepoMathMarginRatioInvalid(t.marginRatio);
        } else if (t.lowerTrigger == 0 || t.lowerTrigger > t.initialLtv || t.initialLtv > t.upperTrigger) {
            revert RepoMathCorridorInvalid(t.lowerTrigger, t.initialLtv, t.upperTrigger);
        }
        if (t.cashDecimals > 18) revert RepoMathCashDecimalsInvalid(t.cashDecimals);
    }

    /// @dev Method A (GMRA 2011 2(xx), 4(a)): X = marginRatio x repurchasePrice + lenderCashMargin -
    /// borrowerCashMargin - marketValue, margin securities at market value. No corridor: X > 0 is a borrower
    /// call of ceil(X) in cash or ceil(X / unit value) securities; X < 0 a lender return of floor(-X) in cash or
    /// floor(-X / unit value) securities; either only from the minimum transfer amount (and never of zero).
    /// The LTV is reported as under Method B. Worthless collateral: maximum LTV and a cash call only.
    function _methodA(Output memory out, Terms memory t, uint256 unitValueNumerator) private pure {
        uint256 wad = FixedPointMath.WAD;
        bool borrower;
        uint256 gap;
        // In range (see the contract's notes): ratio x price below 2^200, money x WAD below 2^252.
        unchecked {
            uint256 a = t.marginRatio * out.repurchasePrice + out.lenderCashMargin * wad;
            uint256 b = (out.borrowerCashMargin + out.marketValue) * wad;
            borrower = a > b;
            gap = borrower ? a - b : b - a;
            out.callCash = borrower ? (gap + wad - 1) / wad : gap / wad;
            out.transactionExposure = borrower ? int256(out.callCash) : -int256(out.callCash);
        }
        out.ltv = out.marketValue == 0 ? type(uint256).max : ltvUp(out.exposure, out.marketValue);
        if (out.callCash == 0) return;
        if (out.callCash < t.minimumTransfer) {
            out.belowMinimumTransfer = true;
            out.callCash = 0;
            return;
        }
        out.action = borrower ? Action.BorrowerCall : Action.LenderReturn;
        if (out.marketValue != 0) {
            out.callQuantity = _quantity(gap, t.cashDecimals, wad * unitValueNumerator, borrower);
        }
    }

    /// @dev Worthless collateral: maximum LTV; the borrower owes all of the exposure in cash (none when the
    /// exposure is zero), or nothing when that is below the minimum transfer amount.
    function _worthless(Output memory out, uint256 minimumTransfer) private pure {
        out.ltv = type(uint256).max;
        out.transactionExposure = int256(out.exposure);
        if (out.exposure == 0) return;
        if (out.exposure < minimumTransfer) {
            out.belowMinimumTransfer = true;
            return;
        }
        out.action = Action.BorrowerCall;
        out.callCash = out.exposure;
    }

    /// @dev Sizes the call of `action` (not None) into `out`, or marks it below the minimum transfer amount.
    function _sizeCall(Output memory out, Terms memory t, Action action, uint256 unitValueNumerator) private pure {
        bool borrower = action == Action.BorrowerCall;
        // |transactionExposure| is borrowerCashCallUp or lenderCashReturnDown: beyond a trigger the sign follows
        // the side (LTV above the upper trigger >= initial LTV, or below the lower one <= initial LTV).
        int256 x = out.transactionExposure;
        out.callCash = uint256(borrower ? x : -x);
        if (out.callCash < t.minimumTransfer) {
            out.belowMinimumTransfer = true;
            out.callCash = 0;
            return;
        }
        out.action = action;
        out.callQuantity =
            borrower
                ? borrowerQuantityCallUp(
                    out.exposure,
                    out.marketValue,
                    t.initialLtv,
                    unitValueNumerator,
                    t.cashDecimals
                )
                : lenderQuantityReturnDown(
                    out.exposure,
                    out.marketValue,
                    t.initialLtv,
                    unitValueNumerator,
                    t.cashDecimals
                );
    }
}
