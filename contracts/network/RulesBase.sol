// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";

/**
 * @title RulesBase
 * @notice Shared plumbing of the permissioning rules: the registry they read and never-reverting reads.
 */
abstract contract RulesBase is ConsortiumUpgradeable {
    /// @notice Emitted when the rules start reading another participant registry.
    event RegistryChanged(address indexed previousRegistry, address indexed newRegistry);

    /// @notice Thrown when the registry address has no code.
    error RulesRegistryNotAContract(address registry);

    /// @dev Answers (ok, value) for a view returning one word; `ok` is false when the call failed or the
    /// answer was not exactly one word. Never reverts.
    function _readWord(address target, bytes memory data) internal view returns (bool ok, uint256 value) {
        if (target.code.length == 0) return (false, 0);
        bytes memory ret;
        (ok, ret) = target.staticcall(data);
        if (!ok || ret.length != 32) return (false, 0);
        value = uint256(bytes32(ret));
    }

    function _checkRegistry(address registry) internal view {
        if (registry.code.length == 0) revert RulesRegistryNotAContract(registry);
    }
}
