// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title CurrencyLib
/// @notice ISO 4217 alphabetic codes held as `bytes3` ASCII ("RUB", "USD", "CNY").
library CurrencyLib {
    /// @notice True when the code is three upper-case ASCII letters.
    function isValid(bytes3 code) internal pure returns (bool) {
        for (uint256 i; i < 3; ++i) {
            if (code[i] < 0x41 || code[i] > 0x5A) return false;
        }
        return true;
    }
}
