// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";

/// @notice An implementation whose registry storage layout is incompatible (a field inserted first):
/// the upgrade tooling must refuse it.
contract RegistryLayoutBreak is ConsortiumUpgradeable {
    /// @custom:storage-location erc7201:csd.storage.ParticipantRegistry
    struct RegistryStorage {
        bytes32 inserted;
        uint32 count;
    }

    function version() external pure returns (string memory) {
        return "broken";
    }
}
