// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IQuotaRegistry, QuotaOp, QuotaResult, QuotaRecordStatus} from "../interfaces/IQuotaRegistry.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {QuotaStorageLayout, QuotaTypes} from "./QuotaTypes.sol";

/**
 * @title QuotaCommitted
 * @notice The quota registry's committed batches, as a linked library the registry calls by DELEGATECALL: a
 * platform numbers batch items with its own sequence references (uint64, a namespace apart from the bytes32
 * references); their status is one nibble each in a per-platform table (64 per storage word: a
 * {QuotaRecordStatus}, or a refused item's {QuotaResult}), and a batch stores one Merkle root of its items'
 * parameters plus its count and period (two slots). Follow-ups prove an item's parameters against that root
 * instead of reading a per-reference record.
 * @dev Each function takes the registry function's own parameters: the registry forwards its calldata
 * unchanged (only the selector differs), so a batch's items are not copied item by item on the way. The
 * library reads and writes the registry's storage ({QuotaStorageLayout}), checks the caller (`msg.sender` is
 * the registry's caller) and emits the registry's events.
 */
library QuotaCommitted {
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
        uint256 latest; // 0x240: latest expiry allowed, computed at the first reservation (0 before)
        uint256 periodEnd; // 0x260: first second after the batch's period
    }

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
    uint256 private constant CUR_LATEST = 0x240;
    uint256 private constant CUR_PERIOD_END = 0x260;

    /// @dev Maximum items per batch (the registry's `MAX_BATCH`).
    uint256 private constant MAX_BATCH = 256;
    /// @dev Bytes per item in {QuotaBatchCommitted}'s `items`.
    uint256 private constant PACKED_ITEM = 58;
    /// @dev Storage slot of `QuotaStorage.reservationTtl` (field 10 of the namespace), read in assembly.
    uint256 private constant TTL_SLOT = 0x1811b2f0de00411761bb7b81501e6e9c7610f170b548542f7a635f6b2d330d0a;
    /// @dev `QuotaTypes.DEFAULT_RESERVATION_TTL`, as a literal for assembly.
    uint256 private constant DEFAULT_TTL = 604_800;

    /* PLATFORM FUNCTIONS */

    /// @notice See {IQuotaRegistry-executeCommitted}.
    /// @param firstRef The platform's sequence reference of the first item.
    /// @param items The items, in sequence order.
    /// @param atomic All-or-nothing when true.
    /// @return results One result per item.
    function executeCommitted(
        uint64 firstRef,
        IQuotaRegistry.CommittedItem[] calldata items,
        bool atomic
    ) external returns (QuotaResult[] memory results) {
        uint256 n = items.length;
        if (n == 0 || n > MAX_BATCH) revert IQuotaRegistry.QuotaInvalidBatchSize(n, MAX_BATCH);
        if (uint256(firstRef) + n - 1 > type(uint64).max) revert IQuotaRegistry.QuotaInvalidSequenceRange(firstRef, n);
        (uint32 platformId, uint32 periodDays) = QuotaTypes.platform();
        bytes32 stored = QuotaTypes.layout().batches[platformId][firstRef].root;
        if (stored != bytes32(0)) return _replayCommitted(platformId, firstRef, items, stored);
        return _commitBatch(platformId, firstRef, items, atomic, periodDays);
    }

    /// @notice See {IQuotaRegistry-confirmCommitted}.
    /// @param seqRef The item's sequence reference.
    /// @param batchFirstRef First sequence reference of the item's batch.
    /// @param item The item as committed.
    /// @param proof Merkle proof of the item's leaf against the batch root.
    function confirmCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        IQuotaRegistry.CommittedItem calldata item,
        bytes32[] calldata proof
    ) external {
        (uint32 platformId, uint32 periodDays) = QuotaTypes.platform();
        _settleCommitted(platformId, periodDays, QuotaOp.Confirm, seqRef, batchFirstRef, item, proof);
    }

    /// @notice See {IQuotaRegistry-cancelCommitted}.
    /// @param seqRef The item's sequence reference.
    /// @param batchFirstRef First sequence reference of the item's batch.
    /// @param item The item as committed.
    /// @param proof Merkle proof of the item's leaf against the batch root.
    function cancelCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        IQuotaRegistry.CommittedItem calldata item,
        bytes32[] calldata proof
    ) external {
        (uint32 platformId, uint32 periodDays) = QuotaTypes.platform();
        _settleCommitted(platformId, periodDays, QuotaOp.Cancel, seqRef, batchFirstRef, item, proof);
    }

    /// @notice See {IQuotaRegistry-refundCommitted}.
    /// @param seqRef The item's sequence reference.
    /// @param batchFirstRef First sequence reference of the item's batch.
    /// @param item The item as committed.
    /// @param proof Merkle proof of the item's leaf against the batch root.
    function refundCommitted(
        uint64 seqRef,
        uint64 batchFirstRef,
        IQuotaRegistry.CommittedItem calldata item,
        bytes32[] calldata proof
    ) external {
        (uint32 platformId, uint32 periodDays) = QuotaTypes.platform();
        _settleCommitted(platformId, periodDays, QuotaOp.Refund, seqRef, batchFirstRef, item, proof);
    }

    /// @notice See {IQuotaRegistry-settleCommittedBatch}.
    /// @param op Confirm, Cancel, Refund or Expire.
    /// @param firstRef First sequence reference of the batch.
    /// @param items All the batch's items, as committed.
    /// @param mask Bit i selects item i.
    /// @return results Per item: Ok (applied, replayed or not selected) or the refusal's result.
    function settleCommittedBatch(
        QuotaOp op,
        uint64 firstRef,
        IQuotaRegistry.CommittedItem[] calldata items,
        uint256 mask
    ) external returns (QuotaResult[] memory results) {
        (uint32 platformId, uint32 periodDays) = QuotaTypes.platform();
        if (op == QuotaOp.Reserve || op == QuotaOp.Consume) revert IQuotaRegistry.QuotaInvalidFollowUp(op);
        IQuotaRegistry.CommittedBatch memory b = QuotaTypes.layout().batches[platformId][firstRef];
        if (b.root == bytes32(0)) revert IQuotaRegistry.QuotaUnknownSequence(platformId, firstRef, firstRef);
        // The root commits to the count as well: equal roots mean these are exactly the batch's items.
        if (_rootOfItems(platformId, firstRef, items) != b.root) {
            revert IQuotaRegistry.QuotaInvalidProof(platformId, firstRef);
        }
        bytes memory outcomes;
        QuotaTypes.Args memory a;
        a.platformId = platformId;
        a.op = op;
        (results, outcomes) = _settleItems(a, firstRef, items, mask, b.period, periodDays);
        emit IQuotaRegistry.QuotaSequencesSettled(platformId, firstRef, op, b.period, outcomes);
    }

    /* PUBLIC FUNCTIONS */

    /// @notice See {IQuotaRegistry-expireCommitted}.
    /// @param platformId Platform that committed the batch.
    /// @param seqRef The item's sequence reference.
    /// @param batchFirstRef First sequence reference of the item's batch.
    /// @param item The item as committed.
    /// @param proof Merkle proof of the item's leaf against the batch root.
    function expireCommitted(
        uint32 platformId,
        uint64 seqRef,
        uint64 batchFirstRef,
        IQuotaRegistry.CommittedItem calldata item,
        bytes32[] calldata proof
    ) external {
        uint32 periodDays = QuotaTypes.layout().config.periodDays;
        _settleCommitted(platformId, periodDays, QuotaOp.Expire, seqRef, batchFirstRef, item, proof);
    }

    /* INTERNAL */

    /// @dev The selected items of a proven batch (`a` names the platform and the operation): per item its
    /// result and outcome byte (0 = not selected, 1 = applied, 2 = replay, else 0x80 | the refusal's result).
    function _settleItems(
        QuotaTypes.Args memory a,
        uint64 firstRef,
        IQuotaRegistry.CommittedItem[] calldata items,
        uint256 mask,
        uint32 period,
        uint32 periodDays
    ) private returns (QuotaResult[] memory results, bytes memory outcomes) {
        results = new QuotaResult[](items.length);
        outcomes = new bytes(items.length);
        for (uint256 i; i < items.length; ++i) {
            if ((mask >> i) & 1 == 0) continue;
            a.investorKey = items[i].investorKey;
            a.offeringId = items[i].offeringId;
            a.amount = items[i].amount;
            a.expiry = items[i].expiry;
            (QuotaResult r, , bool replay) = _stepSequence(a, firstRef + uint64(i), period, periodDays);
            results[i] = r;
            outcomes[i] = bytes1(
                replay
                    ? 2
                    : r == QuotaResult.Ok
                        ? 1
                        : 0x80 | uint8(r)
            );
        }
    }

    /// @dev A batch under a used first reference: an identical retry (same root) returns the stored results.
    function _replayCommitted(
        uint32 platformId,
        uint64 firstRef,
        IQuotaRegistry.CommittedItem[] calldata items,
        bytes32 stored
    ) private returns (QuotaResult[] memory results) {
        // The root commits to every item and to the count: equal roots mean an identical retry.
        if (_rootOfItems(platformId, firstRef, items) != stored) {
            revert IQuotaRegistry.QuotaSequenceConflict(platformId, firstRef);
        }
        uint256 n = items.length;
        results = _committedResults(platformId, firstRef, n);
        emit IQuotaRegistry.QuotaBatchReplayed(platformId, firstRef, n, stored);
    }

    /// @dev A new batch: applies the items, stores the root, count and period, and emits the packed items.
    function _commitBatch(
        uint32 platformId,
        uint64 firstRef,
        IQuotaRegistry.CommittedItem[] calldata items,
        bool atomic,
        uint32 periodDays
    ) private returns (QuotaResult[] memory) {
        uint32 period = QuotaTypes.periodOf(block.timestamp, periodDays);
        Cursor memory c = _applyCommitted(platformId, firstRef, items, atomic, period, periodDays);
        bytes32 root = _rootOf(c.leaves);
        // items.length ≤ MAX_BATCH < 2^16.
        QuotaTypes.layout().batches[platformId][firstRef] = IQuotaRegistry.CommittedBatch(
            root,
            uint16(items.length),
            period
        );
        emit IQuotaRegistry.QuotaBatchCommitted(platformId, firstRef, items.length, root, period, c.packed);
        return c.results;
    }

    /// @dev Applies the items of a new committed batch: results, leaves and packed event data in the cursor.
    /// Per item, in assembly to keep a batch item near its storage cost: the checks and counting of the
    /// registry's `_admit` on packed slots (a reservation's expiry after now and at most the latest expiry,
    /// read once, at the first reservation), the item's status nibble, result, leaf and event data. Slot
    /// layouts: Investor = limit (bits 0..127), category (128..135), known (136); Category = limit (0..127);
    /// Usage = consumed (0..127), reserved (128..255); Offering = cap, perInvestorLimit, consumed, reserved
    /// (64 bits each from bit 0).
    /// Mapping slots are keccak256(key . base slot), as Solidity lays them out.
    // One assembly block: its Yul functions cannot be split across Solidity functions.
    // solhint-disable-next-line function-max-lines
    function _applyCommitted(
        uint32 platformId,
        uint64 firstRef,
        IQuotaRegistry.CommittedItem[] calldata items,
        bool atomic,
        uint32 period,
        uint32 periodDays
    ) private returns (Cursor memory c) {
        c.platformId = platformId;
        c.period = period;
        c.atomic = atomic;
        c.errors =
            (uint256(uint32(IQuotaRegistry.QuotaSequenceConflict.selector)) << 32) |
            uint32(IQuotaRegistry.QuotaBatchItemFailed.selector);
        c.periodEnd = QuotaTypes.periodEndOf(block.timestamp, periodDays);
        _setBases(c, QuotaTypes.layout(), platformId);
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
                if isReserve {
                    if iszero(gt(expiry, timestamp())) {
                        res := 5 // InvalidExpiry
                        leave
                    }
                    // min(now + reservation lifetime (0 = default), end of the period), once per batch.
                    let latest := mload(add(cur, CUR_LATEST))
                    if iszero(latest) {
                        let ttl := and(sload(TTL_SLOT), 0xffffffff)
                        if iszero(ttl) {
                            ttl := DEFAULT_TTL
                        }
                        latest := add(timestamp(), ttl)
                        if gt(latest, mload(add(cur, CUR_PERIOD_END))) {
                            latest := mload(add(cur, CUR_PERIOD_END))
                        }
                        mstore(add(cur, CUR_LATEST), latest)
                    }
                    if gt(expiry, latest) {
                        res := 14 // ReservationTooLong
                        leave
                    }
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

                // Status nibble: Reserved (1) or Consumed (5); a refusal 8 + its code (see `QuotaTypes.refusalOf`).
                let status := add(1, mul(4, iszero(expiry)))
                if res {
                    status := add(8, sub(res, add(1, gt(res, 3))))
                    if eq(res, 14) {
                        status := 15
                    }
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
    function _setBases(Cursor memory c, QuotaStorageLayout.QuotaStorage storage $, uint32 platformId) private view {
        mapping(bytes32 => QuotaStorageLayout.Investor) storage investors = $.investors;
        mapping(uint8 => QuotaStorageLayout.Category) storage categories = $.categories;
        mapping(bytes32 => mapping(uint32 => QuotaStorageLayout.Usage)) storage usage = $.usage;
        mapping(uint32 => IQuotaRegistry.Offering) storage offerings = $.offerings;
        mapping(uint32 => mapping(bytes32 => QuotaStorageLayout.Usage)) storage offeringUsage = $.offeringUsage;
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

    /// @dev Results of an applied committed batch, read back from the status table (for an identical retry).
    function _committedResults(
        uint32 platformId,
        uint64 firstRef,
        uint256 n
    ) private view returns (QuotaResult[] memory results) {
        results = new QuotaResult[](n);
        mapping(uint256 => uint256) storage table = QuotaTypes.layout().seqStatus[platformId];
        uint256 wordIndex = type(uint256).max;
        uint256 word;
        for (uint256 i; i < n; ++i) {
            uint256 seq = uint256(firstRef) + i;
            // One storage read per word of 64 references.
            if (seq >> 6 != wordIndex) {
                wordIndex = seq >> 6;
                word = table[wordIndex];
            }
            (, results[i]) = QuotaTypes.refusalOf((word >> ((seq & 63) << 2)) & 0xf);
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
        IQuotaRegistry.CommittedItem[] calldata items
    ) private pure returns (bytes32) {
        uint256 n = items.length;
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) leaves[i] = QuotaTypes.leaf(platformId, uint256(firstRef) + i, items[i]);
        return _rootOf(leaves);
    }

    /// @dev Confirm, cancel, expire or refund an item of a committed batch, proven against the batch root.
    /// The leaf names its sequence reference and the root was built from `firstRef .. firstRef + count - 1`,
    /// so a valid proof also shows the reference belongs to the batch.
    function _settleCommitted(
        uint32 platformId,
        uint32 periodDays,
        QuotaOp op,
        uint64 seqRef,
        uint64 batchFirstRef,
        IQuotaRegistry.CommittedItem calldata item,
        bytes32[] calldata proof
    ) private {
        IQuotaRegistry.CommittedBatch memory b = QuotaTypes.layout().batches[platformId][batchFirstRef];
        if (b.root == bytes32(0)) revert IQuotaRegistry.QuotaUnknownSequence(platformId, seqRef, batchFirstRef);
        if (!MerkleProof.verifyCalldata(proof, b.root, QuotaTypes.leaf(platformId, seqRef, item))) {
            revert IQuotaRegistry.QuotaInvalidProof(platformId, seqRef);
        }
        QuotaTypes.Args memory a = _argsOf(platformId, op, item);
        (QuotaResult r, QuotaRecordStatus status, bool replay) = _stepSequence(a, seqRef, b.period, periodDays);
        if (replay) emit IQuotaRegistry.QuotaSequenceReplayed(platformId, seqRef, op);
        else if (r == QuotaResult.Ok) _emitSequenceSettled(a, seqRef, status, b.period);
        else if (r == QuotaResult.InvalidState)
            revert IQuotaRegistry.QuotaSequenceInvalidState(platformId, seqRef, status);
        else if (r == QuotaResult.ReservationExpired) {
            revert IQuotaRegistry.QuotaSequenceReservationExpired(platformId, seqRef, item.expiry);
        } else revert IQuotaRegistry.QuotaSequenceReservationNotExpired(platformId, seqRef, item.expiry);
    }

    function _argsOf(
        uint32 platformId,
        QuotaOp op,
        IQuotaRegistry.CommittedItem calldata item
    ) private pure returns (QuotaTypes.Args memory) {
        return QuotaTypes.Args(platformId, op, 0, item.investorKey, item.offeringId, item.amount, item.expiry);
    }

    /// @dev One follow-up on a proven sequence reference: status change and counter movement. Returns Ok and
    /// the new status; Ok, the unchanged status and `replay` for an identical retry; or a refusal (nothing
    /// changed) and the current status.
    function _stepSequence(
        QuotaTypes.Args memory a,
        uint64 seqRef,
        uint32 period,
        uint32 periodDays
    ) private returns (QuotaResult, QuotaRecordStatus, bool) {
        (QuotaRecordStatus from, ) = QuotaTypes.refusalOf(QuotaTypes.nibbleOf(a.platformId, seqRef));
        (QuotaRecordStatus to, QuotaResult r, bool replay) = QuotaTypes.transition(
            a.op,
            from,
            a.expiry,
            period,
            periodDays
        );
        if (replay || r != QuotaResult.Ok) return (r, from, replay);
        QuotaTypes.move(a, from, to, period);
        _setStatus(a.platformId, seqRef, to);
        return (QuotaResult.Ok, to, false);
    }

    /// @dev Writes a sequence reference's status nibble; the old one was a status below 8, so clearing and
    /// setting it touches no other reference.
    function _setStatus(uint32 platformId, uint64 seqRef, QuotaRecordStatus to) private {
        uint256 shift = (uint256(seqRef) & 63) << 2;
        mapping(uint256 => uint256) storage table = QuotaTypes.layout().seqStatus[platformId];
        table[seqRef >> 6] = (table[seqRef >> 6] & ~(uint256(0xf) << shift)) | (uint256(to) << shift);
    }

    function _emitSequenceSettled(
        QuotaTypes.Args memory a,
        uint64 seqRef,
        QuotaRecordStatus to,
        uint32 period
    ) private {
        emit IQuotaRegistry.QuotaSequenceSettled(
            a.platformId,
            seqRef,
            a.investorKey,
            to,
            a.offeringId,
            a.amount,
            period
        );
    }
}
