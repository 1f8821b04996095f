// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";

/**
 * @title RulesBase
 * @notice Shared plumbing of the permissioning rules: the registry they read and never-reverting reads.
 */
abstract contract RulesBase is ConsortiumUpgradeable {
    /// @custom:storage-location erc7201:csd.storage.RulesBase
    struct RulesBaseStorage {
        address registry;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.RulesBase")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant RULES_BASE_SLOT = 0x548e4ec3f03d208efc2d98027a4c3fcaa838d25a831c9829241c67d18250ee00;

    /// @notice Emitted when the rules start reading another participant registry.
    event RegistryChanged(address indexed previousRegistry, address indexed newRegistry);

    /// @notice Thrown when the registry address has no code.
    error RulesRegistryNotAContract(address registry);

    function _rulesBase() private pure returns (RulesBaseStorage storage $) {
        assembly {
            $.slot := RULES_BASE_SLOT
        }
    }

    // solhint-disable-next-line func-name-mixedcase
    function __RulesBase_init(address admin, address registry_) internal onlyInitializing {
        __Consortium_init(admin);
        _setRegistry(registry_);
    }

    /// @notice Switches the registry the rules read.
    /// @dev Only the consortium admin. Emits {RegistryChanged}.
    /// @param registry_ The new participant registry (must have code).
    function setRegistry(address registry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRegistry(registry_);
    }

    /// @notice The participant registry the rules read.
    function registry() public view returns (address) {
        return _rulesBase().registry;
    }

    function _setRegistry(address registry_) private {
        if (registry_.code.length == 0) revert RulesRegistryNotAContract(registry_);
        emit RegistryChanged(_rulesBase().registry, registry_);
        _rulesBase().registry = registry_;
    }

    /// @dev Answers (ok, value) for a view returning one word; `ok` is false when the call failed or the
    /// answer was not exactly one word. Never reverts.
    /// A target without code answers an empty word list, so it reads as a failure too.
    function _readWord(address target, bytes memory data) internal view returns (bool ok, uint256 value) {
        bytes memory ret;
        (ok, ret) = target.staticcall(data);
        if (!ok || ret.length != 32) return (false, 0);
        value = uint256(bytes32(ret));
    }
}
