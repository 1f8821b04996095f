// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// Compiles OpenZeppelin's TimelockController so tests can make it the consortium admin.
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
