// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {IParticipantRegistry, ParticipantKind, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";
import {IQuotaRegistry, QuotaOp, QuotaResult, QuotaRecordStatus} from "../interfaces/IQuotaRegistry.sol";
import {DateLib} from "../libraries/DateLib.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title QuotaRegistry
 * @notice One crowdfunding quota per investor, shared by every licensed platform in real time (SPEC §5.3).
 * @dev Roles:
 * - `QUOTA_ADMIN_ROLE` (regulator or depository) sets quotas, the category table and registers offerings;
 * - `DEFAULT_ADMIN_ROLE` (consortium admin) sets the period rule, manages roles and upgrades;
 * - platforms are registry participants of kind Platform, Active, acting through any of their signers.
 *   The platform identity for references is the participant id, so all signers of one platform share them.
 *
 * Gas layout: investor (limit, category) one slot; usage per (investor, period) one slot; offering
 * (cap, per-investor limit, consumed, reserved) one slot; each platform reference one slot; the registry
 * address and the period rule one slot. One registry call per transaction, batches included.
 *
 * Committed batches: a platform numbers batch items with its own sequence references (uint64, a namespace
 * apart from the bytes32 references). Their status is one nibble each in a per-platform table (64 per
 * storage word: a {QuotaRecordStatus}, or a refused item's {QuotaResult}), and a batch stores one Merkle root
 * of its items' parameters plus its count and period (two slots). Follow-ups prove an item's parameters
 * against that root instead of reading a per-reference record.
 *
 * Periods: `periodDays == 0` (default) → calendar year (UTC) of the block, id = the year (e.g. 2026);
 * otherwise consecutive windows of `periodDays` days from 1970-01-01, id = 10000 + dayNumber / periodDays.
 * A reservation counts in the period it was made in until it is confirmed, cancelled or expired.
 */
contract QuotaRegistry is ConsortiumUpgradeable, IQuotaRegistry {
    /* TYPES */

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

    /// @dev Read once per transaction.
    struct Config {
        IParticipantRegistry registry;
        uint32 periodDays;
    }

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

    /// @dev Running state of a committed batch, in memory (assembly reads it by field offset: keep the order).
    /// The offering of consecutive items stays here (`offering` is its packed slot value) and is written back
    /// when another offering comes or the batch ends; the same for the current status word.
    struct Cursor {
        uint256 platformId; // 0x000
        uint256 period; // 0x020
        bool atomic; // 0x040
        uint256 offeringId; // 0x060
        uint256 offering; // 0x080
        uint256 offeringSlot; // 0x0a0
        uint256 wordIndex; // 0x0c0
        uint256 word; // 0x0e0
        uint256 investorsBase; // 0x100
        uint256 categoriesBase; // 0x120
        uint256 usageBase; // 0x140
        uint256 offeringsBase; // 0x160
        uint256 offeringUsageBase; // 0x180
        uint256 tableBase; // 0x1a0
        bytes32[] leaves; // 0x1c0
        QuotaResult[] results; // 0x1e0
        bytes packed; // 0x200
        uint256 errors; // 0x220: selectors of QuotaSequenceConflict (high) and QuotaBatchItemFailed (low)
    }

    /* CONSTANTS */

    /// @dev Byte offsets of the {Cursor} fields the committed-batch assembly reads and writes.
    uint256 private constant CUR_PERIOD = 0x20;
    uint256 private constant CUR_OFFERING_ID = 0x60;
    uint256 private constant CUR_OFFERING = 0x80;
    uint256 private constant CUR_OFFERING_SLOT = 0xa0;
    uint256 private constant CUR_WORD_INDEX = 0xc0;
    uint256 private constant CUR_WORD = 0xe0;
    uint256 private constant CUR_INVESTORS = 0x100;
    uint256 private constant CUR_CATEGORIES = 0x120;
    uint256 private constant CUR_USAGE = 0x140;
    uint256 private constant CUR_OFFERINGS = 0x160;
    uint256 private constant CUR_OFFERING_USAGE = 0x180;
    uint256 private constant CUR_TABLE = 0x1a0;
    uint256 private constant CUR_LEAVES = 0x1c0;
    uint256 private constant CUR_RESULTS = 0x1e0;
    uint256 private constant CUR_PACKED = 0x200;
    uint256 private constant CUR_ERRORS = 0x220;

    /// @notice Role of the regulator or depository staff who set quotas, categories and offerings.
    bytes32 public constant QUOTA_ADMIN_ROLE = keccak256("QUOTA_ADMIN_ROLE");
    /// @notice Maximum operations per batch.
    uint256 public constant MAX_BATCH = 256;
    /// @notice Quota meaning "no limit" (e.g. accredited investors).
    uint128 public constant UNLIMITED = type(uint128).max;
    /// @dev Offset of fixed-window period ids, so they never collide with calendar years.
    uint32 private constant WINDOW_PERIOD_BASE = 10_000;
    uint32 private constant MAX_PERIOD_DAYS = 3660;
    /// @dev Bytes per item in {QuotaBatchCommitted}'s `items`.
    uint256 private constant PACKED_ITEM = 58;

    /* STORAGE */

    /// @custom:storage-location erc7201:csd.storage.QuotaRegistry
    struct QuotaStorage {
        Config config;
        uint32 offeringCount;
        mapping(bytes32 investorKey => Investor) investors;
        mapping(uint8 category => Category) categories;
        mapping(bytes32 investorKey => mapping(uint32 period => Usage)) usage;
        mapping(uint32 offeringId => Offering) offerings;
        mapping(uint32 offeringId => mapping(bytes32 investorKey => Usage)) offeringUsage;
        mapping(uint32 platformId => mapping(bytes32 ref => Record)) records;
        mapping(uint32 platformId => mapping(uint256 word => uint256 statuses)) seqStatus;
        mapping(uint32 platformId => mapping(uint64 firstRef => CommittedBatch)) batches;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.QuotaRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x1811b2f0de00411761bb7b81501e6e9c7610f170b548542f7a635f6b2d330d00;

    function _s() private pure returns (QuotaStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
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
    function setPeriodDays(uint32 periodDays_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (periodDays_ > MAX_PERIOD_DAYS) revert QuotaInvalidPeriodDays(periodDays_);
        _s().config.periodDays = periodDays_;
        emit PeriodRuleSet(periodDays_);
    }

    /* PLATFORM FUNCTIONS */

    /// @inheritdoc IQuotaRegistry
    function reserve(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount, uint40 expiry) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(Args(platformId, QuotaOp.Reserve, ref, investorKey, offeringId, amount, expiry), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function confirm(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(Args(platformId, QuotaOp.Confirm, ref, investorKey, offeringId, amount, 0), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function cancel(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(Args(platformId, QuotaOp.Cancel, ref, investorKey, offeringId, amount, 0), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function consume(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(Args(platformId, QuotaOp.Consume, ref, investorKey, offeringId, amount, 0), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function refund(bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        (uint32 platformId, uint32 periodDays_) = _platform();
        _single(Args(platformId, QuotaOp.Refund, ref, investorKey, offeringId, amount, 0), periodDays_);
    }

    /// @inheritdoc IQuotaRegistry
    function execute(Operation[] calldata ops, bool atomic) external returns (QuotaResult[] memory results) {
        uint256 n = ops.length;
        if (n == 0 || n > MAX_BATCH) revert QuotaInvalidBatchSize(n, MAX_BATCH);
        (uint32 platformId, uint32 periodDays_) = _platform();
        results = new QuotaResult[](n);
        Args memory a;
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

    /// @inheritdoc IQuotaRegistry
    function executeCommitted(
        uint64 firstRef,
        CommittedItem[] calldata items,
        bool atomic
    ) external returns (QuotaResult[] memory results) {
        uint256 n = items.length;
        if (n == 0 || n > MAX_BATCH) revert QuotaInvalidBatchSize(n, MAX_BATCH);
        if (uint256(firstRef) + n - 1 > type(uint64).max) revert QuotaInvalidSequenceRange(firstRef, n);
        (uint32 platformId, uint32 periodDays_) = _platform();
        bytes32 stored = _s().batches[platformId][firstRef].root;
        if (stored != bytes32(0)) return _replayCommitted(platformId, firstRef, items, stored);
        return _commitBatch(platformId, firstRef, items, atomic, _periodOf(block.timestamp, periodDays_));
    }

    /// @inheritdoc IQuotaRegistry
    function confirmCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) external {
        (uint32 platformId, ) = _platform();
        _settleCommitted(platformId, QuotaOp.Confirm, seqRef, batchFirstRef, item, proof);
    }

    /// @inheritdoc IQuotaRegistry
    function cancelCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) external {
        (uint32 platformId, ) = _platform();
        _settleCommitted(platformId, QuotaOp.Cancel, seqRef, batchFirstRef, item, proof);
    }

    /// @inheritdoc IQuotaRegistry
    function refundCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) external {
        (uint32 platformId, ) = _platform();
        _settleCommitted(platformId, QuotaOp.Refund, seqRef, batchFirstRef, item, proof);
    }

    /// @inheritdoc IQuotaRegistry
    function settleCommittedBatch(
        QuotaOp op,
        uint64 firstRef,
        CommittedItem[] calldata items,
        uint256 mask
    ) external returns (QuotaResult[] memory results) {
        (uint32 platformId, ) = _platform();
        if (op == QuotaOp.Reserve || op == QuotaOp.Consume) revert QuotaInvalidFollowUp(op);
        CommittedBatch memory b = _s().batches[platformId][firstRef];
        if (b.root == bytes32(0)) revert QuotaUnknownSequence(platformId, firstRef, firstRef);
        // The root commits to the count as well: equal roots mean these are exactly the batch's items.
        if (_rootOfItems(platformId, firstRef, items) != b.root) revert QuotaInvalidProof(platformId, firstRef);
        uint256 n = items.length;
        results = new QuotaResult[](n);
        bytes memory outcomes = new bytes(n);
        for (uint256 i; i < n; ++i) {
            if ((mask >> i) & 1 == 0) continue;
            (QuotaResult r, , bool replay) = _stepSequence(
                _argsOf(platformId, op, items[i]),
                firstRef + uint64(i),
                b.period
            );
            results[i] = r;
            // Per item: 0 = not selected, 1 = applied, 2 = replay, else 0x80 | the refusal's result.
            outcomes[i] = bytes1(
                replay
                    ? 2
                    : r == QuotaResult.Ok
                        ? 1
                        : 0x80 | uint8(r)
            );
        }
        emit QuotaSequencesSettled(platformId, firstRef, op, b.period, outcomes);
    }

    /* PUBLIC FUNCTIONS */

    /// @inheritdoc IQuotaRegistry
    function expireCommitted(
        uint32 platformId,
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) external {
        _settleCommitted(platformId, QuotaOp.Expire, seqRef, batchFirstRef, item, proof);
    }

    /// @inheritdoc IQuotaRegistry
    function expire(uint32 platformId, bytes32 ref, bytes32 investorKey, uint32 offeringId, uint128 amount) external {
        _single(Args(platformId, QuotaOp.Expire, ref, investorKey, offeringId, amount, 0), 0);
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
        return _refusalOf(_nibbleOf(platformId, seqRef));
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
        return _leaf(platformId, seqRef, item);
    }

    /// @inheritdoc IQuotaRegistry
    function periodOf(uint256 timestamp) external view returns (uint32) {
        return _periodOf(timestamp, _s().config.periodDays);
    }

    /// @inheritdoc IQuotaRegistry
    function currentPeriod() external view returns (uint32) {
        return _periodOf(block.timestamp, _s().config.periodDays);
    }

    /// @inheritdoc IQuotaRegistry
    function periodDays() external view returns (uint32) {
        return _s().config.periodDays;
    }

    /// @inheritdoc IQuotaRegistry
    function registry() external view returns (address) {
        return address(_s().config.registry);
    }

    /// @notice Version of this implementation.
    function version() external pure virtual returns (string memory) {
        return "1.1.0";
    }

    /* INTERNAL */

    /// @dev The caller's platform id and the period rule; one registry call, one config SLOAD.
    function _platform() private view returns (uint32 platformId, uint32 periodDays_) {
        Config memory c = _s().config;
        (uint32 id, ParticipantKind kind, ParticipantStatus status) = c.registry.signerOf(msg.sender);
        if (kind != ParticipantKind.Platform || status != ParticipantStatus.Active) {
            revert QuotaNotActivePlatform(msg.sender, kind, status);
        }
        return (id, c.periodDays);
    }

    /// @dev Runs one operation and reverts with the named error when it is refused.
    function _single(Args memory a, uint32 periodDays_) private {
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
        revert QuotaReservationNotExpired(a.platformId, a.ref, uint40(detail));
    }

    /// @dev Applies one operation. Refusals return a result (and a detail value) and change nothing.
    function _apply(Args memory a, uint32 periodDays_) private returns (QuotaResult, uint256) {
        if (a.ref == bytes32(0)) return (QuotaResult.ZeroReference, 0);
        if (a.amount == 0) return (QuotaResult.ZeroAmount, 0);
        uint160 fp = uint160(uint256(keccak256(abi.encode(a.investorKey, a.offeringId, a.amount))));
        if (a.op == QuotaOp.Reserve || a.op == QuotaOp.Consume) return _open(a, fp, periodDays_);
        return _settle(a, fp);
    }

    /// @dev Reserve or consume: opens a new reference, or recognises an identical retry.
    function _open(Args memory a, uint160 fp, uint32 periodDays_) private returns (QuotaResult, uint256) {
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
        uint32 period = _periodOf(block.timestamp, periodDays_);
        (QuotaResult r, uint256 detail) = _admit(a, period, isReserve);
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
    function _admit(Args memory a, uint32 period, bool isReserve) private returns (QuotaResult, uint256) {
        if (isReserve && a.expiry <= block.timestamp) return (QuotaResult.InvalidExpiry, 0);
        QuotaStorage storage $ = _s();
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
        $.usage[a.investorKey][period] = u;
        $.offerings[a.offeringId] = o;
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
    function _settle(Args memory a, uint160 fp) private returns (QuotaResult, uint256) {
        QuotaStorage storage $ = _s();
        Record memory rec = $.records[a.platformId][a.ref];
        if (rec.status == QuotaRecordStatus.None) return (QuotaResult.UnknownReference, 0);
        if (rec.fingerprint != fp) return (QuotaResult.ReferenceConflict, 0);

        QuotaRecordStatus from = rec.status;
        (QuotaRecordStatus to, QuotaResult r, bool replay) = _transition(a.op, from, rec.expiry);
        if (replay) {
            emit QuotaReplayed(a.platformId, a.ref, a.op);
            return (QuotaResult.Ok, 0);
        }
        if (r == QuotaResult.InvalidState) return (r, uint256(from));
        if (r != QuotaResult.Ok) return (r, rec.expiry);

        _move(a, from, to, rec.period);
        $.records[a.platformId][a.ref].status = to;
        _emitSettled(a, to, rec.period);
        return (QuotaResult.Ok, 0);
    }

    /// @dev Where a follow-up (confirm, cancel, expire, refund) takes a reference in status `from` whose
    /// reservation expires at `expiry` (0 for a consumption): the new status and Ok, `replay` for an identical
    /// retry, or the refusal (InvalidState, ReservationExpired, ReservationNotExpired).
    function _transition(
        QuotaOp op,
        QuotaRecordStatus from,
        uint256 expiry
    ) private view returns (QuotaRecordStatus to, QuotaResult r, bool replay) {
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
        else if (op == QuotaOp.Confirm && block.timestamp >= expiry) r = QuotaResult.ReservationExpired;
        else if (op == QuotaOp.Expire && block.timestamp < expiry) r = QuotaResult.ReservationNotExpired;
    }

    /// @dev A batch under a used first reference: an identical retry (same root) returns the stored results.
    function _replayCommitted(
        uint32 platformId,
        uint64 firstRef,
        CommittedItem[] calldata items,
        bytes32 stored
    ) private returns (QuotaResult[] memory results) {
        // The root commits to every item and to the count: equal roots mean an identical retry.
        if (_rootOfItems(platformId, firstRef, items) != stored) revert QuotaSequenceConflict(platformId, firstRef);
        uint256 n = items.length;
        results = _committedResults(platformId, firstRef, n);
        emit QuotaBatchReplayed(platformId, firstRef, n, stored);
    }

    /// @dev A new batch: applies the items, stores the root, count and period, and emits the packed items.
    function _commitBatch(
        uint32 platformId,
        uint64 firstRef,
        CommittedItem[] calldata items,
        bool atomic,
        uint32 period
    ) private returns (QuotaResult[] memory) {
        Cursor memory c = _applyCommitted(platformId, firstRef, items, atomic, period);
        bytes32 root = _rootOf(c.leaves);
        // items.length ≤ MAX_BATCH < 2^16.
        _s().batches[platformId][firstRef] = CommittedBatch(root, uint16(items.length), period);
        emit QuotaBatchCommitted(platformId, firstRef, items.length, root, period, c.packed);
        return c.results;
    }

    /// @dev Applies the items of a new committed batch: results, leaves and packed event data in the cursor.
    /// Per item, in assembly to keep a batch item near its storage cost: the checks and counting of `_admit`
    /// on packed slots, the item's status nibble, result, leaf and event data. Slot layouts: Investor = limit
    /// (bits 0..127), category (128..135), known (136); Category = limit (0..127); Usage = consumed (0..127),
    /// reserved (128..255); Offering = cap, perInvestorLimit, consumed, reserved (64 bits each from bit 0).
    /// Mapping slots are keccak256(key . base slot), as Solidity lays them out.
    // One assembly block: its Yul functions cannot be split across Solidity functions.
    // solhint-disable-next-line function-max-lines
    function _applyCommitted(
        uint32 platformId,
        uint64 firstRef,
        CommittedItem[] calldata items,
        bool atomic,
        uint32 period
    ) private returns (Cursor memory c) {
        c.platformId = platformId;
        c.period = period;
        c.atomic = atomic;
        c.errors = (uint256(uint32(QuotaSequenceConflict.selector)) << 32) | uint32(QuotaBatchItemFailed.selector);
        _setBases(c, _s(), platformId);
        c.leaves = new bytes32[](items.length);
        c.results = new QuotaResult[](items.length);
        // 32 spare bytes: each item's last word is written whole and may run past the end.
        c.packed = new bytes(items.length * PACKED_ITEM + 32);
        assembly ("memory-safe") {
            function slotOf(k, base) -> s {
                mstore(0x00, k)
                mstore(0x20, base)
                s := keccak256(0x00, 0x40)
            }
            // Quotas are below 2^128 and offering caps below 2^64; once the checks pass, no addition carries
            // into the next field, and the sums checked (three values below 2^128) cannot wrap.
            function admit(cur, key, off, amount, expiry) -> res {
                if iszero(amount) {
                    res := 3 // ZeroAmount
                    leave
                }
                let isReserve := iszero(iszero(expiry))
                if and(isReserve, iszero(gt(expiry, timestamp()))) {
                    res := 5 // InvalidExpiry
                    leave
                }
                let iv := sload(slotOf(key, mload(add(cur, CUR_INVESTORS))))
                if iszero(and(shr(136, iv), 1)) {
                    res := 1 // UnknownInvestor
                    leave
                }
                let limit := and(iv, 0xffffffffffffffffffffffffffffffff)
                if and(shr(128, iv), 0xff) {
                    limit := and(
                        sload(slotOf(and(shr(128, iv), 0xff), mload(add(cur, CUR_CATEGORIES)))),
                        0xffffffffffffffffffffffffffffffff
                    )
                }
                if iszero(eq(off, mload(add(cur, CUR_OFFERING_ID)))) {
                    if mload(add(cur, CUR_OFFERING_ID)) {
                        sstore(mload(add(cur, CUR_OFFERING_SLOT)), mload(add(cur, CUR_OFFERING)))
                    }
                    let os := slotOf(off, mload(add(cur, CUR_OFFERINGS)))
                    mstore(add(cur, CUR_OFFERING_ID), off)
                    mstore(add(cur, CUR_OFFERING_SLOT), os)
                    mstore(add(cur, CUR_OFFERING), sload(os))
                }
                let o := mload(add(cur, CUR_OFFERING))
                let cap := and(o, 0xffffffffffffffff)
                if iszero(cap) {
                    res := 2 // UnknownOffering
                    leave
                }
                let us := slotOf(mload(add(cur, CUR_PERIOD)), slotOf(key, mload(add(cur, CUR_USAGE))))
                let u := sload(us)
                if gt(add(add(and(u, 0xffffffffffffffffffffffffffffffff), shr(128, u)), amount), limit) {
                    res := 6 // InvestorLimitExceeded
                    leave
                }
                if gt(add(add(and(shr(128, o), 0xffffffffffffffff), shr(192, o)), amount), cap) {
                    res := 7 // OfferingCapExceeded
                    leave
                }
                let per := and(shr(64, o), 0xffffffffffffffff)
                if per {
                    let ous := slotOf(key, slotOf(off, mload(add(cur, CUR_OFFERING_USAGE))))
                    let ou := sload(ous)
                    if gt(add(add(and(ou, 0xffffffffffffffffffffffffffffffff), shr(128, ou)), amount), per) {
                        res := 8 // OfferingInvestorLimitExceeded
                        leave
                    }
                    sstore(ous, add(ou, shl(mul(isReserve, 128), amount)))
                }
                // A reservation adds to the high half (reserved), a consumption to the low half (consumed).
                sstore(us, add(u, shl(mul(isReserve, 128), amount)))
                mstore(add(cur, CUR_OFFERING), add(o, shl(add(128, mul(isReserve, 64)), amount)))
            }
            // One item; returns its result, or 0xff when its sequence reference is already used.
            function commit(cur, it, i, seq) -> res {
                if iszero(eq(shr(6, seq), mload(add(cur, CUR_WORD_INDEX)))) {
                    sstore(
                        slotOf(mload(add(cur, CUR_WORD_INDEX)), mload(add(cur, CUR_TABLE))),
                        mload(add(cur, CUR_WORD))
                    )
                    mstore(add(cur, CUR_WORD_INDEX), shr(6, seq))
                    mstore(add(cur, CUR_WORD), sload(slotOf(shr(6, seq), mload(add(cur, CUR_TABLE)))))
                }
                let shift := shl(2, and(seq, 63))
                if and(shr(shift, mload(add(cur, CUR_WORD))), 0xf) {
                    res := 0xff
                    leave
                }
                let key := calldataload(it)
                let off := calldataload(add(it, 0x20))
                let amount := calldataload(add(it, 0x40))
                let expiry := calldataload(add(it, 0x60))
                // Values out of their types' range, as the ABI decoder refuses them.
                if or(shr(32, off), or(shr(128, amount), shr(40, expiry))) {
                    revert(0, 0)
                }
                // Leaf: keccak256(abi.encode(platformId, seqRef, op, investorKey, offeringId, amount, expiry)),
                // op = Reserve (0) when there is an expiry, else Consume (3).
                let m := mload(0x40)
                mstore(m, mload(cur))
                mstore(add(m, 0x20), seq)
                mstore(add(m, 0x40), mul(3, iszero(expiry)))
                mstore(add(m, 0x60), key)
                mstore(add(m, 0x80), off)
                mstore(add(m, 0xa0), amount)
                mstore(add(m, 0xc0), expiry)
                mstore(add(mload(add(cur, CUR_LEAVES)), shl(5, add(i, 1))), keccak256(m, 0xe0))

                res := admit(cur, key, off, amount, expiry)

                // Status nibble: Reserved (1) or Consumed (5); a refusal 8 + its code (see `_refusalOf`).
                let status := add(1, mul(4, iszero(expiry)))
                if res {
                    status := add(8, sub(res, add(1, gt(res, 3))))
                }
                mstore(add(cur, CUR_WORD), or(mload(add(cur, CUR_WORD)), shl(shift, status)))
                mstore(add(mload(add(cur, CUR_RESULTS)), shl(5, add(i, 1))), res)
                // Event data: result, investorKey, offeringId, amount, expiry.
                let p := add(add(mload(add(cur, CUR_PACKED)), 32), mul(i, 58))
                mstore(p, shl(248, res))
                mstore(add(p, 1), key)
                mstore(add(p, 33), or(shl(224, off), or(shl(96, amount), shl(56, expiry))))
            }

            let n := items.length
            mstore(add(c, CUR_WORD_INDEX), shr(6, firstRef))
            mstore(add(c, CUR_WORD), sload(slotOf(shr(6, firstRef), mload(add(c, CUR_TABLE)))))
            for {
                let i := 0
            } lt(i, n) {
                i := add(i, 1)
            } {
                let r := commit(c, add(items.offset, shl(7, i)), i, add(firstRef, i))
                if r {
                    let errors := mload(add(c, CUR_ERRORS))
                    if eq(r, 0xff) {
                        mstore(0x00, shl(224, shr(32, errors)))
                        mstore(0x04, platformId)
                        mstore(0x24, add(firstRef, i))
                        revert(0x00, 0x44)
                    }
                    if atomic {
                        mstore(0x00, shl(224, and(errors, 0xffffffff)))
                        mstore(0x04, i)
                        mstore(0x24, r)
                        revert(0x00, 0x44)
                    }
                }
            }
            sstore(slotOf(mload(add(c, CUR_WORD_INDEX)), mload(add(c, CUR_TABLE))), mload(add(c, CUR_WORD)))
            if mload(add(c, CUR_OFFERING_ID)) {
                sstore(mload(add(c, CUR_OFFERING_SLOT)), mload(add(c, CUR_OFFERING)))
            }
            mstore(mload(add(c, CUR_PACKED)), mul(n, PACKED_ITEM))
        }
    }

    /// @dev Writes the base slots of the mappings a committed item touches into the cursor.
    function _setBases(Cursor memory c, QuotaStorage storage $, uint32 platformId) private view {
        mapping(bytes32 => Investor) storage investors = $.investors;
        mapping(uint8 => Category) storage categories = $.categories;
        mapping(bytes32 => mapping(uint32 => Usage)) storage usage = $.usage;
        mapping(uint32 => Offering) storage offerings = $.offerings;
        mapping(uint32 => mapping(bytes32 => Usage)) storage offeringUsage = $.offeringUsage;
        mapping(uint256 => uint256) storage table = $.seqStatus[platformId];
        assembly ("memory-safe") {
            mstore(add(c, CUR_INVESTORS), investors.slot)
            mstore(add(c, CUR_CATEGORIES), categories.slot)
            mstore(add(c, CUR_USAGE), usage.slot)
            mstore(add(c, CUR_OFFERINGS), offerings.slot)
            mstore(add(c, CUR_OFFERING_USAGE), offeringUsage.slot)
            mstore(add(c, CUR_TABLE), table.slot)
        }
    }

    /// @dev Status and result of a sequence reference's nibble: 0..6 a {QuotaRecordStatus} with result Ok;
    /// 8 + k a refused item, k indexing the results a committed item can be refused with (1, 2, 3, 5, 6, 7, 8).
    function _refusalOf(uint256 nibble) private pure returns (QuotaRecordStatus, QuotaResult) {
        if (nibble < 8) return (QuotaRecordStatus(nibble), QuotaResult.Ok);
        uint256 k = nibble - 8;
        return (QuotaRecordStatus.Refused, QuotaResult(k < 3 ? k + 1 : k + 2));
    }

    function _nibbleOf(uint32 platformId, uint256 seq) private view returns (uint256) {
        return (_s().seqStatus[platformId][seq >> 6] >> ((seq & 63) << 2)) & 0xf;
    }

    /// @dev Results of an applied committed batch, read back from the status table (for an identical retry).
    function _committedResults(
        uint32 platformId,
        uint64 firstRef,
        uint256 n
    ) private view returns (QuotaResult[] memory results) {
        results = new QuotaResult[](n);
        mapping(uint256 => uint256) storage table = _s().seqStatus[platformId];
        uint256 wordIndex = type(uint256).max;
        uint256 word;
        for (uint256 i; i < n; ++i) {
            uint256 seq = uint256(firstRef) + i;
            // One storage read per word of 64 references.
            if (seq >> 6 != wordIndex) {
                wordIndex = seq >> 6;
                word = table[wordIndex];
            }
            (, results[i]) = _refusalOf((word >> ((seq & 63) << 2)) & 0xf);
        }
    }

    /// @dev Merkle root of a batch's leaves (overwritten): pairs hashed in sorted order, as OpenZeppelin
    /// `Hashes.commutativeKeccak256` (so `MerkleProof` verifies them), an odd last node carried up unchanged.
    function _rootOf(bytes32[] memory nodes) private pure returns (bytes32 root) {
        assembly ("memory-safe") {
            let n := mload(nodes)
            let base := add(nodes, 0x20)
            for {} gt(n, 1) {} {
                let half := shr(1, n)
                for {
                    let j := 0
                } lt(j, half) {
                    j := add(j, 1)
                } {
                    let x := mload(add(base, shl(6, j)))
                    let y := mload(add(base, add(shl(6, j), 0x20)))
                    if gt(x, y) {
                        let t := x
                        x := y
                        y := t
                    }
                    mstore(0x00, x)
                    mstore(0x20, y)
                    mstore(add(base, shl(5, j)), keccak256(0x00, 0x40))
                }
                if and(n, 1) {
                    mstore(add(base, shl(5, half)), mload(add(base, shl(5, sub(n, 1)))))
                    half := add(half, 1)
                }
                n := half
            }
            root := mload(base)
        }
    }

    /// @dev Merkle root of the leaves of `items` numbered from `firstRef` (see {_rootOf}).
    function _rootOfItems(
        uint32 platformId,
        uint64 firstRef,
        CommittedItem[] calldata items
    ) private pure returns (bytes32) {
        uint256 n = items.length;
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) leaves[i] = _leaf(platformId, uint256(firstRef) + i, items[i]);
        return _rootOf(leaves);
    }

    /// @dev keccak256(abi.encode(platformId, seqRef, op, investorKey, offeringId, amount, expiry)), op = Reserve
    /// when the item has an expiry, else Consume.
    function _leaf(uint32 platformId, uint256 seqRef, CommittedItem calldata it) private pure returns (bytes32) {
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

    /// @dev Confirm, cancel, expire or refund an item of a committed batch, proven against the batch root.
    /// The leaf names its sequence reference and the root was built from `firstRef .. firstRef + count - 1`,
    /// so a valid proof also shows the reference belongs to the batch.
    function _settleCommitted(
        uint32 platformId,
        QuotaOp op,
        uint64 seqRef,
        uint64 batchFirstRef,
        CommittedItem calldata item,
        bytes32[] calldata proof
    ) private {
        CommittedBatch memory b = _s().batches[platformId][batchFirstRef];
        if (b.root == bytes32(0)) revert QuotaUnknownSequence(platformId, seqRef, batchFirstRef);
        if (!MerkleProof.verifyCalldata(proof, b.root, _leaf(platformId, seqRef, item))) {
            revert QuotaInvalidProof(platformId, seqRef);
        }
        _settleSequence(_argsOf(platformId, op, item), seqRef, b.period);
    }

    function _argsOf(uint32 platformId, QuotaOp op, CommittedItem calldata item) private pure returns (Args memory) {
        return Args(platformId, op, 0, item.investorKey, item.offeringId, item.amount, item.expiry);
    }

    /// @dev Status change and counter movement of a proven sequence reference.
    function _settleSequence(Args memory a, uint64 seqRef, uint32 period) private {
        (QuotaResult r, QuotaRecordStatus status, bool replay) = _stepSequence(a, seqRef, period);
        if (replay) emit QuotaSequenceReplayed(a.platformId, seqRef, a.op);
        else if (r == QuotaResult.Ok) _emitSequenceSettled(a, seqRef, status, period);
        else if (r == QuotaResult.InvalidState) revert QuotaSequenceInvalidState(a.platformId, seqRef, status);
        else if (r == QuotaResult.ReservationExpired) {
            revert QuotaSequenceReservationExpired(a.platformId, seqRef, a.expiry);
        } else revert QuotaSequenceReservationNotExpired(a.platformId, seqRef, a.expiry);
    }

    /// @dev One follow-up on a proven sequence reference: status change and counter movement. Returns Ok and
    /// the new status; Ok, the unchanged status and `replay` for an identical retry; or a refusal (nothing
    /// changed) and the current status.
    function _stepSequence(
        Args memory a,
        uint64 seqRef,
        uint32 period
    ) private returns (QuotaResult, QuotaRecordStatus, bool) {
        (QuotaRecordStatus from, ) = _refusalOf(_nibbleOf(a.platformId, seqRef));
        (QuotaRecordStatus to, QuotaResult r, bool replay) = _transition(a.op, from, a.expiry);
        if (replay || r != QuotaResult.Ok) return (r, from, replay);
        _move(a, from, to, period);
        uint256 shift = (uint256(seqRef) & 63) << 2;
        mapping(uint256 => uint256) storage table = _s().seqStatus[a.platformId];
        // `from` was a status nibble below 8: clearing and setting it touches no other reference.
        table[seqRef >> 6] = (table[seqRef >> 6] & ~(uint256(0xf) << shift)) | (uint256(to) << shift);
        return (QuotaResult.Ok, to, false);
    }

    function _emitSequenceSettled(Args memory a, uint64 seqRef, QuotaRecordStatus to, uint32 period) private {
        emit QuotaSequenceSettled(a.platformId, seqRef, a.investorKey, to, a.offeringId, a.amount, period);
    }

    /// @dev Moves a settled reference's amount between the counters of its investor period and offering.
    function _move(Args memory a, QuotaRecordStatus from, QuotaRecordStatus to, uint32 period) private {
        QuotaStorage storage $ = _s();
        uint128 amount = a.amount;
        uint64 amount64 = uint64(amount); // the record proves the amount was added to a uint64 offering total
        Usage memory u = $.usage[a.investorKey][period];
        Offering memory o = $.offerings[a.offeringId];
        // The fingerprint proves this exact amount was added to these counters (reserved for a reservation,
        // consumed for a consumption or confirmation) and the status change makes each removal happen once,
        // so no subtraction underflows and no addition passes the limit it was checked against.
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
        $.usage[a.investorKey][period] = u;
        $.offerings[a.offeringId] = o;
        if (o.perInvestorLimit != 0) _settleOfferingInvestor(a, from, to);
    }

    /// @dev Same movement as in `_move` for the per-investor totals of an offering with a per-investor limit.
    function _settleOfferingInvestor(Args memory a, QuotaRecordStatus from, QuotaRecordStatus to) private {
        Usage storage s = _s().offeringUsage[a.offeringId][a.investorKey];
        Usage memory m = s;
        uint128 amount = a.amount;
        // Same proof as in `_move`: the record shows the amount sits in these counters exactly once.
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

    function _emitOpened(Args memory a, uint32 period) private {
        if (a.op == QuotaOp.Reserve) {
            emit QuotaReserved(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, period, a.expiry);
        } else {
            emit QuotaConsumed(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, period);
        }
    }

    function _emitSettled(Args memory a, QuotaRecordStatus to, uint32 period) private {
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

    function _periodOf(uint256 timestamp, uint32 periodDays_) private pure returns (uint32) {
        uint256 day = DateLib.dayOf(timestamp);
        if (periodDays_ == 0) {
            (uint256 year, , ) = DateLib.toDate(day);
            return uint32(year);
        }
        return uint32(WINDOW_PERIOD_BASE + day / periodDays_);
    }
}
