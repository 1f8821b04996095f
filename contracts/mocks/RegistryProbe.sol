// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IParticipantRegistry, ParticipantKind} from "../interfaces/IParticipantRegistry.sol";

/// @notice Measures what a hot-path consumer pays to ask the registry about an address.
contract RegistryProbe {
    /// @notice Emitted with the gas each lookup used.
    event Measured(uint256 firstCall, uint256 warmContractColdSlot);

    /// @notice Looks up `first` (registry and slot cold) then `second` (registry warm, slot cold).
    function measure(IParticipantRegistry registry, address first, address second) external returns (ParticipantKind) {
        uint256 g0 = gasleft();
        ParticipantKind k = registry.activeKindOf(first);
        uint256 g1 = gasleft();
        registry.activeKindOf(second);
        uint256 g2 = gasleft();
        emit Measured(g0 - g1, g1 - g2);
        return k;
    }
}
