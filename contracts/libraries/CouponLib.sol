// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {DateLib} from "./DateLib.sol";
import {DayCountConvention} from "./DayCountConvention.sol";
import {DayCountLib} from "./DayCountLib.sol";
import {FixedPointMath} from "./FixedPointMath.sol";

/**
 * @title CouponLib
 * @notice Coupon schedule and accrued coupon of a fixed-rate bond.
 * @dev Units: face value and accrued coupon are 18-decimal amounts of the bond's currency per one unit of
 * the security token; the coupon rate is a WAD per year (5% = 0.05e18); dates are day numbers.
 * Schedule: coupon date k is the issue date moved forward by k x 12/frequency months, each computed from the
 * issue date (never from the previous coupon date, so 31 Jan -> 30 Apr -> 31 Jul). When the issue date is the
 * last day of its month every coupon date is the last day of its month (end-of-month rule); otherwise the
 * issue day is clamped to the length of the target month. No business-day adjustment (unadjusted accrual).
 * The settlement date accrues from the last coupon date (inclusive) to the settlement date (exclusive), so
 * on a coupon date the accrued coupon is zero.
 */
library CouponLib {
    using FixedPointMath for uint256;

    /// @notice Fixed-rate bond data as the instrument records it.
    /// @param faceValue Face value per token unit, 18 decimals of the bond's currency.
    /// @param couponRate Annual coupon rate, WAD.
    /// @param frequency Coupons per year: 1, 2, 3, 4, 6 or 12 (ignored when couponRate is zero).
    /// @param issueDate Interest commencement date (day number), the anchor of the schedule.
    /// @param maturityDate Maturity (day number); accrued coupon exists only before it.
    /// @param dayCount Day-count convention of the coupon.
    struct Bond {
        uint256 faceValue;
        uint256 couponRate;
        uint256 frequency;
        uint256 issueDate;
        uint256 maturityDate;
        DayCountConvention dayCount;
    }

    /// @notice Thrown when the coupon frequency does not divide 12 or maturity is not after issue.
    error CouponBondInvalid(uint256 frequency, uint256 issueDate, uint256 maturityDate);
    /// @notice Thrown when the settlement date is before the issue date or not before maturity.
    error CouponSettlementOutOfRange(uint256 settlement, uint256 issueDate, uint256 maturityDate);

    /// @notice Coupon date number k of the schedule (k = 0 is the issue date).
    function couponDate(uint256 issueDate, uint256 frequency, uint256 k) internal pure returns (uint256) {
        (uint256 y, uint256 m, uint256 d) = DateLib.toDate(issueDate);
        return _dateAfter(y, m, d, d == DateLib.daysInMonth(y, m), k * (12 / frequency));
    }

    /// @notice The scheduled coupon period [last, next) containing `settlement`.
    /// @dev Requires a valid bond and issueDate <= settlement < maturityDate. `next` is the scheduled date,
    /// not capped at maturity, so an odd final period keeps its notional length for ActActIcma.
    function couponPeriod(Bond memory bond, uint256 settlement) internal pure returns (uint256 last, uint256 next) {
        _check(bond, settlement);
        (uint256 yi, uint256 mi, uint256 di) = DateLib.toDate(bond.issueDate);
        (uint256 ys, uint256 ms, ) = DateLib.toDate(settlement);
        bool eom = di == DateLib.daysInMonth(yi, mi);
        uint256 step = 12 / bond.frequency;
        // Months from the issue month to the settlement month, floored to whole periods. The coupon date
        // `months` after issue falls in the settlement month or earlier; when it falls after the settlement
        // date (same month, later day) the period starts one step earlier. The date `months + step` after
        // issue falls in a month after the settlement month, so it is always after the settlement date.
        uint256 months = (((ys * 12 + ms) - (yi * 12 + mi)) / step) * step;
        last = _dateAfter(yi, mi, di, eom, months);
        if (last > settlement) {
            months -= step;
            next = last;
            last = _dateAfter(yi, mi, di, eom, months);
        } else {
            next = _dateAfter(yi, mi, di, eom, months + step);
        }
    }

    /// @notice Accrued fraction of a year (numerator, denominator) at `settlement` under the bond's convention.
    function accruedFraction(Bond memory bond, uint256 settlement) internal pure returns (uint256, uint256) {
        (uint256 last, uint256 next) = couponPeriod(bond, settlement);
        return
            DayCountLib.fraction(
                bond.dayCount,
                last,
                settlement,
                DayCountLib.Period(last, next, bond.frequency, false)
            );
    }

    /// @notice Accrued coupon per token unit at `settlement`, 18 decimals, rounded down.
    /// @dev accrued = floor(faceValue x couponRate x num / (WAD x den)). Rounded down because the accrued
    /// coupon is part of the collateral value, and collateral value rounds against the borrower.
    /// A zero-coupon bond accrues nothing and skips the schedule checks except the settlement range.
    function accruedPerUnitDown(Bond memory bond, uint256 settlement) internal pure returns (uint256) {
        if (bond.couponRate == 0) {
            if (settlement < bond.issueDate || settlement >= bond.maturityDate) {
                revert CouponSettlementOutOfRange(settlement, bond.issueDate, bond.maturityDate);
            }
            return 0;
        }
        (uint256 num, uint256 den) = accruedFraction(bond, settlement);
        return bond.faceValue.mulDivDown(bond.couponRate * num, FixedPointMath.WAD * den);
    }

    /// @dev The date `months` after (y, m, d): end of month when `eom`, else d clamped to the month length.
    function _dateAfter(uint256 y, uint256 m, uint256 d, bool eom, uint256 months) private pure returns (uint256) {
        uint256 total = (m - 1) + months;
        uint256 year = y + total / 12;
        uint256 month = (total % 12) + 1;
        uint256 dim = DateLib.daysInMonth(year, month);
        return DateLib.toDay(year, month, eom || d > dim ? dim : d);
    }

    function _check(Bond memory bond, uint256 settlement) private pure {
        if (bond.frequency == 0 || 12 % bond.frequency != 0 || bond.maturityDate <= bond.issueDate) {
            revert CouponBondInvalid(bond.frequency, bond.issueDate, bond.maturityDate);
        }
        if (settlement < bond.issueDate || settlement >= bond.maturityDate) {
            revert CouponSettlementOutOfRange(settlement, bond.issueDate, bond.maturityDate);
        }
    }
}
