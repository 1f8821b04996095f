// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/**
 * @title Ingress
 * @notice A fixed-address indirection in front of a permissioning rules contract. Besu's flags point at
 * the ingress, which lives in the genesis block (`0x…8888` for accounts, `0x…9999` for nodes); the
 * rules behind it can be replaced without touching genesis or node configuration.
 * @dev Genesis pre-deploys runtime code only: constructors do not run there, so the state is two plain
 * storage slots (`_rules` at slot 0, `_admin` at slot 1) that the genesis generator writes from the
 * compiler's storage layout. No immutables. The admin may be a timelock or multisig.
 *
 * Queries are forwarded as raw call data with `staticcall`: any failure of the rules contract (revert,
 * out of gas, an answer that is not one word) answers `false`, so the ingress never reverts on Besu's
 * well-formed calls, whatever the rules behind it do.
 */
abstract contract Ingress {
    address private _rules;
    address private _admin;

    /// @notice Emitted when the rules contract behind the ingress changes.
    event RulesChanged(address indexed previousRules, address indexed newRules);
    /// @notice Emitted when the ingress admin changes.
    event IngressAdminChanged(address indexed previousAdmin, address indexed newAdmin);

    /// @notice Thrown when a caller other than the ingress admin tries to change it.
    error IngressUnauthorized(address caller);
    /// @notice Thrown when a zero admin is given.
    error IngressZeroAdmin();
    /// @notice Thrown when the rules address has no code.
    error IngressRulesNotAContract(address rules);
    /// @notice Thrown when a setter would not change anything.
    error IngressUnchanged();

    /// @param initialAdmin Account (or timelock/multisig) allowed to switch the rules.
    constructor(address initialAdmin) {
        if (initialAdmin == address(0)) revert IngressZeroAdmin();
        _admin = initialAdmin;
        emit IngressAdminChanged(address(0), initialAdmin);
    }

    modifier onlyIngressAdmin() {
        if (msg.sender != _admin) revert IngressUnauthorized(msg.sender);
        _;
    }

    /// @notice Points the ingress at a new rules contract.
    /// @dev Only the ingress admin. Register the rules last, once the registry holds the admins, so the
    /// network cannot lock itself out. Emits {RulesChanged}.
    /// @param newRules The rules contract (must have code).
    function setRules(address newRules) external onlyIngressAdmin {
        if (newRules.code.length == 0) revert IngressRulesNotAContract(newRules);
        if (newRules == _rules) revert IngressUnchanged();
        emit RulesChanged(_rules, newRules);
        _rules = newRules;
    }

    /// @notice Hands the ingress to a new admin (for example the consortium's timelock).
    /// @dev Only the ingress admin. Emits {IngressAdminChanged}.
    /// @param newAdmin The new admin (not zero).
    function transferAdmin(address newAdmin) external onlyIngressAdmin {
        if (newAdmin == address(0)) revert IngressZeroAdmin();
        if (newAdmin == _admin) revert IngressUnchanged();
        emit IngressAdminChanged(_admin, newAdmin);
        _admin = newAdmin;
    }

    /// @notice The rules contract the ingress forwards to (zero before bootstrap ends).
    function rules() external view returns (address) {
        return _rules;
    }

    /// @notice The account allowed to change the ingress.
    function admin() external view returns (address) {
        return _admin;
    }

    /// @dev Forwards the current call data to the rules; answers `whenUnset` if no rules are registered
    /// and `false` on any failure or malformed answer.
    function _forward(bool whenUnset) internal view returns (bool) {
        address target = _rules;
        if (target == address(0)) return whenUnset;
        (bool ok, bytes memory ret) = target.staticcall(msg.data);
        if (!ok || ret.length != 32) return false;
        return uint256(bytes32(ret)) == 1;
    }
}
