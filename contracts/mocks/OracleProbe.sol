// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IPriceOracle} from "../interfaces/IPriceOracle.sol";

/// @notice Measures what a consumer contract pays to read prices from the oracle.
contract OracleProbe {
    /// @notice Emitted with the gas each read used.
    event Measured(uint256 firstCall, uint256 warmContractColdSlot, uint256 price);

    /// @notice Reads `first` (oracle and slot cold) then `second` (oracle warm, slot cold) for `date`.
    function measure(IPriceOracle oracle, bytes12 first, bytes12 second, uint256 date) external returns (uint256) {
        uint256 g0 = gasleft();
        (uint256 p, ) = oracle.priceAt(first, date);
        uint256 g1 = gasleft();
        oracle.priceAt(second, date);
        uint256 g2 = gasleft();
        emit Measured(g0 - g1, g1 - g2, p);
        return p;
    }
}
