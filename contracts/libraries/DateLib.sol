// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/**
 * @title DateLib
 * @notice Civil (proleptic Gregorian) dates and day numbers. A day number counts days since 1970-01-01
 * (day 0); business dates on chain are day numbers, never timestamps.
 * @dev Algorithms from H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (days_from_civil,
 * civil_from_days), restricted to years 1970..9999 so every intermediate value is non-negative.
 */
library DateLib {
    /// @notice Thrown when (year, month, day) is not a real date in 1970..9999.
    error DateInvalid(uint256 year, uint256 month, uint256 day);

    uint256 internal constant SECONDS_PER_DAY = 86_400;
    /// @dev Days from 0000-03-01 to 1970-01-01.
    uint256 private constant EPOCH_SHIFT = 719_468;

    /// @notice Day number of a civil date. Reverts with {DateInvalid} on impossible dates.
    function toDay(uint256 year, uint256 month, uint256 day) internal pure returns (uint256) {
        if (year < 1970 || year > 9999 || month == 0 || month > 12 || day == 0 || day > daysInMonth(year, month)) {
            revert DateInvalid(year, month, day);
        }
        unchecked {
            // year >= 1970 and month >= 1, so y >= 1969 and every term below is non-negative.
            uint256 y = month <= 2 ? year - 1 : year;
            uint256 era = y / 400;
            uint256 yoe = y - era * 400;
            uint256 mp = month > 2 ? month - 3 : month + 9;
            uint256 doy = (153 * mp + 2) / 5 + day - 1;
            uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146_097 + doe - EPOCH_SHIFT;
        }
    }

    /// @notice Civil date of a day number.
    function toDate(uint256 dayNumber) internal pure returns (uint256 year, uint256 month, uint256 day) {
        unchecked {
            // dayNumber is a uint; the shift keeps z positive and the arithmetic below bounded by it.
            uint256 z = dayNumber + EPOCH_SHIFT;
            uint256 era = z / 146_097;
            uint256 doe = z - era * 146_097;
            uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            uint256 mp = (5 * doy + 2) / 153;
            day = doy - (153 * mp + 2) / 5 + 1;
            month = mp < 10 ? mp + 3 : mp - 9;
            year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        }
    }

    /// @notice Day number of a timestamp (UTC).
    function dayOf(uint256 timestamp) internal pure returns (uint256) {
        return timestamp / SECONDS_PER_DAY;
    }

    /// @notice ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    function weekday(uint256 dayNumber) internal pure returns (uint256) {
        return ((dayNumber + 3) % 7) + 1;
    }

    function isLeapYear(uint256 year) internal pure returns (bool) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    function daysInMonth(uint256 year, uint256 month) internal pure returns (uint256) {
        if (month == 2) return isLeapYear(year) ? 29 : 28;
        if (month == 4 || month == 6 || month == 9 || month == 11) return 30;
        return 31;
    }

    /// @notice True when the day number is the last day of its month.
    function isMonthEnd(uint256 dayNumber) internal pure returns (bool) {
        (uint256 y, uint256 m, uint256 d) = toDate(dayNumber);
        return d == daysInMonth(y, m);
    }
}
