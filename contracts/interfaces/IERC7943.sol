// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/**
 * @title IERC7943Fungible
 * @notice ERC-7943 (uRWA, Universal Real World Asset interface), fungible variant: the compliance surface an
 * ERC-20 real-world-asset token exposes so that wallets, indexers and protocols can ask whether an account may
 * send or receive, whether a transfer would pass, how much of a balance is frozen, and can recognise forced
 * transfers and freezes in the log. ERC-165 interface id `0x3edbb4c4`.
 */
interface IERC7943Fungible is IERC165 {
    /// @notice Emitted when units are taken from `from` and credited to `to` without the holder.
    /// @param from Holder debited.
    /// @param to Holder credited.
    /// @param amount Units moved.
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount);

    /// @notice Emitted when the frozen quantity of `account` is set, or reduced by a forced transfer.
    /// @param account Holder whose units are frozen.
    /// @param amount Units frozen after the change.
    event Frozen(address indexed account, uint256 amount);

    /// @notice Thrown when `account` may not send.
    error ERC7943CannotSend(address account);

    /// @notice Thrown when `account` may not receive.
    error ERC7943CannotReceive(address account);

    /// @notice Thrown when a transfer of `amount` from `from` to `to` breaks a rule of the token.
    error ERC7943CannotTransfer(address from, address to, uint256 amount);

    /// @notice Thrown when `amount` fits `account`'s balance but not its unfrozen part `unfrozen`.
    error ERC7943InsufficientUnfrozenBalance(address account, uint256 amount, uint256 unfrozen);

    /// @notice Moves `amount` from `from` to `to` without the holder's consent.
    /// @dev Restricted. Emits the ERC-20 {Transfer} and {ForcedTransfer}; when frozen units are taken, {Frozen}
    /// first.
    /// @param from Holder debited.
    /// @param to Holder credited.
    /// @param amount Units moved.
    /// @return result True; reverts on failure.
    function forcedTransfer(address from, address to, uint256 amount) external returns (bool result);

    /// @notice Sets the quantity of `account`'s units that cannot be transferred (overwrites the previous one).
    /// @dev Restricted. Emits {Frozen}.
    /// @param account Holder.
    /// @param amount Units frozen after the call.
    /// @return result True; reverts on failure.
    function setFrozenTokens(address account, uint256 amount) external returns (bool result);

    /// @notice True when `account` may send units under the token's account-level rules. Never reverts.
    function canSend(address account) external view returns (bool allowed);

    /// @notice True when `account` may receive units under the token's account-level rules. Never reverts.
    function canReceive(address account) external view returns (bool allowed);

    /// @notice Units of `account` that cannot be transferred; may exceed the balance.
    function getFrozenTokens(address account) external view returns (uint256 amount);

    /// @notice True when a transfer of `amount` from `from` to `to` would pass every permissioned rule,
    /// including the unfrozen balance of `from`. Never reverts.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool allowed);
}
