// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {PledgeBook} from "../pledge/PledgeBook.sol";

/// @notice A pledge book stating a storage layout version after today's, for the upgrade tool's layout check.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract PledgeBookNextLayout is PledgeBook {
    function storageLayoutVersion() external pure override returns (uint256) {
        return 3;
    }
}
