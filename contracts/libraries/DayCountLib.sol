// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {DateLib} from "./DateLib.sol";
import {DayCountConvention} from "./DayCountConvention.sol";

/**
 * @title DayCountLib
 * @notice Day-count fractions of ISDA 2006 §4.16 (DOMAIN.md §4) as exact (numerator, denominator) pairs, so
 * callers multiply by the fraction before they divide. Dates are day numbers (DateLib); the accrual runs
 * from `start` (inclusive) to `end` (exclusive).
 * @dev With D = 360(Y2-Y1) + 30(M2-M1) + (D2-D1):
 * - Thirty360BondBasis: D1=31 -> 30; D2=31 -> 30 only if D1 (adjusted) > 29; fraction D/360.
 * - Thirty360E: D1=31 -> 30; D2=31 -> 30; fraction D/360.
 * - Thirty360EIsda: D1 last day of February or 31 -> 30; D2=31 -> 30, or last day of February -> 30 unless
 *   `end` is the termination date; fraction D/360.
 * - Act360, Act365Fixed: (end - start)/360, (end - start)/365.
 * - ActActIcma: (end - start)/(frequency x days of the coupon period). The accrual must lie inside one
 *   (regular or notional) coupon period [periodStart, periodEnd]; for a short or long stub the caller passes
 *   the notional period, and a long stub is the sum of its per-period fractions.
 * - Legacy30360Unadjusted: the pilot's raw D/360 with no adjustment (reproduces old deals only).
 * Numerators and denominators are not reduced.
 */
library DayCountLib {
    /// @notice Coupon-period data that ActActIcma needs and the termination flag that Thirty360EIsda needs.
    /// @param periodStart First day of the coupon period containing the accrual (day number).
    /// @param periodEnd Last day (exclusive) of that coupon period (day number).
    /// @param frequency Coupon payments per year: 1, 2, 3, 4, 6 or 12.
    /// @param endIsTermination True when `end` is the termination (maturity) date (Thirty360EIsda only).
    struct Period {
        uint256 periodStart;
        uint256 periodEnd;
        uint256 frequency;
        bool endIsTermination;
    }

    /// @notice Thrown when the accrual end lies before its start.
    error DayCountEndBeforeStart(uint256 start, uint256 end);
    /// @notice Thrown when ActActIcma is asked for without a valid coupon period containing the accrual.
    error DayCountPeriodInvalid(uint256 start, uint256 end, uint256 periodStart, uint256 periodEnd, uint256 frequency);

    /// @notice Day-count fraction numerator/denominator for conventions that need no coupon period.
    /// @dev Requires end >= start. ActActIcma reverts {DayCountPeriodInvalid}: use the Period overload.
    function fraction(DayCountConvention c, uint256 start, uint256 end) internal pure returns (uint256, uint256) {
        return fraction(c, start, end, Period(0, 0, 0, false));
    }

    /// @notice Day-count fraction numerator/denominator for any convention.
    /// @dev Requires end >= start; for ActActIcma periodStart <= start <= end <= periodEnd, periodStart <
    /// periodEnd and frequency in {1, 2, 3, 4, 6, 12}.
    function fraction(
        DayCountConvention c,
        uint256 start,
        uint256 end,
        Period memory p
    ) internal pure returns (uint256 numerator, uint256 denominator) {
        if (end < start) revert DayCountEndBeforeStart(start, end);
        if (c == DayCountConvention.Act360) return (end - start, 360);
        if (c == DayCountConvention.Act365Fixed) return (end - start, 365);
        if (c == DayCountConvention.ActActIcma) {
            if (
                p.periodStart > start ||
                end > p.periodEnd ||
                p.periodEnd <= p.periodStart ||
                p.frequency == 0 ||
                12 % p.frequency != 0
            ) revert DayCountPeriodInvalid(start, end, p.periodStart, p.periodEnd, p.frequency);
            return (end - start, p.frequency * (p.periodEnd - p.periodStart));
        }
        return (days360(c, start, end, p.endIsTermination), 360);
    }

    /// @notice The 30/360-family day count D between two dates (start <= end), adjusted per convention.
    /// @dev Conventions outside the 30/360 family are treated as Legacy30360Unadjusted; callers pass one of
    /// Thirty360BondBasis, Thirty360E, Thirty360EIsda or Legacy30360Unadjusted.
    function days360(
        DayCountConvention c,
        uint256 start,
        uint256 end,
        bool endIsTermination
    ) internal pure returns (uint256) {
        if (end < start) revert DayCountEndBeforeStart(start, end);
        if (end == start) return 0;
        (uint256 y1, uint256 m1, uint256 d1) = DateLib.toDate(start);
        (uint256 y2, uint256 m2, uint256 d2) = DateLib.toDate(end);
        if (c == DayCountConvention.Thirty360BondBasis) {
            if (d1 == 31) d1 = 30;
            if (d2 == 31 && d1 > 29) d2 = 30;
        } else if (c == DayCountConvention.Thirty360E) {
            if (d1 == 31) d1 = 30;
            if (d2 == 31) d2 = 30;
        } else if (c == DayCountConvention.Thirty360EIsda) {
            if (d1 == 31 || (m1 == 2 && d1 == DateLib.daysInMonth(y1, 2))) d1 = 30;
            if (d2 == 31 || (m2 == 2 && d2 == DateLib.daysInMonth(y2, 2) && !endIsTermination)) d2 = 30;
        }
        // start < end gives D >= 0: a later month adds >= 30 against d2 - d1 >= 1 - 31, and within one month
        // every adjustment keeps d2 >= d1. The clamp below only documents that bound.
        int256 d = 360 * (int256(y2) - int256(y1)) + 30 * (int256(m2) - int256(m1)) + int256(d2) - int256(d1);
        return d < 0 ? 0 : uint256(d);
    }
}
