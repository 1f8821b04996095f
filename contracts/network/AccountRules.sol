// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {RulesBase} from "./RulesBase.sol";
import {IAccountRules} from "../interfaces/IBesuPermissioning.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";

/**
 * @title AccountRules
 * @notice Who may submit transactions on the permissioned chain: signers of Active participants, and the
 * registry's administrators (consortium admin, registrars, supervisors) so that the network can never
 * lock out the people who can repair it. Suspended, closed and unknown addresses are refused.
 * @dev Reads the `ParticipantRegistry` live, so a suspension takes effect from the next block. Never
 * reverts: any failed read answers `false` (BESU.md §1).
 */
contract AccountRules is RulesBase, IAccountRules {
    bytes32 private constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 private constant SUPERVISOR_ROLE = keccak256("SUPERVISOR_ROLE");
    bytes32 private constant DEFAULT_ADMIN = 0x00;

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin.
    /// @param registry_ The participant registry to read.
    function initialize(address admin, address registry_) external initializer {
        __RulesBase_init(admin, registry_);
    }

    /// @inheritdoc IAccountRules
    function transactionAllowed(
        address sender,
        address,
        uint256,
        uint256,
        uint256,
        bytes calldata
    ) external view returns (bool) {
        address reg = registry();
        (bool ok, uint256 active) = _readWord(reg, abi.encodeCall(IParticipantRegistry.isActiveSigner, (sender)));
        if (ok && active == 1) return true;
        return
            _hasRole(reg, DEFAULT_ADMIN, sender) ||
            _hasRole(reg, REGISTRAR_ROLE, sender) ||
            _hasRole(reg, SUPERVISOR_ROLE, sender);
    }

    function _hasRole(address reg, bytes32 role, address account) private view returns (bool) {
        (bool ok, uint256 value) = _readWord(reg, abi.encodeCall(IAccessControl.hasRole, (role, account)));
        return ok && value == 1;
    }
}
