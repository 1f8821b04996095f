// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ingress} from "./Ingress.sol";
import {IAccountRules} from "../interfaces/IBesuPermissioning.sol";

/**
 * @title AccountIngress
 * @notice Besu's account-permissioning entry point, pre-deployed at `0x0000000000000000000000000000000000008888`.
 * @dev Until rules are registered every transaction is allowed, so the suite can be deployed on a fresh
 * chain; registering the rules ends that bootstrap window.
 */
contract AccountIngress is Ingress, IAccountRules {
    /// @param initialAdmin Account allowed to register the rules.
    constructor(address initialAdmin) Ingress(initialAdmin) {}

    /// @inheritdoc IAccountRules
    function transactionAllowed(
        address,
        address,
        uint256,
        uint256,
        uint256,
        bytes calldata
    ) external view returns (bool) {
        return _forward(true);
    }
}
