// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/**
 * @title IAccountRules
 * @notice Besu's on-chain account permissioning interface (Besu ≤ 25.5.0,
 * `TransactionSmartContractPermissioningController`). Besu calls it like `eth_call` from address 0 at
 * the chain head for every transaction it admits, mines or imports.
 * @dev Must never revert: a revert makes Besu reject the transaction with a misleading error, or mark a
 * block invalid. Return exactly `abi.encode(true)` or `abi.encode(false)`.
 */
interface IAccountRules {
    /// @notice Whether `sender` may submit a transaction.
    /// @param sender The transaction's sender.
    /// @param target The recipient; zero for a contract creation.
    /// @param value Wei sent.
    /// @param gasPrice Gas price (0 for a type-2 transaction).
    /// @param gasLimit Gas limit.
    /// @param payload Call data or init code.
    function transactionAllowed(
        address sender,
        address target,
        uint256 value,
        uint256 gasPrice,
        uint256 gasLimit,
        bytes calldata payload
    ) external view returns (bool);
}

/**
 * @title INodeRules
 * @notice Besu's on-chain node permissioning interface, version 2 (EEA client spec v6,
 * `NodeSmartContractV2PermissioningController`, `--permissions-nodes-contract-version=2`).
 * @dev Besu calls it separately for each end of a connection, retrying with the host's reverse-DNS name
 * when the IP is refused. Must never revert.
 */
interface INodeRules {
    /// @notice Whether a node may take part in the network.
    /// @param enodeId The node's public key: 128 hex characters without `0x`.
    /// @param enodeHost The node's IP address or host name.
    /// @param enodePort The node's P2P port.
    function connectionAllowed(
        string calldata enodeId,
        string calldata enodeHost,
        uint16 enodePort
    ) external view returns (bool);
}
