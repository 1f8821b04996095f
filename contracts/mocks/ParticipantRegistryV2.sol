// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ParticipantRegistry} from "../access/ParticipantRegistry.sol";

/// @notice A compatible next version of the registry, used to prove upgrades keep state.
/// @custom:oz-upgrades-from contracts/access/ParticipantRegistry.sol:ParticipantRegistry
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract ParticipantRegistryV2 is ParticipantRegistry {
    function version() external pure override returns (string memory) {
        return "2.0.0";
    }
}
