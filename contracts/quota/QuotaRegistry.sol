// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {IQuotaRegistry, QuotaOp, QuotaResult, QuotaRecordStatus} from "../interfaces/IQuotaRegistry.sol";
import {QuotaCommitted} from "./QuotaCommitted.sol";
import {QuotaRegCf} from "./QuotaRegCf.sol";
import {QuotaStorageLayout, QuotaTypes} from "./QuotaTypes.sol";

/**
 * @title QuotaRegistry
 * @notice One crowdfunding quota per investor, shared by every licensed platform in real time (SPEC §5.3).
 * @dev Roles:
 * - `QUOTA_ADMIN_ROLE` (regulator or depository) sets quotas, the category table, the longest reservation
 *   lifetime and registers offerings;
 * - `DEFAULT_ADMIN_ROLE` (consortium admin) sets the period rule, manages roles and upgrades;
 * - platforms are registry participants of kind Platform, Active, acting through any of their signers.
 *   The platform identity for references is the participant id, so all signers of one platform share them.
 *
 * Gas layout: investor (limit, category) one slot; usage per (investor, period) one slot; offering
 * (cap, per-investor limit, consumed, reserved) one slot; each platform reference one slot; the registry
 * address and the period rule one slot. One registry call per transaction, batches included.
 *
 * Committed batches (sequence references, Merkle roots, bulk follow-ups) live in the linked library
 * {QuotaCommitted}: this contract forwards those calls to it unchanged, and both share {QuotaStorageLayout}.
 *
 * Reg CF (17 CFR 227.100): offerings registered under it (ids with bit 31 set) count in rolling twelve-month
 * windows per investor and per issuer instead of periods; that logic, its governance functions and views
 * ({IQuotaRegCf}, served at this address through the fallback) live in the linked library {QuotaRegCf}.
 *
 * Periods: `periodDays == 0` (default) → calendar year (UTC) of the block, id = the year (e.g. 2026);
 * otherwise consecutive windows of `periodDays` days from 1970-01-01, id = 10000 + dayNumber / periodDays.
 * A reservation counts in the period it was made in and never outlives it: its expiry is at most
 * min(now + reservation lifetime, end of the period), and it lapses when its period is over.
 */
contract QuotaRegistry is ConsortiumUpgradeable, QuotaStorageLayout, IQuotaRegistry {
    /* CONSTANTS */

    /// @notice Role of the regulator or depository staff who set quotas, categories and offerings.
    bytes32 public constant QUOTA_ADMIN_ROLE = keccak256("QUOTA_ADMIN_ROLE");
    /// @notice Maximum operations per batch.
    uint256 public constant MAX_BATCH = 256;
    /// @notice Quota meaning "no limit" (e.g. accredited investors).
    uint128 public constant UNLIMITED = type(uint128).max;
    uint32 private constant MAX_PERIOD_DAYS = 3660;

    function _s() private pure returns (QuotaStorage storage) {
        return QuotaTypes.layout();
    }

    /* INITIALISER */

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin (may be a timelock or multisig).
    /// @param registry_ The participant registry that says who is an active platform.
    function initialize(address admin, address registry_) external initializer {
        __Consortium_init(admin);
        if (registry_ == address(0)) revert ConsortiumZeroAddress("registry");
        _s().config = Config(IParticipantRegistry(registry_), 0);
        emit PeriodRuleSet(0);
        emit ReservationTtlSet(QuotaTypes.DEFAULT_RESERVATION_TTL);
    }

    /* ADMIN FUNCTIONS */

    /// @inheritdoc IQuotaRegistry
    function setQuota(bytes32 investorKey, uint128 limit) external onlyRole(QUOTA_ADMIN_ROLE) {
        if (investorKey == bytes32(0)) revert QuotaZeroInvestorKey();
        _s().investors[investorKey] = Investor(limit, 0, true);
        emit InvestorQuotaSet(investorKey, 0, limit);
    }

    /// @inheritdoc IQuotaRegistry
    function setInvestorCategory(bytes32 investorKey, uint8 category_) external onlyRole(QUOTA_ADMIN_ROLE) {
        if (investorKey == bytes32(0)) revert QuotaZeroInvestorKey();
        if (category_ == 0) revert QuotaInvalidCategory(category_);
        Category storage c = _s().categories[category_];
        if (!c.defined) revert QuotaUnknownCategory(category_);
        _s().investors[investorKey] = Investor(0, category_, true);
        emit InvestorQuotaSet(investorKey, category_, c.limit);
    }

    /// @inheritdoc IQuotaRegistry
    function setCategory(uint8 category_, uint128 limit, bytes32 name) external onlyRole(QUOTA_ADMIN_ROLE) {
        if (category_ == 0) revert QuotaInvalidCategory(category_);
        _s().categories[category_] = Category(limit, true, name);
        emit CategorySet(category_, limit, name);
    }

    /// @inheritdoc IQuotaRegistry
    function registerOffering(
        uint64 cap,
        uint64 perInvestorLimit,
        bytes32 name
    ) external onlyRole(QUOTA_ADMIN_ROLE) returns (uint32 offeringId) {
        if (cap == 0 || perInvestorLimit > cap) revert QuotaInvalidOfferingLimits(cap, perInvestorLimit);
        QuotaStorage storage $ = _s();
        offeringId = ++$.offeringCount;
        $.offerings[offeringId] = Offering(cap, perInvestorLimit, 0, 0);
        emit OfferingRegistered(offeringId, cap, perInvestorLimit, name);
    }

    /// @inheritdoc IQuotaRegistry
    function setReservationTtl(uint32 ttl) external onlyRole(QUOTA_ADMIN_ROLE) {
        uint32 min = QuotaTypes.MIN_RESERVATION_TTL;
        uint32 max = QuotaTypes.MAX_RESERVATION_TTL;
        if (ttl < min || ttl > max) revert QuotaInvalidReservationTtl(ttl, min, max);
        QuotaStorage storage $ = _s();
        if (ttl == QuotaTypes.reservationTtl($)) revert QuotaReservationTtlUnchanged(ttl);
        $.reservationTtl = ttl;
        emit ReservationTtlSet(ttl);
    }

    /// @inheritdoc IQuotaRegistry
    function setPeriodDays(uint32 periodDays_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (periodDays_ > MAX_PERIOD_DAYS) revert QuotaInvalidPeriodDays(periodDays_);
        _s().config.periodDays = periodDays_;
        emit PeriodRuleSet(periodDays_);
    }

    /* PLATFORM FUNCTIONS */

    /// @inheritdoc IQuotaRegistry
    function reserve(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount, uint40 expiry) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(
            QuotaTypes.Args(platformId, QuotaOp.Reserve, ref, investorKey, offeringId, amount, expiry),
            periodDays_
        );
    }

    /// @inheritdoc IQuotaRegistry
    function confirm(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(QuotaTypes.Args(platformId, QuotaOp.Confirm, ref, investorKey, offeringId, amount, 0), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function cancel(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(QuotaTypes.Args(platformId, QuotaOp.Cancel, ref, investorKey, offeringId, amount, 0), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function consume(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(QuotaTypes.Args(platformId, QuotaOp.Consume, ref, investorKey, offeringId, amount, 0), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function refund(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(QuotaTypes.Args(platformId, QuotaOp.Refund, ref, investorKey, offeringId, amount, 0), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function execute(Operation[] calldata ops, bool atomic) external returns (QuotaResult[] memory results) {
        uint256 n = ops.length;
        if (n == 0 || n > MAX_BATCH) revert QuotaInvalidBatchSize(n, MAX_BATCH);
        (uint32 platformId, uint32 periodDays_) = _platform();
        results = new QuotaResult[](n);
        QuotaTypes.Args memory a;
        a.platformId = platformId;
        for (uint256 i; i < n; ++i) {
            Operation calldata o = ops[i];
            a.op = o.op;
            a.ref = o.ref;
            a.investorKey = o.investorKey;
            a.offeringId = o.offeringId;
            a.amount = o.amount;
            a.expiry = o.expiry;
            (QuotaResult r, ) = _apply(a, periodDays_);
            if (r != QuotaResult.Ok) {
                if (atomic) revert QuotaBatchItemFailed(i, r);
                emit QuotaItemRejected(platformId, o.ref, o.op, r);
            }
            results[i] = r;
        }
    }

    /* COMMITTED BATCHES (forwarded to QuotaCommitted) */

    /// @inheritdoc IQuotaRegistry
    function executeCommitted(uint64, CommittedItem[] calldata, bool) external returns (QuotaResult[] memory) {
        _forward(QuotaCommitted.executeCommitted.selector);
    }

    /// @inheritdoc IQuotaRegistry
    function confirmCommitted(uint64, uint64, CommittedItem calldata, bytes32[] calldata) external {
        _forward(QuotaCommitted.confirmCommitted.selector);
    }

    /// @inheritdoc IQuotaRegistry
    function cancelCommitted(uint64, uint64, CommittedItem calldata, bytes32[] calldata) external {
        _forward(QuotaCommitted.cancelCommitted.selector);
    }

    /// @inheritdoc IQuotaRegistry
    function refundCommitted(uint64, uint64, CommittedItem calldata, bytes32[] calldata) external {
        _forward(QuotaCommitted.refundCommitted.selector);
    }

    /// @inheritdoc IQuotaRegistry
    function settleCommittedBatch(
        QuotaOp,
        uint64,
        CommittedItem[] calldata,
        uint256
    ) external returns (QuotaResult[] memory) {
        _forward(QuotaCommitted.settleCommittedBatch.selector);
    }

    /// @inheritdoc IQuotaRegistry
    function expireCommitted(uint32, uint64, uint64, CommittedItem calldata, bytes32[] calldata) external {
        _forward(QuotaCommitted.expireCommitted.selector);
    }

    /// @notice Serves {IQuotaRegCf} (Reg CF offerings, accredited investors, the issuer cap, windows) from the
    /// linked library {QuotaRegCf}, which checks its own access rules; its internal entry point is not served.
    /// @custom:oz-upgrades-unsafe-allow delegatecall
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        if (msg.sig == QuotaRegCf.applyRegCf.selector) revert QuotaUnknownFunction(msg.sig);
        address library_ = address(QuotaRegCf);
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), library_, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }

    /* PUBLIC FUNCTIONS */

    /// @inheritdoc IQuotaRegistry
    function expire(uint32 platformId, bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        _single(
            QuotaTypes.Args(platformId, QuotaOp.Expire, ref, investorKey, offeringId, amount, 0),
            _s().config.periodDays
        );
    }

    /* VIEWS */

    /// @inheritdoc IQuotaRegistry
    function quotaOf(bytes32 investorKey) external view returns (uint128 limit, uint8 category_, bool known) {
        QuotaStorage storage $ = _s();
        Investor memory iv = $.investors[investorKey];
        return (_limitOf($, iv), iv.category, iv.known);
    }

    /// @inheritdoc IQuotaRegistry
    function usageOf(bytes32 investorKey, uint32 period) external view returns (uint128 consumed, uint128 reserved) {
        Usage memory u = _s().usage[investorKey][period];
        return (u.consumed, u.reserved);
    }

    /// @inheritdoc IQuotaRegistry
    function availableOf(bytes32 investorKey, uint32 period) external view returns (uint256) {
        QuotaStorage storage $ = _s();
        Investor memory iv = $.investors[investorKey];
        if (!iv.known) return 0;
        Usage memory u = $.usage[investorKey][period];
        uint256 used = uint256(u.consumed) + u.reserved;
        uint256 limit = _limitOf($, iv);
        return limit > used ? limit - used : 0;
    }

    /// @inheritdoc IQuotaRegistry
    function category(uint8 id) external view returns (uint128 limit, bytes32 name) {
        Category storage c = _s().categories[id];
        if (!c.defined) revert QuotaUnknownCategory(id);
        return (c.limit, c.name);
    }

    /// @inheritdoc IQuotaRegistry
    function offering(uint32 offeringId) external view returns (Offering memory o) {
        o = _s().offerings[offeringId];
        if (o.cap == 0) revert QuotaUnknownOffering(offeringId);
    }

    /// @inheritdoc IQuotaRegistry
    function offeringUsageOf(
        uint32 offeringId,
        bytes32 investorKey
    ) external view returns (uint128 consumed, uint128 reserved) {
        Usage memory u = _s().offeringUsage[offeringId][investorKey];
        return (u.consumed, u.reserved);
    }

    /// @inheritdoc IQuotaRegistry
    function offeringCount() external view returns (uint32) {
        return _s().offeringCount;
    }

    /// @inheritdoc IQuotaRegistry
    function recordOf(uint32 platformId, bytes32 ref) external view returns (Record memory) {
        return _s().records[platformId][ref];
    }

    /// @inheritdoc IQuotaRegistry
    function sequenceStatusOf(
        uint32 platformId,
        uint64 seqRef
    ) external view returns (QuotaRecordStatus status, QuotaResult refusal) {
        return QuotaTypes.refusalOf(QuotaTypes.nibbleOf(platformId, seqRef));
    }

    /// @inheritdoc IQuotaRegistry
    function committedBatchOf(uint32 platformId, uint64 firstRef) external view returns (CommittedBatch memory) {
        return _s().batches[platformId][firstRef];
    }

    /// @inheritdoc IQuotaRegistry
    function committedLeaf(
        uint32 platformId,
        uint64 seqRef,
        CommittedItem calldata item
    ) external pure returns (bytes32) {
        return QuotaTypes.leaf(platformId, seqRef, item);
    }

    /// @inheritdoc IQuotaRegistry
    function periodOf(uint256 timestamp) external view returns (uint32) {
        return QuotaTypes.periodOf(timestamp, _s().config.periodDays);
    }

    /// @inheritdoc IQuotaRegistry
    function currentPeriod() external view returns (uint32) {
        return QuotaTypes.periodOf(block.timestamp, _s().config.periodDays);
    }

    /// @inheritdoc IQuotaRegistry
    function periodDays() external view returns (uint32) {
        return _s().config.periodDays;
    }

    /// @inheritdoc IQuotaRegistry
    function periodEndOf(uint256 timestamp) external view returns (uint256) {
        return QuotaTypes.periodEndOf(timestamp, _s().config.periodDays);
    }

    /// @inheritdoc IQuotaRegistry
    function reservationTtl() external view returns (uint32) {
        return QuotaTypes.reservationTtl(_s());
    }

    /// @inheritdoc IQuotaRegistry
    function latestExpiryAt(uint256 timestamp) external view returns (uint256) {
        QuotaStorage storage $ = _s();
        return QuotaTypes.latestExpiry($, timestamp, $.config.periodDays);
    }

    /// @inheritdoc IQuotaRegistry
    function registry() external view returns (address) {
        return address(_s().config.registry);
    }

    /// @notice Version of this implementation.
    function version() external pure virtual returns (string memory) {
        return "1.3.0";
    }

    /* INTERNAL */

    /// @dev The caller's platform id and the period rule; one registry call, one config SLOAD.
    function _platform() private view returns (uint32 platformId, uint32 periodDays_) {
        return QuotaTypes.platform();
    }

    /// @dev Runs the library function `selector` of {QuotaCommitted} on this call's own arguments: the calldata
    /// is passed on unchanged but for its selector (each library function takes the same parameters as the
    /// registry function that forwards to it), and the library's return data or revert is passed back. A
    /// batch's items are thereby copied once as a block, not re-encoded item by item.
    /// @custom:oz-upgrades-unsafe-allow delegatecall
    function _forward(bytes4 selector) private {
        address library_ = address(QuotaCommitted);
        assembly {
            // Scratch use of memory from 0: the call never returns to Solidity code.
            calldatacopy(0, 0, calldatasize())
            mstore(0, or(selector, shr(32, shl(32, mload(0)))))
            let ok := delegatecall(gas(), library_, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }

    /// @dev Runs one operation and reverts with the named error when it is refused.
    function _single(QuotaTypes.Args memory a, uint32 periodDays_) private {
        (QuotaResult r, uint256 detail) = _apply(a, periodDays_);
        if (r == QuotaResult.Ok) return;
        if (r == QuotaResult.UnknownInvestor) revert QuotaUnknownInvestor(a.investorKey);
        if (r == QuotaResult.UnknownOffering) revert QuotaUnknownOffering(a.offeringId);
        if (r == QuotaResult.ZeroAmount) revert QuotaZeroAmount();
        if (r == QuotaResult.ZeroReference) revert QuotaZeroReference();
        if (r == QuotaResult.InvalidExpiry) revert QuotaInvalidExpiry(a.expiry, block.timestamp);
        if (r == QuotaResult.InvestorLimitExceeded) revert QuotaInvestorLimitExceeded(a.investorKey, a.amount, detail);
        if (r == QuotaResult.OfferingCapExceeded) revert QuotaOfferingCapExceeded(a.offeringId, a.amount, detail);
        if (r == QuotaResult.OfferingInvestorLimitExceeded) {
            revert QuotaOfferingInvestorLimitExceeded(a.offeringId, a.investorKey, a.amount, detail);
        }
        if (r == QuotaResult.ReferenceConflict) revert QuotaReferenceConflict(a.platformId, a.ref);
        if (r == QuotaResult.UnknownReference) revert QuotaUnknownReference(a.platformId, a.ref);
        if (r == QuotaResult.InvalidState) revert QuotaInvalidState(a.platformId, a.ref, QuotaRecordStatus(detail));
        if (r == QuotaResult.ReservationExpired) revert QuotaReservationExpired(a.platformId, a.ref, uint40(detail));
        if (r == QuotaResult.ReservationTooLong) revert QuotaReservationTooLong(a.expiry, detail);
        if (r == QuotaResult.IssuerLimitExceeded) {
            revert QuotaIssuerLimitExceeded(uint32(detail >> 128), a.amount, uint128(detail));
        }
        revert QuotaReservationNotExpired(a.platformId, a.ref, uint40(detail));
    }

    /// @dev Applies one operation. Refusals return a result (and a detail value) and change nothing.
    function _apply(QuotaTypes.Args memory a, uint32 periodDays_) private returns (QuotaResult, uint256) {
        if (a.ref == bytes32(0)) return (QuotaResult.ZeroReference, 0);
        if (a.amount == 0) return (QuotaResult.ZeroAmount, 0);
        if (a.offeringId & QuotaTypes.REG_CF_OFFERING != 0) return QuotaRegCf.applyRegCf(a, periodDays_);
        uint160 fp = uint160(uint256(keccak256(abi.encode(a.investorKey, a.offeringId, a.amount))));
        if (a.op == QuotaOp.Reserve || a.op == QuotaOp.Consume) return _open(a, fp, periodDays_);
        return _settle(a, fp, periodDays_);
    }

    /// @dev Reserve or consume: opens a new reference, or recognises an identical retry.
    function _open(QuotaTypes.Args memory a, uint160 fp, uint32 periodDays_) private returns (QuotaResult, uint256) {
        QuotaStorage storage $ = _s();
        Record storage rec = $.records[a.platformId][a.ref];
        bool isReserve = a.op == QuotaOp.Reserve;
        if (rec.status != QuotaRecordStatus.None) {
            // Same operation kind (reservation ⇔ expiry ≠ 0), same parameters: an identical retry.
            if (rec.fingerprint == fp && rec.expiry == (isReserve ? a.expiry : 0)) {
                emit QuotaReplayed(a.platformId, a.ref, a.op);
                return (QuotaResult.Ok, 0);
            }
            return (QuotaResult.ReferenceConflict, 0);
        }
        uint32 period = QuotaTypes.periodOf(block.timestamp, periodDays_);
        (QuotaResult r, uint256 detail) = _admit(a, period, isReserve, periodDays_);
        if (r != QuotaResult.Ok) return (r, detail);
        $.records[a.platformId][a.ref] = Record(
            fp,
            isReserve ? QuotaRecordStatus.Reserved : QuotaRecordStatus.Consumed,
            period,
            isReserve ? a.expiry : 0
        );
        _emitOpened(a, period);
        return (QuotaResult.Ok, 0);
    }

    /// @dev Checks an opening (reserve or consume) against every limit and counts it. Refusals change nothing.
    /// A reservation's expiry lies after now and at most at min(now + lifetime, end of the current period).
    function _admit(
        QuotaTypes.Args memory a,
        uint32 period,
        bool isReserve,
        uint32 periodDays_
    ) private returns (QuotaResult, uint256) {
        QuotaStorage storage $ = _s();
        if (isReserve) {
            if (a.expiry <= block.timestamp) return (QuotaResult.InvalidExpiry, 0);
            uint256 latest = QuotaTypes.latestExpiry($, block.timestamp, periodDays_);
            if (a.expiry > latest) return (QuotaResult.ReservationTooLong, latest);
        }
        Investor memory iv = $.investors[a.investorKey];
        if (!iv.known) return (QuotaResult.UnknownInvestor, 0);
        Offering memory o = $.offerings[a.offeringId];
        if (o.cap == 0) return (QuotaResult.UnknownOffering, 0);
        Usage memory u = $.usage[a.investorKey][period];
        uint256 amount = a.amount;
        {
            uint256 used = uint256(u.consumed) + u.reserved;
            uint256 limit = _limitOf($, iv);
            if (used + amount > limit) return (QuotaResult.InvestorLimitExceeded, limit > used ? limit - used : 0);
        }
        if (uint256(o.consumed) + o.reserved + amount > o.cap) {
            return (QuotaResult.OfferingCapExceeded, o.cap - o.consumed - o.reserved);
        }
        // From here on every counter stays within a limit ≤ its type's maximum: the casts cannot truncate.
        if (o.perInvestorLimit != 0) {
            (QuotaResult r, uint256 left) = _openOfferingInvestor(
                a.offeringId,
                a.investorKey,
                amount,
                o.perInvestorLimit,
                isReserve
            );
            if (r != QuotaResult.Ok) return (r, left);
        }
        if (isReserve) {
            u.reserved += uint128(amount);
            o.reserved += uint64(amount);
        } else {
            u.consumed += uint128(amount);
            o.consumed += uint64(amount);
        }
        QuotaTypes.storeUsage($.usage[a.investorKey][period], u);
        QuotaTypes.storeOffering($.offerings[a.offeringId], o);
        return (QuotaResult.Ok, 0);
    }

    /// @dev Checks and counts an opening against an offering's per-investor limit.
    function _openOfferingInvestor(
        uint32 offeringId,
        bytes32 investorKey,
        uint256 amount,
        uint64 perInvestorLimit,
        bool isReserve
    ) private returns (QuotaResult, uint256) {
        Usage storage ou = _s().offeringUsage[offeringId][investorKey];
        Usage memory m = ou;
        uint256 used = uint256(m.consumed) + m.reserved;
        if (used + amount > perInvestorLimit) {
            return (QuotaResult.OfferingInvestorLimitExceeded, perInvestorLimit - used);
        }
        // used + amount ≤ perInvestorLimit < 2^64: the uint128 counters cannot overflow.
        if (isReserve) ou.reserved = uint128(m.reserved + amount);
        else ou.consumed = uint128(m.consumed + amount);
        return (QuotaResult.Ok, 0);
    }

    /// @dev Confirm, cancel, expire or refund an existing reference.
    function _settle(QuotaTypes.Args memory a, uint160 fp, uint32 periodDays_) private returns (QuotaResult, uint256) {
        QuotaStorage storage $ = _s();
        Record memory rec = $.records[a.platformId][a.ref];
        if (rec.status == QuotaRecordStatus.None) return (QuotaResult.UnknownReference, 0);
        if (rec.fingerprint != fp) return (QuotaResult.ReferenceConflict, 0);

        QuotaRecordStatus from = rec.status;
        (QuotaRecordStatus to, QuotaResult r, bool replay) = QuotaTypes.transition(
            a.op,
            from,
            rec.expiry,
            rec.period,
            periodDays_
        );
        if (replay) {
            emit QuotaReplayed(a.platformId, a.ref, a.op);
            return (QuotaResult.Ok, 0);
        }
        if (r == QuotaResult.InvalidState) return (r, uint256(from));
        if (r != QuotaResult.Ok) return (r, rec.expiry);

        QuotaTypes.move(a, from, to, rec.period);
        $.records[a.platformId][a.ref].status = to;
        _emitSettled(a, to, rec.period);
        return (QuotaResult.Ok, 0);
    }

    function _emitOpened(QuotaTypes.Args memory a, uint32 period) private {
        if (a.op == QuotaOp.Reserve) {
            emit QuotaReserved(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, period, a.expiry);
        } else {
            emit QuotaConsumed(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, period);
        }
    }

    function _emitSettled(QuotaTypes.Args memory a, QuotaRecordStatus to, uint32 period) private {
        if (to == QuotaRecordStatus.Confirmed) {
            emit QuotaConfirmed(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, period);
        } else if (to == QuotaRecordStatus.Cancelled) {
            emit QuotaCancelled(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, period);
        } else if (to == QuotaRecordStatus.Expired) {
            emit QuotaExpired(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, period);
        } else {
            emit QuotaRefunded(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, period);
        }
    }

    function _limitOf(QuotaStorage storage $, Investor memory iv) private view returns (uint128) {
        return iv.category == 0 ? iv.limit : $.categories[iv.category].limit;
    }
}
