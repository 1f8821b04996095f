// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {DayCountConvention} from "./DayCountConvention.sol";
import {DayCountLib} from "./DayCountLib.sol";
import {FixedPointMath} from "./FixedPointMath.sol";

/**
 * @title PledgeMath
 * @notice Daily valuation of a stock pledge (DOMAIN.md §2, §6; SPEC §5.2) as a pure function over one input
 * struct: amount payable, collateral value, performance-guarantee ratio, level, top-up and enforcement sizes.
 * @dev Units: money in the smallest unit of the loan currency's cash token (`cashDecimals`); close price
 * 18 decimals of that currency per share (token unit); rates WAD per year; ratios and lines WAD
 * (1.6e18 = 160%); dates day numbers; shares integer token units.
 * Rounding against the pledger, who owes: interest up, share value down, ratio down, top-ups and
 * enforcement quantities up (extra shares to a whole board lot), initial pledge rate up, line prices down (at
 * the published price the line is hit). The level compares exactly (collateral x WAD <= line x payable), so a
 * boundary hit exactly is inclusive ("equal to or below the line") and the rounded ratio never decides it.
 */
library PledgeMath {
    using FixedPointMath for uint256;

    /// @notice Coverage level; boundaries inclusive.
    enum Level {
        Normal,
        Warning,
        Liquidation
    }

    /// @notice Loan and line terms of a pledge.
    /// @param principal Initial loan principal (cash-token units).
    /// @param interestRate Simple interest rate, WAD per year.
    /// @param dayCount Interest basis (default Act365Fixed; ActActIcma is not accepted).
    /// @param startDate First day of interest (inclusive).
    /// @param warningLine Ratio at or below which the level is Warning, WAD (default 1.6e18).
    /// @param liquidationLine Ratio at or below which the level is Liquidation, WAD (default 1.4e18).
    /// @param restoreTarget Ratio that a top-up restores, WAD (default: the initial ratio).
    /// @param cashDecimals Decimals of the loan currency's cash token (0..18).
    /// @param topUpAtWarning A top-up is due from the Warning level (false: from the Liquidation level).
    /// @param principalFirst Repayments reduce principal, interest stays accrued and owed (false: interest first).
    /// @param boardLot Board lot of the security: extra shares are a whole number of lots (0 or 1: any quantity).
    struct Terms {
        uint256 principal;
        uint256 interestRate;
        DayCountConvention dayCount;
        uint256 startDate;
        uint256 warningLine;
        uint256 liquidationLine;
        uint256 restoreTarget;
        uint8 cashDecimals;
        bool topUpAtWarning;
        bool principalFirst;
        uint256 boardLot;
    }

    /// @notice A repayment already made: interest first then principal, or principal first then interest
    /// (`Terms.principalFirst`).
    struct Repayment {
        uint256 date;
        uint256 amount;
    }

    /// @notice Everything one pledge valuation needs.
    /// @param terms Pledge terms.
    /// @param valuationDate Business date (interest to this day, exclusive).
    /// @param closePrice Close (or last close) per share, 18 decimals.
    /// @param shares Pledged shares.
    /// @param pledgedCash Pledged cash, e.g. dividends paid on pledged shares (cash-token units).
    /// @param repayments Repayments made, in date order, between startDate and valuationDate.
    struct Input {
        Terms terms;
        uint256 valuationDate;
        uint256 closePrice;
        uint256 shares;
        uint256 pledgedCash;
        Repayment[] repayments;
    }

    /// @notice The result of one pledge valuation (all money in cash-token units).
    /// @param principalOutstanding Principal after repayments.
    /// @param interestUnpaid Accrued unpaid interest (each accrual segment rounded up).
    /// @param amountPayable principalOutstanding + interestUnpaid.
    /// @param shareValue shares x closePrice, rounded down.
    /// @param collateralValue shareValue + pledgedCash.
    /// @param ratio collateralValue / payable, WAD, rounded down (type(uint256).max when nothing is owed).
    /// @param level Normal, Warning or Liquidation (inclusive lines, exact comparison).
    /// @param topUpShares When a top-up is due (at Liquidation, or from Warning when the terms say so): extra
    /// shares restoring restoreTarget, rounded up to a whole board lot (else 0).
    /// @param topUpCash When a top-up is due: extra pledged cash restoring restoreTarget, rounded up (else 0).
    /// @param topUpRepayment When a top-up is due: early repayment restoring restoreTarget, rounded up (else 0).
    /// @param warningPrice Highest close (18 decimals) at which the ratio is at or below the warning line, the
    /// exact line price rounded down (0 when no positive close reaches it).
    /// @param liquidationPrice The same for the liquidation line.
    /// @param enforcementCash Pledged cash applied to the debt on enforcement: min(pledgedCash, payable).
    /// @param enforcementShares Shares covering the rest at the close, rounded up, at most `shares`.
    /// @param enforcementShortfall Debt the enforced shares do not cover at the close (0 when covered).
    struct Output {
        uint256 principalOutstanding;
        uint256 interestUnpaid;
        uint256 amountPayable;
        uint256 shareValue;
        uint256 collateralValue;
        uint256 ratio;
        Level level;
        uint256 topUpShares;
        uint256 topUpCash;
        uint256 topUpRepayment;
        uint256 warningPrice;
        uint256 liquidationPrice;
        uint256 enforcementCash;
        uint256 enforcementShares;
        uint256 enforcementShortfall;
    }

    /// @notice Thrown unless 0 < liquidationLine <= warningLine <= restoreTarget.
    error PledgeMathLinesInvalid(uint256 liquidationLine, uint256 warningLine, uint256 restoreTarget);
    /// @notice Thrown when the cash token has more than 18 decimals.
    error PledgeMathCashDecimalsInvalid(uint8 cashDecimals);
    /// @notice Thrown when the close price is zero.
    error PledgeMathPriceZero();
    /// @notice Thrown when a repayment or the valuation date is before the previous date of the loan.
    error PledgeMathDateOutOfOrder(uint256 date, uint256 previous);
    /// @notice Thrown when a repayment exceeds what is owed on its date.
    error PledgeMathRepaymentExceedsDebt(uint256 amount, uint256 owed);

    /// @notice Values a pledge; pure, so the same input always yields the same output.
    /// @dev Requires valid lines and decimals, a non-zero close, and repayments in date order within
    /// [startDate, valuationDate], each at most what is owed on its day.
    function value(Input memory input) internal pure returns (Output memory out) {
        Terms memory t = input.terms;
        if (t.liquidationLine == 0 || t.liquidationLine > t.warningLine || t.warningLine > t.restoreTarget) {
            revert PledgeMathLinesInvalid(t.liquidationLine, t.warningLine, t.restoreTarget);
        }
        if (t.cashDecimals > 18) revert PledgeMathCashDecimalsInvalid(t.cashDecimals);
        if (input.closePrice == 0) revert PledgeMathPriceZero();

        (out.principalOutstanding, out.interestUnpaid) = debt(t, input.repayments, input.valuationDate);
        out.amountPayable = out.principalOutstanding + out.interestUnpaid;
        out.shareValue = shareValueDown(input.shares, input.closePrice, t.cashDecimals);
        out.collateralValue = out.shareValue + input.pledgedCash;
        out.ratio = ratioDown(out.collateralValue, out.amountPayable);
        out.level = levelOf(out.collateralValue, out.amountPayable, t.warningLine, t.liquidationLine);
        (out.warningPrice, out.liquidationPrice) = linePricesDown(
            out.amountPayable,
            input.pledgedCash,
            input.shares,
            t.warningLine,
            t.liquidationLine,
            t.cashDecimals
        );

        if (topUpDue(out.level, t.topUpAtWarning)) {
            (out.topUpShares, out.topUpCash, out.topUpRepayment) = topUps(
                out.collateralValue,
                out.amountPayable,
                t.restoreTarget,
                input.closePrice,
                t.cashDecimals
            );
            out.topUpShares = toBoardLotUp(out.topUpShares, t.boardLot);
        }
        (out.enforcementCash, out.enforcementShares, out.enforcementShortfall) = enforcementAmounts(
            input.pledgedCash,
            input.shares,
            out.shareValue,
            out.amountPayable,
            input.closePrice,
            t.cashDecimals
        );
    }

    /// @notice Whether a valuation at `level` calls a top-up: at Liquidation, or from Warning when `atWarning`.
    function topUpDue(Level level, bool atWarning) internal pure returns (bool) {
        return level == Level.Liquidation || (atWarning && level == Level.Warning);
    }

    /// @notice `shares` rounded up to a whole number of board lots (`lot` 0 or 1: unchanged).
    function toBoardLotUp(uint256 shares, uint256 lot) internal pure returns (uint256) {
        if (lot <= 1) return shares;
        return FixedPointMath.divUp(shares, lot) * lot;
    }

    /// @notice Initial pledge rate: principal / value of the pledged shares at the initial price, WAD, rounded
    /// up (the rate is never understated); type(uint256).max when the shares are worth nothing.
    /// @param shareValue Value of the pledged shares at the initial price, rounded down ({shareValueDown}).
    function initialRateUp(uint256 principal, uint256 shareValue) internal pure returns (uint256) {
        return shareValue == 0 ? type(uint256).max : principal.wDivUp(shareValue);
    }

    /// @notice Whether the initial pledge rate is above `cap` (WAD), by exact comparison: principal x WAD >
    /// cap x shareValue. A rate equal to the cap is accepted.
    function initialRateAbove(uint256 principal, uint256 shareValue, uint256 cap) internal pure returns (bool) {
        return principal * FixedPointMath.WAD > cap * shareValue;
    }

    /// @notice The close (18 decimals) at which the ratio equals `line`, rounded down so that at that close the
    /// line is hit: floor((line x payable - pledgedCash x WAD) x 10^(18-d) / (WAD x shares)). With the share
    /// value rounded down, every close at or below it gives collateral x WAD <= line x payable. Zero when no
    /// positive close is needed or possible (nothing owed, no shares, or the pledged cash alone at or above
    /// the line).
    function linePriceDown(
        uint256 payable_,
        uint256 pledgedCash,
        uint256 shares,
        uint256 line,
        uint8 cashDecimals
    ) internal pure returns (uint256) {
        (uint256 price, ) = linePricesDown(payable_, pledgedCash, shares, line, line, cashDecimals);
        return price;
    }

    /// @notice {linePriceDown} for the warning and the liquidation line at once (one scale, one denominator).
    function linePricesDown(
        uint256 payable_,
        uint256 pledgedCash,
        uint256 shares,
        uint256 warningLine,
        uint256 liquidationLine,
        uint8 cashDecimals
    ) internal pure returns (uint256 warningPrice, uint256 liquidationPrice) {
        return linePricesScaled(payable_, pledgedCash, shares, warningLine, liquidationLine, priceScale(cashDecimals));
    }

    /// @notice {linePricesDown} with the price scale 10^(18 - cashDecimals) given ({priceScale}).
    function linePricesScaled(
        uint256 payable_,
        uint256 pledgedCash,
        uint256 shares,
        uint256 warningLine,
        uint256 liquidationLine,
        uint256 scale
    ) internal pure returns (uint256 warningPrice, uint256 liquidationPrice) {
        if (shares == 0) return (0, 0);
        // Any pledge the book holds is within these bounds (payable and cash below 2^128, shares below 2^96,
        // lines below 2^64): every product below fits 256 bits (gap x scale < 2^192 x 2^60).
        if (payable_ < 2 ** 128 && pledgedCash < 2 ** 128 && shares < 2 ** 96 && warningLine < 2 ** 64) {
            if (liquidationLine < 2 ** 64) {
                unchecked {
                    uint256 have = pledgedCash * FixedPointMath.WAD;
                    uint256 den = FixedPointMath.WAD * shares;
                    uint256 need = warningLine * payable_;
                    if (need > have) warningPrice = ((need - have) * scale) / den;
                    need = liquidationLine * payable_;
                    if (need > have) liquidationPrice = ((need - have) * scale) / den;
                }
                return (warningPrice, liquidationPrice);
            }
        }
        warningPrice = _linePriceWide(payable_, pledgedCash, shares, warningLine, scale);
        liquidationPrice = _linePriceWide(payable_, pledgedCash, shares, liquidationLine, scale);
    }

    /// @dev {linePriceDown} for inputs beyond the book's bounds: 512-bit intermediate product.
    function _linePriceWide(
        uint256 payable_,
        uint256 pledgedCash,
        uint256 shares,
        uint256 line,
        uint256 scale
    ) private pure returns (uint256) {
        uint256 need = line * payable_;
        uint256 have = pledgedCash * FixedPointMath.WAD;
        if (need <= have) return 0;
        return (need - have).mulDivDown(scale, FixedPointMath.WAD * shares);
    }

    /// @notice 10^(18 - cashDecimals): price units (18 decimals) per cash-token unit. Reverts above 18 decimals.
    function priceScale(uint8 cashDecimals) internal pure returns (uint256 scale) {
        uint256 e = 18 - uint256(cashDecimals);
        // e <= 18: 10^e fits; the EXP opcode directly (the compiler's checked power loops).
        assembly ("memory-safe") {
            scale := exp(10, e)
        }
    }

    /// @notice The three ways back to `target` from a valuation that calls a top-up, each rounded up: extra
    /// shares, extra pledged cash, or an early repayment.
    function topUps(
        uint256 collateralValue,
        uint256 payable_,
        uint256 target,
        uint256 closePrice,
        uint8 cashDecimals
    ) internal pure returns (uint256 shares, uint256 cash, uint256 repayment) {
        shares = topUpSharesUp(collateralValue, payable_, target, closePrice, cashDecimals);
        cash = topUpCashUp(collateralValue, payable_, target);
        repayment = topUpRepaymentUp(collateralValue, payable_, target);
    }

    /// @notice What an enforcement takes for `payable_`: pledged cash first, then the shares worth the rest at
    /// the close (rounded up), at most every pledged share; `shortfall` is what the shares cannot cover.
    /// @param shareValue Value of all `shares` at the close (rounded down), as in the valuation.
    function enforcementAmounts(
        uint256 pledgedCash,
        uint256 shares,
        uint256 shareValue,
        uint256 payable_,
        uint256 closePrice,
        uint8 cashDecimals
    ) internal pure returns (uint256 cashTaken, uint256 sharesTaken, uint256 shortfall) {
        cashTaken = pledgedCash < payable_ ? pledgedCash : payable_;
        uint256 rest = payable_ - cashTaken;
        sharesTaken = sharesForAmountUp(rest, closePrice, cashDecimals);
        if (sharesTaken > shares) {
            sharesTaken = shares;
            shortfall = rest - shareValue;
        }
    }

    /// @notice Outstanding principal and accrued unpaid interest at `valuationDate` after `repayments`.
    /// @dev Walks the repayments in order: interest on the principal since the previous date accrues
    /// (rounded up) into unpaid interest, then the repayment is applied ({applyRepayment}).
    function debt(
        Terms memory t,
        Repayment[] memory repayments,
        uint256 valuationDate
    ) internal pure returns (uint256 principal, uint256 interest) {
        principal = t.principal;
        uint256 from = t.startDate;
        for (uint256 i = 0; i < repayments.length; i++) {
            Repayment memory r = repayments[i];
            if (r.date < from || r.date > valuationDate) revert PledgeMathDateOutOfOrder(r.date, from);
            interest += interestUp(principal, t.interestRate, t.dayCount, from, r.date);
            if (r.amount > principal + interest) revert PledgeMathRepaymentExceedsDebt(r.amount, principal + interest);
            (principal, interest, , ) = applyRepayment(principal, interest, r.amount, t.principalFirst);
            from = r.date;
        }
        if (valuationDate < from) revert PledgeMathDateOutOfOrder(valuationDate, from);
        interest += interestUp(principal, t.interestRate, t.dayCount, from, valuationDate);
    }

    /// @notice Applies a repayment of at most principal + interest: interest first then principal, or with
    /// `principalFirst` principal first (interest stays accrued and owed) then interest.
    function applyRepayment(
        uint256 principal,
        uint256 interest,
        uint256 amount,
        bool principalFirst
    ) internal pure returns (uint256 principalAfter, uint256 interestAfter, uint256 toInterest, uint256 toPrincipal) {
        if (principalFirst) {
            toPrincipal = amount < principal ? amount : principal;
            toInterest = amount - toPrincipal;
        } else {
            toInterest = amount < interest ? amount : interest;
            toPrincipal = amount - toInterest;
        }
        principalAfter = principal - toPrincipal;
        interestAfter = interest - toInterest;
    }

    /// @notice Simple interest on `principal` over [from, to) under `dayCount`, rounded up (the pledger owes).
    function interestUp(
        uint256 principal,
        uint256 rate,
        DayCountConvention dayCount,
        uint256 from,
        uint256 to
    ) internal pure returns (uint256) {
        (uint256 num, uint256 den) = DayCountLib.fraction(dayCount, from, to);
        return principal.mulDivUp(rate * num, FixedPointMath.WAD * den);
    }

    /// @notice shares x closePrice in cash-token units, rounded down (collateral value, against the pledger).
    function shareValueDown(uint256 shares, uint256 closePrice, uint8 cashDecimals) internal pure returns (uint256) {
        return shareValueScaled(shares, closePrice, priceScale(cashDecimals));
    }

    /// @notice {shareValueDown} with the price scale 10^(18 - cashDecimals) given ({priceScale}).
    function shareValueScaled(uint256 shares, uint256 closePrice, uint256 scale) internal pure returns (uint256) {
        // Below 2^128 each (any pledge the book holds, any oracle price) the product fits 256 bits.
        if (shares < 2 ** 128 && closePrice < 2 ** 128) {
            unchecked {
                return (shares * closePrice) / scale;
            }
        }
        return shares.mulDivDown(closePrice, scale);
    }

    /// @notice collateral / payable, WAD, rounded down; type(uint256).max when nothing is owed.
    function ratioDown(uint256 collateralValue, uint256 payable_) internal pure returns (uint256) {
        if (payable_ == 0) return type(uint256).max;
        // Below 2^192 the product with WAD (< 2^60) fits 256 bits.
        if (collateralValue < 2 ** 192) {
            unchecked {
                return (collateralValue * FixedPointMath.WAD) / payable_;
            }
        }
        return collateralValue.wDivDown(payable_);
    }

    /// @notice Shares worth at least `amount` at the close, rounded up.
    function sharesForAmountUp(uint256 amount, uint256 closePrice, uint8 cashDecimals) internal pure returns (uint256) {
        return amount.mulDivUp(priceScale(cashDecimals), closePrice);
    }

    /// @notice Level by exact comparison: collateral x WAD <= line x payable is at or below the line.
    function levelOf(
        uint256 collateralValue,
        uint256 payable_,
        uint256 warningLine,
        uint256 liquidationLine
    ) internal pure returns (Level) {
        if (payable_ == 0) return Level.Normal;
        uint256 c = collateralValue * FixedPointMath.WAD;
        if (c <= liquidationLine * payable_) return Level.Liquidation;
        if (c <= warningLine * payable_) return Level.Warning;
        return Level.Normal;
    }

    /// @notice Extra shares bringing the ratio to `target`: ceil((target x payable - collateral x WAD) /
    /// (close x 10^d)); zero when already there.
    function topUpSharesUp(
        uint256 collateralValue,
        uint256 payable_,
        uint256 target,
        uint256 closePrice,
        uint8 cashDecimals
    ) internal pure returns (uint256) {
        uint256 gap = _gap(collateralValue, payable_, target);
        if (gap == 0) return 0;
        if (cashDecimals > 18) revert PledgeMathCashDecimalsInvalid(cashDecimals);
        uint256 cashScale;
        // cashDecimals <= 18: 10^cashDecimals fits.
        assembly ("memory-safe") {
            cashScale := exp(10, cashDecimals)
        }
        return FixedPointMath.divUp(gap, closePrice * cashScale);
    }

    /// @notice Extra pledged cash bringing the ratio to `target`: ceil((target x payable - collateral x WAD) / WAD).
    function topUpCashUp(uint256 collateralValue, uint256 payable_, uint256 target) internal pure returns (uint256) {
        return FixedPointMath.divUp(_gap(collateralValue, payable_, target), FixedPointMath.WAD);
    }

    /// @notice Early repayment bringing the ratio to `target`: payable - floor(collateral x WAD / target).
    function topUpRepaymentUp(
        uint256 collateralValue,
        uint256 payable_,
        uint256 target
    ) internal pure returns (uint256) {
        if (_gap(collateralValue, payable_, target) == 0) return 0;
        return payable_ - collateralValue.wDivDown(target);
    }

    /// @dev target x payable - collateral x WAD, or zero when collateral already covers the target.
    function _gap(uint256 collateralValue, uint256 payable_, uint256 target) private pure returns (uint256) {
        uint256 need = target * payable_;
        uint256 have = collateralValue * FixedPointMath.WAD;
        return need > have ? need - have : 0;
    }
}
