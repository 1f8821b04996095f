// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {ISecurityToken, InstrumentKind} from "./ISecurityToken.sol";

/// @notice What the factory issued at an address. `None` marks an address it never issued.
enum TokenType {
    None,
    Security,
    Cash
}

/**
 * @title ITokenFactory
 * @notice The depository's token factory and registry: issues every `SecurityToken` (one per ISIN) and
 * `CashToken` (one per currency) as a beacon proxy, records them, and keeps the standing roles every
 * token grants (the depository's agent, the settlement engine, the pledge and repo books).
 */
interface ITokenFactory {
    /* EVENTS */

    /// @notice Emitted when a security token is issued.
    event SecurityIssued(
        bytes12 indexed isin,
        address indexed token,
        InstrumentKind kind,
        bytes3 currency,
        string symbol,
        uint8 decimals
    );
    /// @notice Emitted when a cash token is issued.
    event CashIssued(bytes3 indexed currency, address indexed token, string symbol, uint8 decimals);
    /// @notice Emitted when a role is granted on every issued and future token.
    event StandingRoleAdded(bytes32 indexed role, address indexed account);
    /// @notice Emitted when a standing role is revoked on every issued token and no longer granted.
    event StandingRoleRemoved(bytes32 indexed role, address indexed account);
    /// @notice Emitted when the account that receives DEFAULT_ADMIN_ROLE on new tokens changes.
    event TokenAdminChanged(address indexed previousAdmin, address indexed newAdmin);

    /* ERRORS */

    /// @notice Thrown when a security with this ISIN is already issued.
    error FactoryIsinTaken(bytes12 isin, address token);
    /// @notice Thrown when a cash token for this currency is already issued.
    error FactoryCurrencyTaken(bytes3 currency, address token);
    /// @notice Thrown when a standing role is already recorded.
    error FactoryStandingRoleExists(bytes32 role, address account);
    /// @notice Thrown when a standing role to remove is not recorded.
    error FactoryStandingRoleMissing(bytes32 role, address account);
    /// @notice Thrown when the standing-role list is full.
    error FactoryTooManyStandingRoles(uint256 max);
    /// @notice Thrown when the admin role is given as a standing role (it is managed per token).
    error FactoryRoleNotAllowed(bytes32 role);
    /// @notice Thrown when an account is zero.
    error FactoryZeroAddress(string field);
    /// @notice Thrown when a setter would not change anything.
    error FactoryUnchanged();

    /// @notice A role every token of the factory grants.
    struct StandingRole {
        bytes32 role;
        address account;
    }

    /* ISSUER FUNCTIONS */

    /// @notice Issues a security token as a beacon proxy and records it under its ISIN.
    /// @dev Requires ISSUER_ROLE. The ISIN must be new; the instrument is validated by the token.
    /// Grants the standing roles on the new token. Emits {SecurityIssued}.
    /// @param name ERC-20 name.
    /// @param symbol ERC-20 symbol.
    /// @param decimals Decimals of the token's units.
    /// @param instrument Instrument data.
    /// @return token Address of the new token.
    function issueSecurity(
        string calldata name,
        string calldata symbol,
        uint8 decimals,
        ISecurityToken.Instrument calldata instrument
    ) external returns (address token);

    /// @notice Issues a cash token as a beacon proxy and records it under its currency.
    /// @dev Requires ISSUER_ROLE. The currency must be new. Grants the standing roles. Emits {CashIssued}.
    /// @param name ERC-20 name.
    /// @param symbol ERC-20 symbol.
    /// @param decimals Decimals of the token's units.
    /// @param currency ISO 4217 code.
    /// @return token Address of the new token.
    function issueCash(
        string calldata name,
        string calldata symbol,
        uint8 decimals,
        bytes3 currency
    ) external returns (address token);

    /* ADMIN FUNCTIONS */

    /// @notice Grants `role` to `account` on every issued token and on every token issued later.
    /// @dev Requires DEFAULT_ADMIN_ROLE. Loops over all issued tokens. Emits {StandingRoleAdded}.
    function addStandingRole(bytes32 role, address account) external;

    /// @notice Revokes a standing role on every issued token and stops granting it.
    /// @dev Requires DEFAULT_ADMIN_ROLE. Emits {StandingRoleRemoved}.
    function removeStandingRole(bytes32 role, address account) external;

    /// @notice Sets the account that receives DEFAULT_ADMIN_ROLE on tokens issued from now on.
    /// @dev Requires DEFAULT_ADMIN_ROLE. Emits {TokenAdminChanged}.
    function setTokenAdmin(address admin) external;

    /* VIEWS */

    /// @notice The beacon every security token proxies to.
    function securityBeacon() external view returns (address);

    /// @notice The beacon every cash token proxies to.
    function cashBeacon() external view returns (address);

    /// @notice The participant registry the tokens read.
    function registry() external view returns (address);

    /// @notice The account that receives DEFAULT_ADMIN_ROLE on new tokens.
    function tokenAdmin() external view returns (address);

    /// @notice The security token of an ISIN, or zero.
    function securityByIsin(bytes12 isin) external view returns (address);

    /// @notice The cash token of a currency, or zero.
    function cashByCurrency(bytes3 currency) external view returns (address);

    /// @notice What the factory issued at `token` (None, Security or Cash).
    function tokenType(address token) external view returns (TokenType);

    /// @notice Every security token, in issue order.
    function securities() external view returns (address[] memory);

    /// @notice Every cash token, in issue order.
    function cashTokens() external view returns (address[] memory);

    /// @notice The standing roles.
    function standingRoles() external view returns (StandingRole[] memory);
}
