// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IsinLib} from "../libraries/IsinLib.sol";

/// @notice Exposes IsinLib for tests.
contract IsinLibHarness {
    function isValid(bytes12 isin) external pure returns (bool) {
        return IsinLib.isValid(isin);
    }
}
