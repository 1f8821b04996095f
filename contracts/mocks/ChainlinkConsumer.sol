// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice A consumer written the way Chainlink's documentation writes one, knowing only
/// `AggregatorV3Interface`: it proves standard consumers read csd-ledger feeds unchanged.
contract ChainlinkConsumer {
    /// @notice Thrown when the feed's answer is not positive or older than the consumer tolerates.
    error ConsumerBadAnswer(int256 answer, uint256 updatedAt);

    AggregatorV3Interface internal immutable dataFeed;
    uint256 public immutable maxDelay;

    constructor(AggregatorV3Interface feed, uint256 maxDelay_) {
        dataFeed = feed;
        maxDelay = maxDelay_;
    }

    /// @notice The latest answer, scaled to the feed's decimals, refused when stale or not positive.
    function getChainlinkDataFeedLatestAnswer() external view returns (int256 answer, uint8 decimals) {
        // prettier-ignore
        (
            /* uint80 roundId */,
            int256 value,
            /* uint256 startedAt */,
            uint256 updatedAt,
            /* uint80 answeredInRound */
        ) = dataFeed.latestRoundData();
        if (value <= 0 || block.timestamp - updatedAt > maxDelay) revert ConsumerBadAnswer(value, updatedAt);
        return (value, dataFeed.decimals());
    }
}
