// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ingress} from "./Ingress.sol";
import {INodeRules} from "../interfaces/IBesuPermissioning.sol";

/**
 * @title NodeIngress
 * @notice Besu's node-permissioning entry point (v2 interface), pre-deployed at
 * `0x0000000000000000000000000000000000009999`.
 * @dev Until rules are registered no connection is allowed; Besu still reaches its configured bootnodes,
 * which is why the genesis network lists every validator as a bootnode.
 */
contract NodeIngress is Ingress, INodeRules {
    /// @param initialAdmin Account allowed to register the rules.
    constructor(address initialAdmin) Ingress(initialAdmin) {}

    /// @inheritdoc INodeRules
    function connectionAllowed(string calldata, string calldata, uint16) external view returns (bool) {
        return _forward(false);
    }
}
