// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {ParticipantKind, ParticipantStatus} from "./IParticipantRegistry.sol";

/// @notice Kinds of quota operation a platform sends (singly or in a batch).
enum QuotaOp {
    Reserve,
    Confirm,
    Cancel,
    Consume,
    Refund,
    Expire
}

/// @notice Outcome of one operation. `Ok` covers both a first execution and an identical retry.
enum QuotaResult {
    Ok,
    UnknownInvestor,
    UnknownOffering,
    ZeroAmount,
    ZeroReference,
    InvalidExpiry,
    InvestorLimitExceeded,
    OfferingCapExceeded,
    OfferingInvestorLimitExceeded,
    ReferenceConflict,
    UnknownReference,
    InvalidState,
    ReservationExpired,
    ReservationNotExpired,
    ReservationTooLong,
    IssuerLimitExceeded
}

/// @notice Life of a platform reference: None → Reserved → Confirmed | Cancelled | Expired;
/// None → Consumed; Confirmed | Consumed → Refunded. `Refused` only for sequence references: an item of a
/// committed batch that was refused (its result is kept for retries).
enum QuotaRecordStatus {
    None,
    Reserved,
    Confirmed,
    Cancelled,
    Expired,
    Consumed,
    Refunded,
    Refused
}

/**
 * @title IQuotaRegistry
 * @notice Crowdfunding investment quotas shared in real time by every licensed platform (SPEC §5.3).
 * Investors are keyed by `keccak256(abi.encode(salt, realNameId))`, computed off chain; the real-name
 * id never reaches the chain. Amounts are integers in the smallest unit of the quota currency (e.g. cents).
 *
 * Invariant: for every investor and period, consumed + reserved ≤ the investor's quota; for every
 * offering, consumed + reserved ≤ its cap and, per investor, ≤ its per-investor limit; whatever the
 * interleaving of platforms. Lowering a quota below current usage is the regulator's prerogative: it
 * blocks further use without touching what is recorded.
 *
 * Idempotency: every platform operation carries the platform's own reference. Reserve and consume
 * open the reference; confirm, cancel, expire and refund name it again. A retry with the same
 * parameters changes nothing and returns `Ok`; the same reference with other parameters is refused
 * ({QuotaReferenceConflict}). Refusals are not recorded: a refused operation may be tried again.
 */
interface IQuotaRegistry {
    /* TYPES */

    /// @notice One operation of a batch. Unused fields are ignored (e.g. `expiry` outside Reserve).
    /// @param op What to do.
    /// @param ref The platform's reference of the investment.
    /// @param investorKey Salted hash of the investor's real-name id.
    /// @param offeringId Offering registered by the depository.
    /// @param amount Amount in the smallest currency unit.
    /// @param expiry Reservation expiry (UNIX seconds), Reserve only.
    struct Operation {
        QuotaOp op;
        bytes32 ref;
        bytes32 investorKey;
        uint32 offeringId;
        uint128 amount;
        uint40 expiry;
    }

    /// @notice One item of a committed batch: the opening of a sequence reference (no reference field: the
    /// item at index i of a batch starting at `firstRef` is sequence reference `firstRef + i`). An item with an
    /// expiry reserves until then; an item without (0) consumes directly.
    /// @param investorKey Salted hash of the investor's real-name id.
    /// @param offeringId Offering registered by the depository.
    /// @param amount Amount in the smallest currency unit.
    /// @param expiry Reservation expiry (UNIX seconds), or 0 for a direct consumption.
    struct CommittedItem {
        bytes32 investorKey;
        uint32 offeringId;
        uint128 amount;
        uint40 expiry;
    }

    /// @notice What the registry keeps of a committed batch (two slots).
    /// @param root Merkle root of the items' leaves (see {committedLeaf}); zero for an unknown batch.
    /// @param count Number of items (sequence references `firstRef .. firstRef + count - 1`).
    /// @param period Period the batch's amounts count in.
    struct CommittedBatch {
        bytes32 root;
        uint16 count;
        uint32 period;
    }

    /// @notice An offering: cap across all platforms, optional per-investor limit and running totals.
    /// @dev One storage slot; offering amounts therefore stay below 2^64 smallest units.
    struct Offering {
        uint64 cap;
        uint64 perInvestorLimit;
        uint64 consumed;
        uint64 reserved;
    }

    /// @notice What the registry remembers about a platform reference (one slot).
    /// @param fingerprint First 160 bits of keccak256(abi.encode(investorKey, offeringId, amount)).
    /// @param status Where the reference stands.
    /// @param period Period the amount counts in; for a Reg CF offering, the day number (days since 1970-01-01,
    /// UTC) at which it counts in the twelve-month window.
    /// @param expiry Reservation expiry; 0 for a direct consumption.
    struct Record {
        uint160 fingerprint;
        QuotaRecordStatus status;
        uint32 period;
        uint40 expiry;
    }

    /* EVENTS */

    /// @notice Emitted when an investor's quota is set directly (`category` 0) or by category.
    event InvestorQuotaSet(bytes32 indexed investorKey, uint8 indexed category, uint128 limit);
    /// @notice Emitted when a category of the table is defined or changed.
    event CategorySet(uint8 indexed category, uint128 limit, bytes32 name);
    /// @notice Emitted when the depository registers an offering.
    event OfferingRegistered(uint32 indexed offeringId, uint64 cap, uint64 perInvestorLimit, bytes32 name);
    /// @notice Emitted when the period rule changes (0 = calendar year, else fixed windows of N days).
    event PeriodRuleSet(uint32 periodDays);
    /// @notice Emitted when the longest lifetime of a reservation changes (seconds).
    event ReservationTtlSet(uint32 ttl);
    /// @notice Emitted when a platform reserves quota at checkout.
    event QuotaReserved(
        uint32 indexed platformId,
        bytes32 indexed ref,
        bytes32 indexed investorKey,
        uint32 offeringId,
        uint128 amount,
        uint32 period,
        uint40 expiry
    );
    /// @notice Emitted when a reservation becomes a consumption.
    event QuotaConfirmed(
        uint32 indexed platformId,
        bytes32 indexed ref,
        bytes32 indexed investorKey,
        uint32 offeringId,
        uint128 amount,
        uint32 period
    );
    /// @notice Emitted when a platform cancels its reservation.
    event QuotaCancelled(
        uint32 indexed platformId,
        bytes32 indexed ref,
        bytes32 indexed investorKey,
        uint32 offeringId,
        uint128 amount,
        uint32 period
    );
    /// @notice Emitted when anyone expires a reservation past its expiry.
    event QuotaExpired(
        uint32 indexed platformId,
        bytes32 indexed ref,
        bytes32 indexed investorKey,
        uint32 offeringId,
        uint128 amount,
        uint32 period
    );
    /// @notice Emitted when a platform consumes quota directly.
    event QuotaConsumed(
        uint32 indexed platformId,
        bytes32 indexed ref,
        bytes32 indexed investorKey,
        uint32 offeringId,
        uint128 amount,
        uint32 period
    );
    /// @notice Emitted when consumed quota is given back after a cancelled investment.
    event QuotaRefunded(
        uint32 indexed platformId,
        bytes32 indexed ref,
        bytes32 indexed investorKey,
        uint32 offeringId,
        uint128 amount,
        uint32 period
    );
    /// @notice Emitted when an identical retry is recognised and changes nothing.
    event QuotaReplayed(uint32 indexed platformId, bytes32 indexed ref, QuotaOp op);
    /// @notice Emitted when one item of a non-atomic batch is refused (the others go on).
    event QuotaItemRejected(uint32 indexed platformId, bytes32 indexed ref, QuotaOp op, QuotaResult result);

    /// @notice Emitted when a committed batch is applied. `items` packs, per item in order, 58 bytes:
    /// result (1, a {QuotaResult}), investorKey (32), offeringId (4), amount (16), expiry (5, 0 = consume), all
    /// big-endian; item i is sequence reference `firstRef + i`. Refused items change nothing but keep their
    /// sequence reference (status Refused).
    event QuotaBatchCommitted(
        uint32 indexed platformId,
        uint64 indexed firstRef,
        uint256 count,
        bytes32 root,
        uint32 period,
        bytes items
    );
    /// @notice Emitted when an identical retry of a committed batch is recognised and changes nothing.
    event QuotaBatchReplayed(uint32 indexed platformId, uint64 indexed firstRef, uint256 count, bytes32 root);
    /// @notice Emitted when an item of a committed batch is confirmed, cancelled, expired or refunded.
    /// @param status The item's new status (Confirmed, Cancelled, Expired or Refunded).
    event QuotaSequenceSettled(
        uint32 indexed platformId,
        uint64 indexed seqRef,
        bytes32 indexed investorKey,
        QuotaRecordStatus status,
        uint32 offeringId,
        uint128 amount,
        uint32 period
    );
    /// @notice Emitted by {settleCommittedBatch}. `outcomes` holds one byte per item of the batch: 0 not
    /// selected, 1 applied (the item moved to the status `op` leads to), 2 identical retry (no change), else
    /// 0x80 | the {QuotaResult} it was refused with. The items' parameters are those of {QuotaBatchCommitted}.
    event QuotaSequencesSettled(
        uint32 indexed platformId,
        uint64 indexed firstRef,
        QuotaOp op,
        uint32 period,
        bytes outcomes
    );
    /// @notice Emitted when an identical retry of a follow-up on a sequence reference changes nothing.
    event QuotaSequenceReplayed(uint32 indexed platformId, uint64 indexed seqRef, QuotaOp op);

    /* ERRORS */

    /// @notice Thrown when the caller is not a signer of an active Platform participant.
    error QuotaNotActivePlatform(address caller, ParticipantKind kind, ParticipantStatus status);
    /// @notice Thrown when an investor key is zero.
    error QuotaZeroInvestorKey();
    /// @notice Thrown for a call to a function the registry does not serve.
    error QuotaUnknownFunction(bytes4 selector);
    /// @notice Thrown when an investor has no quota on record.
    error QuotaUnknownInvestor(bytes32 investorKey);
    /// @notice Thrown when category 0 (reserved for direct quotas) is defined or assigned.
    error QuotaInvalidCategory(uint8 category);
    /// @notice Thrown when a category is used before it is defined.
    error QuotaUnknownCategory(uint8 category);
    /// @notice Thrown when an offering id is not registered.
    error QuotaUnknownOffering(uint32 offeringId);
    /// @notice Thrown when an offering cap is zero, or its per-investor limit exceeds the cap.
    error QuotaInvalidOfferingLimits(uint64 cap, uint64 perInvestorLimit);
    /// @notice Thrown when a period length is out of range (0 = calendar year, else 1..3660 days).
    error QuotaInvalidPeriodDays(uint32 periodDays);
    /// @notice Thrown when an amount is zero.
    error QuotaZeroAmount();
    /// @notice Thrown when a reference is zero.
    error QuotaZeroReference();
    /// @notice Thrown when a reservation expiry is not in the future.
    error QuotaInvalidExpiry(uint40 expiry, uint256 nowTimestamp);
    /// @notice Thrown when a reservation would outlive the longest lifetime or its period: `latest` is the
    /// latest expiry allowed now, min(now + reservation lifetime, end of the current period).
    error QuotaReservationTooLong(uint40 expiry, uint256 latest);
    /// @notice Thrown when the longest reservation lifetime is set out of range (`min` .. `max` seconds).
    error QuotaInvalidReservationTtl(uint32 ttl, uint32 min, uint32 max);
    /// @notice Thrown when the longest reservation lifetime is set to the value already in force.
    error QuotaReservationTtlUnchanged(uint32 ttl);
    /// @notice Thrown when an investor's quota for the period (under Reg CF: the limit in the twelve-month window)
    /// would be exceeded.
    error QuotaInvestorLimitExceeded(bytes32 investorKey, uint256 requested, uint256 available);
    /// @notice Reg CF (a)(1): the issuer's sales in the preceding twelve months would pass the issuer limit.
    error QuotaIssuerLimitExceeded(uint32 issuerId, uint256 requested, uint256 available);
    /// @notice Thrown when an offering's cap across platforms would be exceeded.
    error QuotaOfferingCapExceeded(uint32 offeringId, uint256 requested, uint256 available);
    /// @notice Thrown when an offering's per-investor limit would be exceeded.
    error QuotaOfferingInvestorLimitExceeded(
        uint32 offeringId,
        bytes32 investorKey,
        uint256 requested,
        uint256 available
    );
    /// @notice Thrown when a reference is reused with different parameters or for another operation.
    error QuotaReferenceConflict(uint32 platformId, bytes32 ref);
    /// @notice Thrown when a reference is unknown for this platform.
    error QuotaUnknownReference(uint32 platformId, bytes32 ref);
    /// @notice Thrown when a reference's status does not allow the operation.
    error QuotaInvalidState(uint32 platformId, bytes32 ref, QuotaRecordStatus status);
    /// @notice Thrown when a reservation is confirmed at or after its expiry, or once its period has ended.
    error QuotaReservationExpired(uint32 platformId, bytes32 ref, uint40 expiry);
    /// @notice Thrown when a reservation is expired before its expiry while its period lasts.
    error QuotaReservationNotExpired(uint32 platformId, bytes32 ref, uint40 expiry);
    /// @notice Thrown when a batch is empty or longer than `MAX_BATCH`.
    error QuotaInvalidBatchSize(uint256 size, uint256 max);
    /// @notice Thrown when an item of an all-or-nothing batch fails; the whole batch reverts.
    error QuotaBatchItemFailed(uint256 index, QuotaResult result);

    /// @notice Thrown when a committed batch would run past the last sequence reference (2^64 - 1).
    error QuotaInvalidSequenceRange(uint64 firstRef, uint256 count);
    /// @notice Thrown when a sequence reference is already used by other items (another batch, or the same
    /// first reference with other items).
    error QuotaSequenceConflict(uint32 platformId, uint64 seqRef);
    /// @notice Thrown when a sequence reference is not in the named committed batch.
    error QuotaUnknownSequence(uint32 platformId, uint64 seqRef, uint64 batchFirstRef);
    /// @notice Thrown when a follow-up names an operation that opens references (Reserve, Consume).
    error QuotaInvalidFollowUp(QuotaOp op);
    /// @notice Thrown when an item's parameters and Merkle proof do not match the batch's root.
    error QuotaInvalidProof(uint32 platformId, uint64 seqRef);
    /// @notice Thrown when a sequence reference's status does not allow the follow-up.
    error QuotaSequenceInvalidState(uint32 platformId, uint64 seqRef, QuotaRecordStatus status);
    /// @notice Thrown when a reserved item is confirmed at or after its expiry, or once its period has ended.
    error QuotaSequenceReservationExpired(uint32 platformId, uint64 seqRef, uint40 expiry);
    /// @notice Thrown when a reserved item is expired before its expiry while its period lasts.
    error QuotaSequenceReservationNotExpired(uint32 platformId, uint64 seqRef, uint40 expiry);

    /* ADMIN FUNCTIONS (QUOTA_ADMIN_ROLE: the regulator or the depository) */

    /// @notice Sets an investor's quota directly (per period).
    /// @dev Requires QUOTA_ADMIN_ROLE. Emits {InvestorQuotaSet} with category 0.
    /// @param investorKey Salted hash of the investor's real-name id (not zero).
    /// @param limit Quota per period; type(uint128).max means unlimited.
    function setQuota(bytes32 investorKey, uint128 limit) external;

    /// @notice Puts an investor in a category: the quota follows the category's limit, also later changes.
    /// @dev Requires QUOTA_ADMIN_ROLE; the category must be defined. Emits {InvestorQuotaSet}.
    /// @param investorKey Salted hash of the investor's real-name id (not zero).
    /// @param category Category id (1..255).
    function setInvestorCategory(bytes32 investorKey, uint8 category) external;

    /// @notice Defines or changes a category of the table (e.g. retail, qualified, accredited).
    /// @dev Requires QUOTA_ADMIN_ROLE. Emits {CategorySet}.
    /// @param category Category id (1..255).
    /// @param limit Quota per period; type(uint128).max means unlimited.
    /// @param name Short label, e.g. "retail".
    function setCategory(uint8 category, uint128 limit, bytes32 name) external;

    /// @notice Registers an offering with its cap across all platforms.
    /// @dev Requires QUOTA_ADMIN_ROLE. Emits {OfferingRegistered}.
    /// @param cap Maximum raised across platforms (not zero).
    /// @param perInvestorLimit Maximum per investor in this offering, 0 for none (≤ cap).
    /// @param name Short label.
    /// @return offeringId Sequential id from 1.
    function registerOffering(uint64 cap, uint64 perInvestorLimit, bytes32 name) external returns (uint32 offeringId);

    /// @notice Sets the period rule: 0 = calendar year (UTC), else consecutive windows of `periodDays` days
    /// counted from 1970-01-01.
    /// @dev Requires DEFAULT_ADMIN_ROLE (a governance parameter). Emits {PeriodRuleSet}.
    function setPeriodDays(uint32 periodDays) external;

    /// @notice Sets the longest lifetime of a reservation: a reservation made at time t expires at the latest
    /// at min(t + ttl, end of the period of t). Reservations already made keep their expiry.
    /// @dev Requires QUOTA_ADMIN_ROLE (a governance parameter of the regulator). Default 7 days; bounded to
    /// 60 seconds .. 90 days ({QuotaInvalidReservationTtl}); the value in force is refused
    /// ({QuotaReservationTtlUnchanged}). Emits {ReservationTtlSet}.
    /// @param ttl Longest lifetime in seconds.
    function setReservationTtl(uint32 ttl) external;

    /* PLATFORM FUNCTIONS (signers of an Active Platform participant) */

    /// @notice Reserves quota at checkout until `expiry`.
    /// @dev Emits {QuotaReserved}, or {QuotaReplayed} for an identical retry. An expiry past
    /// {latestExpiryAt}(now) is refused with {QuotaReservationTooLong}.
    /// @param ref The platform's reference (not zero).
    /// @param investorKey Salted hash of the investor's real-name id.
    /// @param offeringId Registered offering.
    /// @param amount Amount (not zero).
    /// @param expiry UNIX seconds after which anyone may expire the reservation; after now and at most
    /// min(now + {reservationTtl}, end of the current period).
    function reserve(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount, uint40 expiry) external;

    /// @notice Turns a live reservation into consumption.
    /// @dev Emits {QuotaConfirmed} or {QuotaReplayed}. The parameters must be those of the reservation. Refused
    /// at or after the expiry and once the reservation's period has ended ({QuotaReservationExpired}).
    function confirm(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external;

    /// @notice Cancels a reservation and frees its quota.
    /// @dev Emits {QuotaCancelled} or {QuotaReplayed}.
    function cancel(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external;

    /// @notice Consumes quota directly (no reservation).
    /// @dev Emits {QuotaConsumed} or {QuotaReplayed}.
    function consume(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external;

    /// @notice Gives back consumed quota after the investment was cancelled (whole amount of the reference).
    /// @dev Emits {QuotaRefunded} or {QuotaReplayed}. The reference must be Consumed or Confirmed.
    function refund(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external;

    /// @notice Runs up to `MAX_BATCH` operations with one registry check.
    /// @dev Non-atomic: a refused item emits {QuotaItemRejected} and the others go on. Atomic: the first
    /// refused item reverts everything with {QuotaBatchItemFailed}. `Expire` items expire the caller's
    /// own reservations.
    /// @param ops The operations, applied in order.
    /// @param atomic All-or-nothing when true.
    /// @return results One result per operation.
    function execute(Operation[] calldata ops, bool atomic) external returns (QuotaResult[] memory results);

    /// @notice Opens up to `MAX_BATCH` sequence references `firstRef .. firstRef + n - 1` (reservations and
    /// consumptions) and stores one Merkle commitment to their parameters.
    /// @dev Idempotent on `firstRef`: the same items again change nothing, return the same results and emit
    /// {QuotaBatchReplayed}; other items on a used sequence reference revert with {QuotaSequenceConflict}.
    /// A reserving item's expiry must lie after now and at most at {latestExpiryAt}(now) (else result
    /// ReservationTooLong). Non-atomic: refused items keep their sequence reference with status Refused.
    /// Atomic: the first refused item reverts everything with {QuotaBatchItemFailed}. Emits {QuotaBatchCommitted}.
    /// @param firstRef The platform's sequence reference of the first item.
    /// @param items The items, in sequence order.
    /// @param atomic All-or-nothing when true.
    /// @return results One result per item.
    function executeCommitted(
        uint64 firstRef,
        CommittedItem[] calldata items,
        bool atomic
    ) external returns (QuotaResult[] memory results);

    /// @notice Confirms a reserved item of a committed batch into consumption.
    /// @dev Emits {QuotaSequenceSettled} or {QuotaSequenceReplayed}.
    /// @param seqRef The item's sequence reference.
    /// @param batchFirstRef First sequence reference of the item's batch.
    /// @param item The item as committed.
    /// @param proof Merkle proof of the item's leaf against the batch root.
    function confirmCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) external;

    /// @notice Cancels a reserved item of a committed batch.
    /// @dev Emits {QuotaSequenceSettled} or {QuotaSequenceReplayed}. Parameters as in {confirmCommitted}.
    function cancelCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) external;

    /// @notice Gives back a consumed or confirmed item of a committed batch.
    /// @dev Emits {QuotaSequenceSettled} or {QuotaSequenceReplayed}. Parameters as in {confirmCommitted}.
    function refundCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) external;

    /// @notice Confirms, cancels, refunds or expires many items of one committed batch at once. The caller
    /// sends all the batch's items (the registry rebuilds the root instead of checking one proof per item) and
    /// selects the items to act on with a bit mask.
    /// @dev Emits {QuotaSequencesSettled}. Items the status does not allow are reported, the others go on;
    /// Expire items must be past their expiry or their period. Requires the batch's own platform.
    /// @param op Confirm, Cancel, Refund or Expire.
    /// @param firstRef First sequence reference of the batch.
    /// @param items All the batch's items, as committed.
    /// @param mask Bit i selects item i.
    /// @return results Per item: Ok (applied, replayed or not selected) or the refusal's result.
    function settleCommittedBatch(
        QuotaOp op,
        uint64 firstRef,
        CommittedItem[] calldata items,
        uint256 mask
    ) external returns (QuotaResult[] memory results);

    /* PUBLIC FUNCTIONS */

    /// @notice Expires a reserved item of a committed batch at or after its expiry, or once its period has ended;
    /// anyone may call.
    /// @dev Emits {QuotaSequenceSettled} or {QuotaSequenceReplayed}.
    /// @param platformId Platform that committed the batch. Other parameters as in {confirmCommitted}.
    function expireCommitted(
        uint32 platformId,
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) external;

    /// @notice Expires a reservation at or after its expiry, or once its period has ended; anyone may call.
    /// @dev Emits {QuotaExpired} or {QuotaReplayed}.
    /// @param platformId Platform that made the reservation.
    function expire(uint32 platformId, bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external;

    /* VIEWS */

    /// @notice Current quota of an investor (category limit if categorised), its category and whether it is known.
    function quotaOf(bytes32 investorKey) external view returns (uint128 limit, uint8 category, bool known);

    /// @notice Consumed and reserved amounts of an investor in a period.
    function usageOf(bytes32 investorKey, uint32 period) external view returns (uint128 consumed, uint128 reserved);

    /// @notice What an investor may still reserve or consume in a period (0 if unknown).
    function availableOf(bytes32 investorKey, uint32 period) external view returns (uint256);

    /// @notice A category's limit and label.
    function category(uint8 id) external view returns (uint128 limit, bytes32 name);

    /// @notice An offering's limits and totals. Reverts with {QuotaUnknownOffering} for unknown ids.
    function offering(uint32 offeringId) external view returns (Offering memory);

    /// @notice An investor's consumed and reserved amounts in one offering.
    function offeringUsageOf(
        uint32 offeringId,
        bytes32 investorKey
    ) external view returns (uint128 consumed, uint128 reserved);

    /// @notice Number of offerings registered (ids run from 1 to this number).
    function offeringCount() external view returns (uint32);

    /// @notice What the registry remembers about a platform's reference.
    function recordOf(uint32 platformId, bytes32 ref) external view returns (Record memory);

    /// @notice A sequence reference's status and, when Refused, the result it was refused with.
    function sequenceStatusOf(
        uint32 platformId,
        uint64 seqRef
    ) external view returns (QuotaRecordStatus status, QuotaResult refusal);

    /// @notice A committed batch of a platform, by its first sequence reference.
    function committedBatchOf(uint32 platformId, uint64 firstRef) external view returns (CommittedBatch memory);

    /// @notice The Merkle leaf of a committed item:
    /// keccak256(abi.encode(platformId, seqRef, op, investorKey, offeringId, amount, expiry)), op = Reserve when
    /// the item has an expiry, else Consume.
    function committedLeaf(
        uint32 platformId,
        uint64 seqRef,
        CommittedItem calldata item
    ) external pure returns (bytes32);

    /// @notice Period of a timestamp under the current rule.
    function periodOf(uint256 timestamp) external view returns (uint32);

    /// @notice Period of the current block.
    function currentPeriod() external view returns (uint32);

    /// @notice Period rule: 0 = calendar year, else window length in days.
    function periodDays() external view returns (uint32);

    /// @notice First second after the period of a timestamp under the current rule (when that period ends).
    function periodEndOf(uint256 timestamp) external view returns (uint256);

    /// @notice Longest lifetime of a reservation in seconds (default 7 days).
    function reservationTtl() external view returns (uint32);

    /// @notice Latest expiry a reservation made at `timestamp` may carry: min(timestamp + {reservationTtl},
    /// {periodEndOf}(timestamp)).
    function latestExpiryAt(uint256 timestamp) external view returns (uint256);

    /// @notice The participant registry consulted for platforms.
    function registry() external view returns (address);
}
