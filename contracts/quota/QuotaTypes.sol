// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IParticipantRegistry, ParticipantKind, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";
import {IQuotaRegistry, QuotaOp, QuotaResult, QuotaRecordStatus} from "../interfaces/IQuotaRegistry.sol";
import {DateLib} from "../libraries/DateLib.sol";

/**
 * @title QuotaStorageLayout
 * @notice Storage layout of the quota registry, shared by {QuotaRegistry} and its linked library
 * {QuotaCommitted}: ERC-7201 namespace `csd.storage.QuotaRegistry`. Append fields only, never reorder.
 */
abstract contract QuotaStorageLayout {
    /// @dev Investor record: a direct limit (category 0) or a category whose limit applies.
    struct Investor {
        uint128 limit;
        uint8 category;
        bool known;
    }

    /// @dev Consumed and reserved amounts (investor per period, or investor per offering).
    struct Usage {
        uint128 consumed;
        uint128 reserved;
    }

    struct Category {
        uint128 limit;
        bool defined;
        bytes32 name;
    }

    /// @dev Read once per transaction. Bits 192..255 of its word, outside the struct so that its layout stays that
    /// of earlier versions, hold the Reg CF issuer limit (a)(1) in the smallest unit, 0 = the default
    /// (USD 5,000,000.00): a Reg CF opening reads it warm ({QuotaRegCf}). Field writes keep those bits.
    struct Config {
        IParticipantRegistry registry;
        uint32 periodDays;
    }

    /// @custom:storage-location erc7201:csd.storage.QuotaRegistry
    struct QuotaStorage {
        Config config;
        uint32 offeringCount;
        mapping(bytes32 investorKey => Investor) investors;
        mapping(uint8 category => Category) categories;
        mapping(bytes32 investorKey => mapping(uint32 period => Usage)) usage;
        mapping(uint32 offeringId => IQuotaRegistry.Offering) offerings;
        mapping(uint32 offeringId => mapping(bytes32 investorKey => Usage)) offeringUsage;
        mapping(uint32 platformId => mapping(bytes32 ref => IQuotaRegistry.Record)) records;
        mapping(uint32 platformId => mapping(uint256 word => uint256 statuses)) seqStatus;
        mapping(uint32 platformId => mapping(uint64 firstRef => IQuotaRegistry.CommittedBatch)) batches;
        // Longest reservation lifetime in seconds; 0 = the default (7 days). Read only by reservations.
        uint32 reservationTtl;
        // Reg CF (17 CFR 227.100), kept by the linked library {QuotaRegCf}: a rolling twelve-month window per
        // investor and per issuer. Header: packed word (see {QuotaRegCf}); entries: two (day, amount) per word.
        mapping(bytes32 investorKey => uint256 header) regCfInvestors;
        mapping(bytes32 investorKey => mapping(uint256 word => uint256 entries)) regCfInvestorEntries;
        mapping(uint32 issuerId => uint256 header) regCfIssuers;
        mapping(uint32 issuerId => mapping(uint256 word => uint256 entries)) regCfIssuerEntries;
        // Issuer of each Reg CF offering (offering ids with bit 31 set) and its cap and totals. Reg CF offerings
        // are kept apart from `offerings`, so the period paths (committed batches included) do not know them.
        mapping(uint32 offeringId => uint32 issuerId) regCfIssuerOf;
        mapping(uint32 offeringId => IQuotaRegistry.Offering) regCfOfferings;
    }
}

/**
 * @title QuotaTypes
 * @notice Rules shared by the registry's single references and its committed batches: storage access, the
 * platform check, periods and their ends, the reservation deadline, status transitions and counter movements.
 */
library QuotaTypes {
    /// @dev Arguments of one operation, kept in memory to stay clear of stack limits.
    struct Args {
        uint32 platformId;
        QuotaOp op;
        bytes32 ref;
        bytes32 investorKey;
        uint32 offeringId;
        uint128 amount;
        uint40 expiry;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.QuotaRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant STORAGE_SLOT = 0x1811b2f0de00411761bb7b81501e6e9c7610f170b548542f7a635f6b2d330d00;
    /// @dev Offset of fixed-window period ids, so they never collide with calendar years.
    uint32 internal constant WINDOW_PERIOD_BASE = 10_000;
    /// @dev Longest reservation lifetime when governance has not set one, and its bounds.
    uint32 internal constant DEFAULT_RESERVATION_TTL = 7 days;
    uint32 internal constant MIN_RESERVATION_TTL = 60;
    uint32 internal constant MAX_RESERVATION_TTL = 90 days;
    /// @dev Bit 31 of an offering id marks an offering under Reg CF (ids 2^31 + n); the others follow periods.
    uint32 internal constant REG_CF_OFFERING = 1 << 31;

    /// @dev The registry's storage.
    function layout() internal pure returns (QuotaStorageLayout.QuotaStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev The caller's platform id and the period rule; one registry call, one config SLOAD.
    function platform() internal view returns (uint32 platformId, uint32 periodDays) {
        // One SLOAD of the config word: the registry (bits 0..159) and the period rule (160..191).
        QuotaStorageLayout.Config storage c = layout().config;
        uint256 word;
        assembly ("memory-safe") {
            word := sload(c.slot)
        }
        (uint32 id, ParticipantKind kind, ParticipantStatus status) = IParticipantRegistry(address(uint160(word)))
            .signerOf(msg.sender);
        if (kind != ParticipantKind.Platform || status != ParticipantStatus.Active) {
            revert IQuotaRegistry.QuotaNotActivePlatform(msg.sender, kind, status);
        }
        return (id, uint32(word >> 160));
    }

    /// @dev Period id of a timestamp: the calendar year (rule 0) or 10000 + day / periodDays.
    function periodOf(uint256 timestamp, uint32 periodDays) internal pure returns (uint32) {
        uint256 day = DateLib.dayOf(timestamp);
        if (periodDays == 0) {
            (uint256 year, , ) = DateLib.toDate(day);
            return uint32(year);
        }
        return uint32(WINDOW_PERIOD_BASE + day / periodDays);
    }

    /// @dev First second after the period of `timestamp`: 1 January of the next year, or the next window.
    function periodEndOf(uint256 timestamp, uint32 periodDays) internal pure returns (uint256) {
        uint256 day = DateLib.dayOf(timestamp);
        if (periodDays == 0) {
            (uint256 year, , ) = DateLib.toDate(day);
            return DateLib.toDay(year + 1, 1, 1) * DateLib.SECONDS_PER_DAY;
        }
        return (day / periodDays + 1) * periodDays * DateLib.SECONDS_PER_DAY;
    }

    /// @dev The longest reservation lifetime in force.
    function reservationTtl(QuotaStorageLayout.QuotaStorage storage $) internal view returns (uint32 ttl) {
        ttl = $.reservationTtl;
        if (ttl == 0) ttl = DEFAULT_RESERVATION_TTL;
    }

    /// @dev Latest expiry of a reservation made at `timestamp`: min(timestamp + lifetime, end of its period).
    function latestExpiry(
        QuotaStorageLayout.QuotaStorage storage $,
        uint256 timestamp,
        uint32 periodDays
    ) internal view returns (uint256) {
        uint256 byTtl = timestamp + reservationTtl($);
        uint256 end = periodEndOf(timestamp, periodDays);
        return byTtl < end ? byTtl : end;
    }

    /// @dev Where a follow-up (confirm, cancel, expire, refund) takes a reference in status `from` that counts
    /// in `period` and whose reservation expires at `expiry` (0 for a consumption): the new status and Ok,
    /// `replay` for an identical retry, or the refusal (InvalidState, ReservationExpired, ReservationNotExpired).
    /// A reservation lapses at its expiry or when its period is over (also after a change of the period rule):
    /// it can no longer be confirmed and anyone may expire it.
    function transition(
        QuotaOp op,
        QuotaRecordStatus from,
        uint256 expiry,
        uint32 period,
        uint32 periodDays
    ) internal view returns (QuotaRecordStatus to, QuotaResult r, bool replay) {
        bool allowed;
        if (op == QuotaOp.Confirm) {
            to = QuotaRecordStatus.Confirmed;
            allowed = from == QuotaRecordStatus.Reserved;
            // A confirmed reservation that was later refunded was confirmed: a retry is still a replay.
            replay = from == to || (from == QuotaRecordStatus.Refunded && expiry != 0);
        } else if (op == QuotaOp.Refund) {
            to = QuotaRecordStatus.Refunded;
            allowed = from == QuotaRecordStatus.Consumed || from == QuotaRecordStatus.Confirmed;
            replay = from == to;
        } else {
            to = op == QuotaOp.Cancel ? QuotaRecordStatus.Cancelled : QuotaRecordStatus.Expired;
            allowed = from == QuotaRecordStatus.Reserved;
            replay = from == to;
        }
        if (replay) r = QuotaResult.Ok;
        else if (!allowed) r = QuotaResult.InvalidState;
        else if (op == QuotaOp.Confirm || op == QuotaOp.Expire) {
            bool lapsed = block.timestamp >= expiry || periodOf(block.timestamp, periodDays) != period;
            if (op == QuotaOp.Confirm && lapsed) r = QuotaResult.ReservationExpired;
            else if (op == QuotaOp.Expire && !lapsed) r = QuotaResult.ReservationNotExpired;
        }
    }

    /// @dev Moves a settled reference's amount between the counters of its investor period and offering.
    function move(Args memory a, QuotaRecordStatus from, QuotaRecordStatus to, uint32 period) internal {
        QuotaStorageLayout.QuotaStorage storage $ = layout();
        uint128 amount = a.amount;
        uint64 amount64 = uint64(amount); // the record proves the amount was added to a uint64 offering total
        QuotaStorageLayout.Usage memory u = $.usage[a.investorKey][period];
        IQuotaRegistry.Offering memory o = $.offerings[a.offeringId];
        // The fingerprint (or proof) shows this exact amount was added to these counters (reserved for a
        // reservation, consumed for a consumption or confirmation) and the status change makes each removal
        // happen once, so no subtraction underflows and no addition passes the limit it was checked against.
        unchecked {
            if (from == QuotaRecordStatus.Reserved) {
                u.reserved -= amount;
                o.reserved -= amount64;
                if (to == QuotaRecordStatus.Confirmed) {
                    u.consumed += amount;
                    o.consumed += amount64;
                }
            } else {
                u.consumed -= amount;
                o.consumed -= amount64;
            }
        }
        storeUsage($.usage[a.investorKey][period], u);
        storeOffering($.offerings[a.offeringId], o);
        if (o.perInvestorLimit != 0) {
            QuotaStorageLayout.Usage storage s = $.offeringUsage[a.offeringId][a.investorKey];
            QuotaStorageLayout.Usage memory m = s;
            // Same proof as above: the amount sits in these counters exactly once.
            unchecked {
                if (from == QuotaRecordStatus.Reserved) {
                    m.reserved -= amount;
                    if (to == QuotaRecordStatus.Confirmed) m.consumed += amount;
                } else {
                    m.consumed -= amount;
                }
            }
            s.consumed = m.consumed;
            s.reserved = m.reserved;
        }
    }

    /// @dev Writes a usage record as one packed word (consumed bits 0..127, reserved 128..255): one SSTORE,
    /// where a struct assignment may write field by field.
    function storeUsage(QuotaStorageLayout.Usage storage s, QuotaStorageLayout.Usage memory u) internal {
        uint256 word = uint256(u.consumed) | (uint256(u.reserved) << 128);
        assembly ("memory-safe") {
            sstore(s.slot, word)
        }
    }

    /// @dev Writes an offering as one packed word (cap, perInvestorLimit, consumed, reserved: 64 bits each).
    function storeOffering(IQuotaRegistry.Offering storage s, IQuotaRegistry.Offering memory o) internal {
        uint256 word =
            uint256(o.cap) |
                (uint256(o.perInvestorLimit) << 64) |
                (uint256(o.consumed) << 128) |
                (uint256(o.reserved) << 192);
        assembly ("memory-safe") {
            sstore(s.slot, word)
        }
    }

    /// @dev Status and result of a sequence reference's nibble: 0..6 a {QuotaRecordStatus} with result Ok;
    /// 8 + k a refused item, k indexing the results a committed item can be refused with
    /// (1, 2, 3, 5, 6, 7, 8, 14).
    function refusalOf(uint256 nibble) internal pure returns (QuotaRecordStatus, QuotaResult) {
        if (nibble < 8) return (QuotaRecordStatus(nibble), QuotaResult.Ok);
        uint256 k = nibble - 8;
        if (k == 7) return (QuotaRecordStatus.Refused, QuotaResult.ReservationTooLong);
        return (QuotaRecordStatus.Refused, QuotaResult(k < 3 ? k + 1 : k + 2));
    }

    /// @dev The status nibble of a platform's sequence reference.
    function nibbleOf(uint32 platformId, uint256 seq) internal view returns (uint256) {
        return (layout().seqStatus[platformId][seq >> 6] >> ((seq & 63) << 2)) & 0xf;
    }

    /// @dev keccak256(abi.encode(platformId, seqRef, op, investorKey, offeringId, amount, expiry)), op = Reserve
    /// when the item has an expiry, else Consume.
    function leaf(
        uint32 platformId,
        uint256 seqRef,
        IQuotaRegistry.CommittedItem calldata it
    ) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    platformId,
                    seqRef,
                    it.expiry == 0 ? QuotaOp.Consume : QuotaOp.Reserve,
                    it.investorKey,
                    it.offeringId,
                    it.amount,
                    it.expiry
                )
            );
    }
}
