// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IQuotaRegistry} from "./IQuotaRegistry.sol";

/**
 * @title IQuotaRegCf
 * @notice Reg CF (17 CFR 227.100) on the quota registry, served at the registry's address: offerings sold under
 * the exemption, accredited investors, the issuer limit and the rolling twelve-month windows.
 * @dev An offering registered here has an id with bit 31 set (2^31 + n). Platform operations on it (reserve,
 * confirm, cancel, consume, refund, expire, `execute`; not committed batches, which refuse it as an unknown
 * offering) count in two windows instead of the investor's period:
 * - the investor's: every Reg CF investment of the investor across all platforms and issuers dated after the
 *   same calendar day one year earlier (29 February → 28 February), this one included, stays within the
 *   investor's quota (direct or by category, as set by the depository, e.g. from `regCfLimit`); an accredited
 *   investor (Rule 501) has no limit;
 * - the issuer's (a)(1): all Reg CF sales of the issuer's offerings in the same window, across all platforms,
 *   stay within the issuer cap (default USD 5,000,000.00 in the smallest unit).
 * A reservation counts at its day until it is cancelled or expires; confirming keeps that day; a refund,
 * cancellation or expiry removes the amount from both windows (if its day is still in them). The offering's own
 * cap and per-investor limit apply as for any offering; its cap and totals are read with {regCfOffering} (the
 * registry's `offering` and committed batches know only offerings under periods).
 */
interface IQuotaRegCf {
    /* EVENTS */

    /// @notice Emitted (with {IQuotaRegistry-OfferingRegistered}) when a Reg CF offering is registered.
    event RegCfOfferingRegistered(uint32 indexed offeringId, uint32 indexed issuerId);
    /// @notice Emitted when the depository marks or unmarks an investor as accredited (Rule 501).
    event InvestorAccreditedSet(bytes32 indexed investorKey, bool accredited);
    /// @notice Emitted when the issuer limit (a)(1) changes.
    event IssuerCapSet(uint64 cap);

    /* ERRORS */

    /// @notice Thrown for issuer id 0.
    error QuotaInvalidIssuer(uint32 issuerId);
    /// @notice Thrown for an issuer cap of 0.
    error QuotaInvalidIssuerCap(uint64 cap);
    /// @notice Thrown when the issuer cap in force is set again.
    error QuotaIssuerCapUnchanged(uint64 cap);
    /// @notice Thrown when an investor's accredited mark is set to what it already is.
    error QuotaAccreditedUnchanged(bytes32 investorKey, bool accredited);
    /// @notice Thrown when the registry has registered 2^31 - 1 offerings.
    error QuotaTooManyOfferings();

    /* ADMIN FUNCTIONS (QUOTA_ADMIN_ROLE) */

    /// @notice Registers an offering sold under Reg CF by `issuerId`.
    /// @param issuerId The issuer: its participant id in the registry, or an id the depository assigns (not 0).
    /// @param cap Cap across all platforms, in the smallest unit.
    /// @param perInvestorLimit Per-investor limit within this offering (0 = none).
    /// @param name Label (e.g. the offering's name, left-aligned bytes).
    /// @return offeringId The new offering's id (bit 31 set).
    function registerRegCfOffering(
        uint32 issuerId,
        uint64 cap,
        uint64 perInvestorLimit,
        bytes32 name
    ) external returns (uint32 offeringId);

    /// @notice Marks an investor as accredited (no Reg CF investor limit) or removes the mark.
    /// @param investorKey Salted hash of the investor's real-name id.
    /// @param accredited The new mark; the mark in force is refused ({QuotaAccreditedUnchanged}).
    function setAccredited(bytes32 investorKey, bool accredited) external;

    /// @notice Sets the issuer limit (a)(1) that applies to every issuer.
    /// @param cap The new cap in the smallest unit; not 0 and not the cap in force.
    function setIssuerCap(uint64 cap) external;

    /* VIEWS */

    /// @notice The issuer limit (a)(1) in force.
    function issuerCap() external view returns (uint64);

    /// @notice The issuer of a Reg CF offering; 0 for an offering outside Reg CF or unknown.
    /// @param offeringId The offering.
    function issuerOf(uint32 offeringId) external view returns (uint32);

    /// @notice A Reg CF offering (the registry's `offering` serves the others); refused when unknown.
    /// @param offeringId The offering.
    /// @return o Its cap across platforms, per-investor limit and running totals.
    /// @return issuerId Its issuer.
    function regCfOffering(uint32 offeringId) external view returns (IQuotaRegistry.Offering memory o, uint32 issuerId);

    /// @notice Whether the investor is marked accredited.
    /// @param investorKey Salted hash of the investor's real-name id.
    function isAccredited(bytes32 investorKey) external view returns (bool);

    /// @notice The first day number (days since 1970-01-01, UTC) whose investments count in the window of
    /// `timestamp`: the day after the same calendar day one year earlier (28 February for 29 February).
    /// @param timestamp UNIX seconds.
    function windowStartOf(uint256 timestamp) external pure returns (uint256);

    /// @notice The investor's Reg CF window now.
    /// @param investorKey Salted hash of the investor's real-name id.
    /// @return used Sum of the investor's Reg CF investments and reservations in the window.
    /// @return limit The investor's limit (type(uint128).max when accredited).
    /// @return available What the investor may still invest now (0 for an unknown investor).
    /// @return accredited Whether the investor is marked accredited.
    /// @return dayCount Number of distinct investment days in the window.
    function investorWindowOf(
        bytes32 investorKey
    ) external view returns (uint256 used, uint256 limit, uint256 available, bool accredited, uint256 dayCount);

    /// @notice The issuer's Reg CF window now.
    /// @param issuerId The issuer.
    /// @return used Sum of the issuer's Reg CF sales and reservations in the window.
    /// @return cap The issuer cap in force.
    /// @return available What the issuer may still sell now.
    /// @return dayCount Number of distinct sale days in the window.
    function issuerWindowOf(
        uint32 issuerId
    ) external view returns (uint256 used, uint256 cap, uint256 available, uint256 dayCount);
}
