// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/**
 * @title IsinLib
 * @notice ISIN (ISO 6166) validation on chain: 2 upper-case letters (country), 9 upper-case letters or
 * digits, 1 check digit computed with the Luhn algorithm over the letters expanded to numbers
 * (A = 10 … Z = 35). An ISIN is held as `bytes12` ASCII. `lib/isin.ts` is the TypeScript twin.
 */
library IsinLib {
    /// @notice True when `isin` has the ISIN shape and a correct check digit.
    function isValid(bytes12 isin) internal pure returns (bool) {
        // Shape: letters at 0..1, alphanumerics at 2..10, a digit at 11.
        for (uint256 i; i < 12; ++i) {
            uint8 c = uint8(isin[i]);
            bool digit = c >= 0x30 && c <= 0x39;
            bool upper = c >= 0x41 && c <= 0x5A;
            if (
                i < 2
                    ? !upper
                    : i == 11
                        ? !digit
                        : !(digit || upper)
            ) return false;
        }
        return checkDigit(isin) == uint8(isin[11]) - 0x30;
    }

    /// @notice The Luhn check digit of the first 11 characters (which must already have the ISIN shape).
    /// @dev Letters expand to two digits; the rightmost digit of the expansion is doubled, then every
    /// second digit going left.
    function checkDigit(bytes12 isin) internal pure returns (uint8) {
        uint256 sum;
        bool double = true; // the rightmost expanded digit is doubled
        for (uint256 i = 11; i > 0;) {
            unchecked {
                // i runs from 11 down to 1, so i - 1 never underflows.
                --i;
            }
            uint8 c = uint8(isin[i]);
            if (c >= 0x41) {
                uint256 v = uint256(c) - 55; // A = 10 … Z = 35
                (sum, double) = _add(sum, v % 10, double);
                (sum, double) = _add(sum, v / 10, double);
            } else {
                (sum, double) = _add(sum, uint256(c) - 0x30, double);
            }
        }
        return uint8((10 - (sum % 10)) % 10);
    }

    function _add(uint256 sum, uint256 d, bool double) private pure returns (uint256, bool) {
        if (double) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        return (sum + d, !double);
    }
}
