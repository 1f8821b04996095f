// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IEncumberableToken} from "./IEncumberableToken.sol";
import {DayCountConvention} from "../libraries/DayCountConvention.sol";

/// @notice What a security is. `None` never appears in an issued token.
enum InstrumentKind {
    None,
    Equity,
    Bond
}

/**
 * @title ISecurityToken
 * @notice One security held at the depository, as an ERC-20 with the compliance base, and its
 * instrument data on chain.
 */
interface ISecurityToken is IEncumberableToken {
    /// @notice Instrument data fixed at issue.
    /// @param isin ISO 6166 ISIN, 12 ASCII characters, check digit validated.
    /// @param kind Equity or Bond.
    /// @param currency ISO 4217 code, 3 upper-case ASCII letters (the currency of nominal and coupons).
    /// @param faceValue Bonds: nominal of one whole token (10^decimals units) in `currency`, fixed point
    /// with 18 decimals (1000 RUB = 1000e18). Zero for equities.
    /// @param couponRate Bonds: annual coupon rate, WAD (1e18 = 100% per year). Zero for equities.
    /// @param couponFrequency Bonds: coupons per year (1, 2, 4 or 12; 0 for a zero-coupon bond).
    /// @param issueDate Bonds: issue date as a day number (days since 1970-01-01).
    /// @param maturityDate Bonds: maturity date as a day number, after `issueDate`.
    /// @param dayCount Bonds: day-count convention of coupon accrual.
    struct Instrument {
        bytes12 isin;
        InstrumentKind kind;
        bytes3 currency;
        uint256 faceValue;
        uint64 couponRate;
        uint8 couponFrequency;
        uint32 issueDate;
        uint32 maturityDate;
        DayCountConvention dayCount;
    }

    /// @notice Thrown when an ISIN has the wrong shape or check digit.
    error SecurityInvalidIsin(bytes12 isin);
    /// @notice Thrown when a currency is not three upper-case letters.
    error SecurityInvalidCurrency(bytes3 currency);
    /// @notice Thrown when the instrument kind is `None` or out of range.
    error SecurityInvalidKind(uint8 kind);
    /// @notice Thrown when bond terms are inconsistent (field named), or an equity carries bond terms.
    error SecurityInvalidTerms(string field);

    /// @notice The instrument data.
    function instrument() external view returns (Instrument memory);

    /// @notice The ISIN (bytes12 ASCII).
    function isin() external view returns (bytes12);

    /// @notice Equity or Bond.
    function kind() external view returns (InstrumentKind);

    /// @notice ISO 4217 currency code (bytes3 ASCII).
    function currency() external view returns (bytes3);
}

/**
 * @title ICashToken
 * @notice Tokenized deposit / settlement cash in one currency, with the compliance base.
 */
interface ICashToken is IEncumberableToken {
    /// @notice ISO 4217 currency code (bytes3 ASCII).
    function currency() external view returns (bytes3);
}
