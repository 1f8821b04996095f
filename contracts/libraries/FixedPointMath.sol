// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title FixedPointMath
 * @notice Full-precision multiply-then-divide with the rounding direction in every name, and WAD (1e18)
 * functions for ratios. Money math in csd-ledger never divides before it multiplies: callers build one
 * numerator and one denominator and round once, in the direction the rounding table of docs/math.md names.
 * @dev Wraps OpenZeppelin `Math.mulDiv` (512-bit intermediate product). Division by zero and results
 * above 2^256-1 revert with the OpenZeppelin panics (0x12 and 0x11).
 */
library FixedPointMath {
    /// @notice 1.0 as an 18-decimal fixed-point number (ratios: 1e18 = 100%; prices and FX: 1e18 = 1).
    uint256 internal constant WAD = 1e18;

    /// @notice floor(x * y / d), exact over the 512-bit product.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d);
    }

    /// @notice ceil(x * y / d), exact over the 512-bit product.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    /// @notice floor(x * y / WAD).
    function wMulDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD);
    }

    /// @notice ceil(x * y / WAD).
    function wMulUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);
    }

    /// @notice floor(x * WAD / y).
    function wDivDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y);
    }

    /// @notice ceil(x * WAD / y).
    function wDivUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y, Math.Rounding.Ceil);
    }

    /// @notice ceil(x / d).
    function divUp(uint256 x, uint256 d) internal pure returns (uint256) {
        return Math.ceilDiv(x, d);
    }
}
