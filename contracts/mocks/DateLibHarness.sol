// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {DateLib} from "../libraries/DateLib.sol";

/// @notice Exposes DateLib to tests.
contract DateLibHarness {
    function toDay(uint256 y, uint256 m, uint256 d) external pure returns (uint256) {
        return DateLib.toDay(y, m, d);
    }

    function toDate(uint256 n) external pure returns (uint256, uint256, uint256) {
        return DateLib.toDate(n);
    }

    function weekday(uint256 n) external pure returns (uint256) {
        return DateLib.weekday(n);
    }

    function isMonthEnd(uint256 n) external pure returns (bool) {
        return DateLib.isMonthEnd(n);
    }

    function dayOf(uint256 t) external pure returns (uint256) {
        return DateLib.dayOf(t);
    }
}
