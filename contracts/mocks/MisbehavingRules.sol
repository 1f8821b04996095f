// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @notice Rules contracts that fail in the ways an ingress must survive: revert, wrong answer size,
/// non-boolean word, or burning all gas.
contract MisbehavingRules {
    enum Mode {
        Revert,
        TwoWords,
        NotABool,
        BurnGas
    }

    Mode public mode;

    constructor(Mode m) {
        mode = m;
    }

    fallback(bytes calldata) external returns (bytes memory) {
        if (mode == Mode.Revert) revert("rules broken");
        if (mode == Mode.TwoWords) return abi.encode(true, true);
        if (mode == Mode.NotABool) return abi.encode(uint256(2));
        // INVALID consumes every unit of gas the caller forwarded.
        assembly {
            invalid()
        }
    }
}
