// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";

/**
 * @title PriceFeedAdapter
 * @notice Exposes one feed of the {PriceOracle} (a security or an FX pair) through Chainlink's
 * `AggregatorV3Interface`, so standard consumers and tools read csd-ledger prices unchanged.
 * @dev Immutable and stateless: one small contract per feed, deployed plainly (`oracle:adapter`).
 * Rounds are business dates: roundId = answeredInRound = the day number of the price, startedAt =
 * updatedAt = 00:00 UTC of that day. Only the latest round exists (the oracle stores only the latest
 * value); {getRoundData} for any other round reverts with {AdapterNoRoundData}. Like Chainlink feeds,
 * {latestRoundData} does not apply the oracle's maximum age: consumers check `updatedAt` themselves.
 * A quarantined value is invisible here until confirmed.
 */
contract PriceFeedAdapter is AggregatorV3Interface {
    /// @notice Thrown when the feed has no value yet or the asked round is not its latest date.
    error AdapterNoRoundData(uint80 roundId);
    /// @notice Thrown when the oracle address is zero or the feed is unknown to the oracle.
    error AdapterInvalidFeed(address oracle, bytes12 feedId);

    /// @notice The oracle read.
    IPriceOracle public immutable oracle;
    /// @notice The feed (ISIN as bytes12, or an FX pair id).
    bytes12 public immutable feedId;

    uint256 private constant SECONDS_PER_DAY = 86_400;
    string private _description;

    /// @param oracle_ The PriceOracle proxy.
    /// @param feedId_ The feed to expose.
    /// @param description_ Text returned by {description}, e.g. "RU000A0JX0J2 / RUB".
    constructor(IPriceOracle oracle_, bytes12 feedId_, string memory description_) {
        if (address(oracle_) == address(0) || oracle_.feedInfo(feedId_).kind == IPriceOracle.FeedKind.None) {
            revert AdapterInvalidFeed(address(oracle_), feedId_);
        }
        oracle = oracle_;
        feedId = feedId_;
        _description = description_;
    }

    /// @notice Decimals of the answer: 18, the oracle's scale.
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @notice Human description of the feed.
    function description() external view returns (string memory) {
        return _description;
    }

    /// @notice Version of the adapter.
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @notice The round of `roundId` (a business date); only the latest date exists.
    /// @param roundId Day number of the business date.
    function getRoundData(
        uint80 roundId
    )
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (uint256 price, uint32 date) = oracle.latestRaw(feedId);
        if (date == 0 || roundId != date) revert AdapterNoRoundData(roundId);
        return _round(price, date);
    }

    /// @notice The latest accepted value of the feed.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (uint256 price, uint32 date) = oracle.latestRaw(feedId);
        if (date == 0) revert AdapterNoRoundData(0);
        return _round(price, date);
    }

    function _round(uint256 price, uint32 date) private pure returns (uint80, int256, uint256, uint256, uint80) {
        uint256 at = uint256(date) * SECONDS_PER_DAY;
        // price < 2^128 (the oracle's storage bound), so it fits int256.
        return (date, int256(price), at, at, date);
    }
}
