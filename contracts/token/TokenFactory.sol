// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {BeaconProxy} from "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {ITokenFactory, TokenType} from "../interfaces/ITokenFactory.sol";
import {ISecurityToken} from "../interfaces/ISecurityToken.sol";
import {SecurityToken} from "./SecurityToken.sol";
import {CashToken} from "./CashToken.sol";

/**
 * @title TokenFactory
 * @notice Issues and records every security token (by ISIN) and cash token (by currency) of the
 * depository, each as an OpenZeppelin `BeaconProxy`: one upgrade of the security beacon (or the cash
 * beacon) serves every token of that kind.
 * @dev Roles: `ISSUER_ROLE` (the depository) issues tokens; `DEFAULT_ADMIN_ROLE` (the consortium admin)
 * manages standing roles, the token admin and upgrades of this factory. The factory holds
 * DEFAULT_ADMIN_ROLE on every token it issues so that it can apply standing roles; the token admin
 * (the consortium admin) holds it too. The beacons are owned by the consortium admin, not by the factory.
 */
contract TokenFactory is ConsortiumUpgradeable, ITokenFactory {
    /// @notice Role of the depository staff who issue tokens.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice Most standing roles the factory keeps (bounds the loop on issue).
    uint256 public constant MAX_STANDING_ROLES = 16;

    /// @custom:storage-location erc7201:csd.storage.TokenFactory
    struct FactoryStorage {
        address registry;
        address securityBeacon;
        address cashBeacon;
        address tokenAdmin;
        address[] securities;
        address[] cashTokens;
        mapping(bytes12 isin => address) securityByIsin;
        mapping(bytes3 currency => address) cashByCurrency;
        mapping(address token => TokenType) tokenType;
        StandingRole[] standingRoles;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.TokenFactory")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xe6452f0f70a18c5c81b11636cae587445dc903eeb2df0088fb087c4f880e5900;

    function _s() private pure returns (FactoryStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin; also receives ISSUER_ROLE and is the first token admin.
    /// @param registry_ Participant registry the tokens read.
    /// @param securityBeacon_ Beacon of the `SecurityToken` implementation.
    /// @param cashBeacon_ Beacon of the `CashToken` implementation.
    function initialize(
        address admin,
        address registry_,
        address securityBeacon_,
        address cashBeacon_
    ) external initializer {
        if (registry_ == address(0)) revert FactoryZeroAddress("registry");
        if (securityBeacon_ == address(0)) revert FactoryZeroAddress("securityBeacon");
        if (cashBeacon_ == address(0)) revert FactoryZeroAddress("cashBeacon");
        __Consortium_init(admin);
        _grantRole(ISSUER_ROLE, admin);
        FactoryStorage storage $ = _s();
        $.registry = registry_;
        $.securityBeacon = securityBeacon_;
        $.cashBeacon = cashBeacon_;
        $.tokenAdmin = admin;
        emit TokenAdminChanged(address(0), admin);
    }

    /* ISSUER FUNCTIONS */

    /// @inheritdoc ITokenFactory
    function issueSecurity(
        string calldata name,
        string calldata symbol,
        uint8 decimals,
        ISecurityToken.Instrument calldata instrument
    ) external onlyRole(ISSUER_ROLE) returns (address token) {
        FactoryStorage storage $ = _s();
        address existing = $.securityByIsin[instrument.isin];
        if (existing != address(0)) revert FactoryIsinTaken(instrument.isin, existing);
        bytes memory init = abi.encodeCall(
            SecurityToken.initialize,
            ($.tokenAdmin, $.registry, name, symbol, decimals, instrument)
        );
        token = address(new BeaconProxy($.securityBeacon, init));
        $.securityByIsin[instrument.isin] = token;
        $.securities.push(token);
        $.tokenType[token] = TokenType.Security;
        _applyStandingRoles($, token);
        emit SecurityIssued(instrument.isin, token, instrument.kind, instrument.currency, symbol, decimals);
    }

    /// @inheritdoc ITokenFactory
    function issueCash(
        string calldata name,
        string calldata symbol,
        uint8 decimals,
        bytes3 currency
    ) external onlyRole(ISSUER_ROLE) returns (address token) {
        FactoryStorage storage $ = _s();
        address existing = $.cashByCurrency[currency];
        if (existing != address(0)) revert FactoryCurrencyTaken(currency, existing);
        bytes memory init = abi.encodeCall(
            CashToken.initialize,
            ($.tokenAdmin, $.registry, name, symbol, decimals, currency)
        );
        token = address(new BeaconProxy($.cashBeacon, init));
        $.cashByCurrency[currency] = token;
        $.cashTokens.push(token);
        $.tokenType[token] = TokenType.Cash;
        _applyStandingRoles($, token);
        emit CashIssued(currency, token, symbol, decimals);
    }

    /* ADMIN FUNCTIONS */

    /// @inheritdoc ITokenFactory
    function addStandingRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (role == DEFAULT_ADMIN_ROLE) revert FactoryRoleNotAllowed(role);
        if (account == address(0)) revert FactoryZeroAddress("account");
        FactoryStorage storage $ = _s();
        if (_indexOf($, role, account) != type(uint256).max) revert FactoryStandingRoleExists(role, account);
        if ($.standingRoles.length >= MAX_STANDING_ROLES) revert FactoryTooManyStandingRoles(MAX_STANDING_ROLES);
        $.standingRoles.push(StandingRole(role, account));
        _forEachToken($, role, account, true);
        emit StandingRoleAdded(role, account);
    }

    /// @inheritdoc ITokenFactory
    function removeStandingRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        FactoryStorage storage $ = _s();
        uint256 i = _indexOf($, role, account);
        if (i == type(uint256).max) revert FactoryStandingRoleMissing(role, account);
        $.standingRoles[i] = $.standingRoles[$.standingRoles.length - 1];
        $.standingRoles.pop();
        _forEachToken($, role, account, false);
        emit StandingRoleRemoved(role, account);
    }

    /// @inheritdoc ITokenFactory
    function setTokenAdmin(address admin) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (admin == address(0)) revert FactoryZeroAddress("admin");
        FactoryStorage storage $ = _s();
        address previous = $.tokenAdmin;
        if (previous == admin) revert FactoryUnchanged();
        $.tokenAdmin = admin;
        emit TokenAdminChanged(previous, admin);
    }

    /* VIEWS */

    /// @inheritdoc ITokenFactory
    function securityBeacon() external view returns (address) {
        return _s().securityBeacon;
    }

    /// @inheritdoc ITokenFactory
    function cashBeacon() external view returns (address) {
        return _s().cashBeacon;
    }

    /// @inheritdoc ITokenFactory
    function registry() external view returns (address) {
        return _s().registry;
    }

    /// @inheritdoc ITokenFactory
    function tokenAdmin() external view returns (address) {
        return _s().tokenAdmin;
    }

    /// @inheritdoc ITokenFactory
    function securityByIsin(bytes12 isin) external view returns (address) {
        return _s().securityByIsin[isin];
    }

    /// @inheritdoc ITokenFactory
    function cashByCurrency(bytes3 currency) external view returns (address) {
        return _s().cashByCurrency[currency];
    }

    /// @inheritdoc ITokenFactory
    function tokenType(address token) external view returns (TokenType) {
        return _s().tokenType[token];
    }

    /// @inheritdoc ITokenFactory
    function securities() external view returns (address[] memory) {
        return _s().securities;
    }

    /// @inheritdoc ITokenFactory
    function cashTokens() external view returns (address[] memory) {
        return _s().cashTokens;
    }

    /// @inheritdoc ITokenFactory
    function standingRoles() external view returns (StandingRole[] memory) {
        return _s().standingRoles;
    }

    /// @notice Version of this implementation.
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /* INTERNAL */

    function _applyStandingRoles(FactoryStorage storage $, address token) private {
        StandingRole[] storage roles = $.standingRoles;
        for (uint256 i; i < roles.length; ++i) {
            IAccessControl(token).grantRole(roles[i].role, roles[i].account);
        }
    }

    function _forEachToken(FactoryStorage storage $, bytes32 role, address account, bool grant) private {
        for (uint256 k; k < 2; ++k) {
            address[] storage list = k == 0 ? $.securities : $.cashTokens;
            for (uint256 i; i < list.length; ++i) {
                if (grant) IAccessControl(list[i]).grantRole(role, account);
                else IAccessControl(list[i]).revokeRole(role, account);
            }
        }
    }

    function _indexOf(FactoryStorage storage $, bytes32 role, address account) private view returns (uint256) {
        StandingRole[] storage roles = $.standingRoles;
        for (uint256 i; i < roles.length; ++i) {
            if (roles[i].role == role && roles[i].account == account) return i;
        }
        return type(uint256).max;
    }
}
