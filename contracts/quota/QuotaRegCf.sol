// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IQuotaRegistry, QuotaOp, QuotaResult, QuotaRecordStatus} from "../interfaces/IQuotaRegistry.sol";
import {IQuotaRegCf} from "../interfaces/IQuotaRegCf.sol";
import {DateLib} from "../libraries/DateLib.sol";
import {QuotaStorageLayout, QuotaTypes} from "./QuotaTypes.sol";

/**
 * @title QuotaRegCf
 * @notice Reg CF (17 CFR 227.100) for the quota registry, as a linked library the registry calls by DELEGATECALL:
 * the investor limit (a)(2) and the issuer limit (a)(1) over the preceding twelve months, this investment
 * included, across every platform (see {IQuotaRegCf}).
 * @dev Window: an investment dated on day D counts on day T when D is after the same calendar day one year
 * before T (29 February → 28 February of the year before). Each investor and each issuer has a header word and an
 * append-only list of (day, amount) entries, one entry per investment day, two entries per storage word, ordered
 * by day. The header holds the running window sum, the index of the oldest entry still in the window (`head`),
 * the list length and the newest day with its amount (kept in the header until a later day pushes it to the
 * list). An opening first drops the entries that left the window (advancing `head`, subtracting their amounts),
 * then checks and adds: its cost grows with the entries that expired, not with the window's size. When every
 * entry has left, the list restarts at index 0 and reuses its words.
 *
 * Header word: sum bits 0..87, accredited bit 88, head 96..119, length 120..143, day of the entry at head
 * 144..167 (so that a window with nothing to drop reads no entry), newest day 168..191, its amount 192..255.
 * Entry (128 bits): day bits 64..95, amount 0..63.
 */
library QuotaRegCf {
    /// @dev The registry's `QUOTA_ADMIN_ROLE`.
    bytes32 private constant QUOTA_ADMIN_ROLE = keccak256("QUOTA_ADMIN_ROLE");
    /// @dev Issuer limit (a)(1) when governance has not set one: USD 5,000,000.00 in cents.
    uint64 internal constant DEFAULT_ISSUER_CAP = 500_000_000;
    uint128 private constant UNLIMITED = type(uint128).max;
    uint256 private constant MASK24 = 0xffffff;
    uint256 private constant MASK32 = 0xffffffff;
    uint256 private constant MASK64 = 0xffffffffffffffff;
    uint256 private constant MASK88 = (1 << 88) - 1;
    uint256 private constant MASK128 = (1 << 128) - 1;

    /// @dev A window header, unpacked in memory.
    struct Window {
        uint256 sum;
        bool accredited;
        uint256 head;
        uint256 length;
        uint256 headDay;
        uint256 lastDay;
        uint256 lastAmount;
    }

    /* ADMIN FUNCTIONS */

    /// @notice See {IQuotaRegCf-registerRegCfOffering}.
    /// @param issuerId The issuer (not 0).
    /// @param cap Cap across all platforms.
    /// @param perInvestorLimit Per-investor limit within the offering (0 = none).
    /// @param name Label.
    /// @return offeringId The new offering's id (bit 31 set).
    function registerRegCfOffering(
        uint32 issuerId,
        uint64 cap,
        uint64 perInvestorLimit,
        bytes32 name
    ) external returns (uint32 offeringId) {
        _onlyAdmin();
        if (issuerId == 0) revert IQuotaRegCf.QuotaInvalidIssuer(issuerId);
        if (cap == 0 || perInvestorLimit > cap) revert IQuotaRegistry.QuotaInvalidOfferingLimits(cap, perInvestorLimit);
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        uint32 n = ++$.offeringCount;
        if (n >= QuotaTypes.REG_CF_OFFERING) revert IQuotaRegCf.QuotaTooManyOfferings();
        offeringId = n | QuotaTypes.REG_CF_OFFERING;
        $.regCfOfferings[offeringId] = IQuotaRegistry.Offering(cap, perInvestorLimit, 0, 0);
        $.regCfIssuerOf[offeringId] = issuerId;
        emit IQuotaRegistry.OfferingRegistered(offeringId, cap, perInvestorLimit, name);
        emit IQuotaRegCf.RegCfOfferingRegistered(offeringId, issuerId);
    }

    /// @notice See {IQuotaRegCf-setAccredited}.
    /// @param investorKey Salted hash of the investor's real-name id.
    /// @param accredited The new mark.
    function setAccredited(bytes32 investorKey, bool accredited) external {
        _onlyAdmin();
        if (investorKey == bytes32(0)) revert IQuotaRegistry.QuotaZeroInvestorKey();
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        uint256 header = $.regCfInvestors[investorKey];
        if (((header >> 88) & 1 == 1) == accredited)
            revert IQuotaRegCf.QuotaAccreditedUnchanged(investorKey, accredited);
        $.regCfInvestors[investorKey] = header ^ (1 << 88);
        emit IQuotaRegCf.InvestorAccreditedSet(investorKey, accredited);
    }

    /// @notice See {IQuotaRegCf-setIssuerCap}.
    /// @param cap The new cap.
    function setIssuerCap(uint64 cap) external {
        _onlyAdmin();
        if (cap == 0) revert IQuotaRegCf.QuotaInvalidIssuerCap(cap);
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        if (cap == _issuerCap($)) revert IQuotaRegCf.QuotaIssuerCapUnchanged(cap);
        QuotaStorageLayout.Config storage c = $.config;
        assembly ("memory-safe") {
            sstore(c.slot, or(and(sload(c.slot), sub(shl(192, 1), 1)), shl(192, cap)))
        }
        emit IQuotaRegCf.IssuerCapSet(cap);
    }

    /* PLATFORM OPERATIONS (called by the registry) */

    /// @notice Applies one platform operation on a Reg CF offering; refusals return a result (and a detail value:
    /// what is still available, for IssuerLimitExceeded with the issuer id in bits 128..159) and change nothing.
    /// @dev Called by the registry only: the registry's fallback does not forward this function's selector.
    /// @param a The operation (the registry has checked the caller's platform, the reference and the amount).
    /// @param periodDays The period rule (used only to read lapses by expiry alone).
    /// @return result The outcome.
    /// @return detail What the refusal's error reports.
    function applyRegCf(
        QuotaTypes.Args memory a,
        uint32 periodDays
    ) external returns (QuotaResult result, uint256 detail) {
        uint160 fp = uint160(uint256(keccak256(abi.encode(a.investorKey, a.offeringId, a.amount))));
        if (a.op == QuotaOp.Reserve || a.op == QuotaOp.Consume) return _open(a, fp);
        return _settle(a, fp, periodDays);
    }

    /* VIEWS */

    /// @notice See {IQuotaRegCf-issuerCap}.
    /// @return The issuer limit in force.
    function issuerCap() external view returns (uint64) {
        return _issuerCap(QuotaTypes.layout());
    }

    /// @notice See {IQuotaRegCf-issuerOf}.
    /// @param offeringId The offering.
    /// @return The issuer, 0 outside Reg CF.
    function issuerOf(uint32 offeringId) external view returns (uint32) {
        return QuotaTypes.layout().regCfIssuerOf[offeringId];
    }

    /// @notice See {IQuotaRegCf-regCfOffering}.
    /// @param offeringId The offering.
    /// @return o Its cap, per-investor limit and totals (cap 0: unknown).
    /// @return issuerId Its issuer.
    function regCfOffering(
        uint32 offeringId
    ) external view returns (IQuotaRegistry.Offering memory o, uint32 issuerId) {
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        o = $.regCfOfferings[offeringId];
        if (o.cap == 0) revert IQuotaRegistry.QuotaUnknownOffering(offeringId);
        issuerId = $.regCfIssuerOf[offeringId];
    }

    /// @notice See {IQuotaRegCf-isAccredited}.
    /// @param investorKey Salted hash of the investor's real-name id.
    /// @return Whether the investor is marked accredited.
    function isAccredited(bytes32 investorKey) external view returns (bool) {
        return (QuotaTypes.layout().regCfInvestors[investorKey] >> 88) & 1 == 1;
    }

    /// @notice See {IQuotaRegCf-windowStartOf}.
    /// @param timestamp UNIX seconds.
    /// @return The first day number that counts.
    function windowStartOf(uint256 timestamp) external pure returns (uint256) {
        return boundaryOf(DateLib.dayOf(timestamp)) + 1;
    }

    /// @notice See {IQuotaRegCf-investorWindowOf}.
    /// @param investorKey Salted hash of the investor's real-name id.
    /// @return used Sum in the window.
    /// @return limit The investor's limit.
    /// @return available What may still be invested.
    /// @return accredited The accredited mark.
    /// @return dayCount Distinct investment days in the window.
    function investorWindowOf(
        bytes32 investorKey
    ) external view returns (uint256 used, uint256 limit, uint256 available, bool accredited, uint256 dayCount) {
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        Window memory w = _load($.regCfInvestors[investorKey]);
        _drop(w, $.regCfInvestorEntries[investorKey], boundaryOf(DateLib.dayOf(block.timestamp)));
        QuotaStorageLayout.Investor memory iv = $.investors[investorKey];
        limit = w.accredited ? UNLIMITED : _limitOf($, iv);
        available = iv.known && limit > w.sum ? limit - w.sum : 0;
        return (w.sum, limit, available, w.accredited, _days(w));
    }

    /// @notice See {IQuotaRegCf-issuerWindowOf}.
    /// @param issuerId The issuer.
    /// @return used Sum in the window.
    /// @return cap The issuer cap.
    /// @return available What may still be sold.
    /// @return dayCount Distinct sale days in the window.
    function issuerWindowOf(
        uint32 issuerId
    ) external view returns (uint256 used, uint256 cap, uint256 available, uint256 dayCount) {
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        Window memory w = _load($.regCfIssuers[issuerId]);
        _drop(w, $.regCfIssuerEntries[issuerId], boundaryOf(DateLib.dayOf(block.timestamp)));
        cap = _issuerCap($);
        return (w.sum, cap, cap > w.sum ? cap - w.sum : 0, _days(w));
    }

    /* INTERNAL */

    /// @dev The last day number that no longer counts on day `today`: the same calendar day one year earlier,
    /// or the last day of that month when it is shorter (29 February → 28 February).
    function boundaryOf(uint256 today) internal pure returns (uint256) {
        (uint256 y, uint256 m, uint256 d) = DateLib.toDate(today);
        uint256 dim = DateLib.daysInMonth(y - 1, m);
        return DateLib.toDay(y - 1, m, d > dim ? dim : d);
    }

    function _onlyAdmin() private view {
        if (!IAccessControl(address(this)).hasRole(QUOTA_ADMIN_ROLE, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, QUOTA_ADMIN_ROLE);
        }
    }

    function _issuerCap(QuotaStorageLayout.QuotaStorage storage $) private view returns (uint64 cap) {
        QuotaStorageLayout.Config storage c = $.config;
        uint256 word;
        assembly ("memory-safe") {
            word := sload(c.slot)
        }
        cap = uint64(word >> 192);
        if (cap == 0) cap = DEFAULT_ISSUER_CAP;
    }

    function _limitOf(
        QuotaStorageLayout.QuotaStorage storage $,
        QuotaStorageLayout.Investor memory iv
    ) private view returns (uint256) {
        return iv.category == 0 ? iv.limit : $.categories[iv.category].limit;
    }

    /// @dev Reserve or consume: opens a new reference, or recognises an identical retry.
    function _open(QuotaTypes.Args memory a, uint160 fp) private returns (QuotaResult, uint256) {
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        IQuotaRegistry.Record storage rec = $.records[a.platformId][a.ref];
        bool isReserve = a.op == QuotaOp.Reserve;
        if (rec.status != QuotaRecordStatus.None) {
            if (rec.fingerprint == fp && rec.expiry == (isReserve ? a.expiry : 0)) {
                emit IQuotaRegistry.QuotaReplayed(a.platformId, a.ref, a.op);
                return (QuotaResult.Ok, 0);
            }
            return (QuotaResult.ReferenceConflict, 0);
        }
        if (isReserve) {
            // No period under Reg CF: the reservation lifetime alone bounds the expiry.
            if (a.expiry <= block.timestamp) return (QuotaResult.InvalidExpiry, 0);
            uint256 latest = block.timestamp + QuotaTypes.reservationTtl($);
            if (a.expiry > latest) return (QuotaResult.ReservationTooLong, latest);
        }
        uint256 today = DateLib.dayOf(block.timestamp);
        (QuotaResult r, uint256 detail) = _admit(a, today, isReserve);
        if (r != QuotaResult.Ok) return (r, detail);
        $.records[a.platformId][a.ref] = IQuotaRegistry.Record(
            fp,
            isReserve ? QuotaRecordStatus.Reserved : QuotaRecordStatus.Consumed,
            uint32(today),
            isReserve ? a.expiry : 0
        );
        _emitOpened(a, uint32(today));
        return (QuotaResult.Ok, 0);
    }

    /// @dev Checks an opening against the investor's window, the offering, and the issuer's window, then counts it.
    function _admit(QuotaTypes.Args memory a, uint256 today, bool isReserve) private returns (QuotaResult, uint256) {
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        Window memory w;
        {
            QuotaStorageLayout.Investor memory iv = $.investors[a.investorKey];
            if (!iv.known) return (QuotaResult.UnknownInvestor, 0);
            w = _load($.regCfInvestors[a.investorKey]);
            _drop(w, $.regCfInvestorEntries[a.investorKey], boundaryOf(today));
            uint256 limit = w.accredited ? UNLIMITED : _limitOf($, iv);
            if (w.sum + a.amount > limit) return (QuotaResult.InvestorLimitExceeded, limit > w.sum ? limit - w.sum : 0);
        }
        IQuotaRegistry.Offering memory o = $.regCfOfferings[a.offeringId];
        if (o.cap == 0) return (QuotaResult.UnknownOffering, 0);
        if (uint256(o.consumed) + o.reserved + a.amount > o.cap) {
            return (QuotaResult.OfferingCapExceeded, o.cap - o.consumed - o.reserved);
        }
        uint32 issuerId = $.regCfIssuerOf[a.offeringId];
        Window memory iw = _load($.regCfIssuers[issuerId]);
        {
            _drop(iw, $.regCfIssuerEntries[issuerId], boundaryOf(today));
            uint256 cap = _issuerCap($);
            if (iw.sum + a.amount > cap) {
                return (
                    QuotaResult.IssuerLimitExceeded,
                    (cap > iw.sum ? cap - iw.sum : 0) | (uint256(issuerId) << 128)
                );
            }
        }
        if (o.perInvestorLimit != 0) {
            (QuotaResult r, uint256 left) = _openOfferingInvestor(a, o.perInvestorLimit, isReserve);
            if (r != QuotaResult.Ok) return (r, left);
        }
        // Every check passed: from here on nothing is refused.
        _add(w, $.regCfInvestorEntries[a.investorKey], today, a.amount);
        $.regCfInvestors[a.investorKey] = _pack(w);
        _add(iw, $.regCfIssuerEntries[issuerId], today, a.amount);
        $.regCfIssuers[issuerId] = _pack(iw);
        // amount ≤ cap < 2^64 and the offering totals stay within the cap: the casts cannot truncate.
        if (isReserve) o.reserved += uint64(a.amount);
        else o.consumed += uint64(a.amount);
        QuotaTypes.storeOffering($.regCfOfferings[a.offeringId], o);
        return (QuotaResult.Ok, 0);
    }

    /// @dev Checks and counts an opening against an offering's per-investor limit (the last check of an opening).
    function _openOfferingInvestor(
        QuotaTypes.Args memory a,
        uint64 perInvestorLimit,
        bool isReserve
    ) private returns (QuotaResult, uint256) {
        QuotaStorageLayout.Usage storage ou = QuotaTypes.layout().offeringUsage[a.offeringId][a.investorKey];
        QuotaStorageLayout.Usage memory m = ou;
        uint256 used = uint256(m.consumed) + m.reserved;
        if (used + a.amount > perInvestorLimit) {
            return (QuotaResult.OfferingInvestorLimitExceeded, perInvestorLimit - used);
        }
        // used + amount ≤ perInvestorLimit < 2^64: the uint128 counters cannot overflow.
        if (isReserve) ou.reserved = m.reserved + a.amount;
        else ou.consumed = m.consumed + a.amount;
        return (QuotaResult.Ok, 0);
    }

    /// @dev Confirm, cancel, expire or refund an existing Reg CF reference. A reservation lapses at its expiry.
    function _settle(QuotaTypes.Args memory a, uint160 fp, uint32 periodDays) private returns (QuotaResult, uint256) {
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        IQuotaRegistry.Record memory rec = $.records[a.platformId][a.ref];
        if (rec.status == QuotaRecordStatus.None) return (QuotaResult.UnknownReference, 0);
        if (rec.fingerprint != fp) return (QuotaResult.ReferenceConflict, 0);
        QuotaRecordStatus from = rec.status;
        // The current period is passed as the reference's: only the expiry decides a lapse.
        (QuotaRecordStatus to, QuotaResult r, bool replay) = QuotaTypes.transition(
            a.op,
            from,
            rec.expiry,
            QuotaTypes.periodOf(block.timestamp, periodDays),
            periodDays
        );
        if (replay) {
            emit IQuotaRegistry.QuotaReplayed(a.platformId, a.ref, a.op);
            return (QuotaResult.Ok, 0);
        }
        if (r == QuotaResult.InvalidState) return (r, uint256(from));
        if (r != QuotaResult.Ok) return (r, rec.expiry);

        if (to != QuotaRecordStatus.Confirmed) _release(a, rec.period);
        _moveOffering(a, from, to);
        $.records[a.platformId][a.ref].status = to;
        _emitSettled(a, to, rec.period);
        return (QuotaResult.Ok, 0);
    }

    /// @dev Moves a settled reference's amount between its offering's counters (and the offering's per-investor
    /// counters when it has a per-investor limit). The fingerprint shows this exact amount was added to them and
    /// the status change makes each removal happen once: no subtraction underflows, no addition passes the cap.
    function _moveOffering(QuotaTypes.Args memory a, QuotaRecordStatus from, QuotaRecordStatus to) private {
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        uint128 amount = a.amount;
        uint64 amount64 = uint64(amount);
        IQuotaRegistry.Offering memory o = $.regCfOfferings[a.offeringId];
        unchecked {
            if (from == QuotaRecordStatus.Reserved) {
                o.reserved -= amount64;
                if (to == QuotaRecordStatus.Confirmed) o.consumed += amount64;
            } else {
                o.consumed -= amount64;
            }
        }
        QuotaTypes.storeOffering($.regCfOfferings[a.offeringId], o);
        if (o.perInvestorLimit == 0) return;
        QuotaStorageLayout.Usage storage s = $.offeringUsage[a.offeringId][a.investorKey];
        QuotaStorageLayout.Usage memory m = s;
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

    /// @dev Removes a cancelled, expired or refunded amount counted on `day` from the investor's and the
    /// issuer's windows, unless that day has left them already.
    function _release(QuotaTypes.Args memory a, uint256 day) private {
        if (day <= boundaryOf(DateLib.dayOf(block.timestamp))) return;
        QuotaStorageLayout.QuotaStorage storage $ = QuotaTypes.layout();
        Window memory w = _load($.regCfInvestors[a.investorKey]);
        _remove(w, $.regCfInvestorEntries[a.investorKey], day, a.amount);
        $.regCfInvestors[a.investorKey] = _pack(w);
        uint32 issuerId = $.regCfIssuerOf[a.offeringId];
        Window memory iw = _load($.regCfIssuers[issuerId]);
        _remove(iw, $.regCfIssuerEntries[issuerId], day, a.amount);
        $.regCfIssuers[issuerId] = _pack(iw);
    }

    function _emitOpened(QuotaTypes.Args memory a, uint32 day) private {
        if (a.op == QuotaOp.Reserve) {
            emit IQuotaRegistry.QuotaReserved(
                a.platformId,
                a.ref,
                a.investorKey,
                a.offeringId,
                a.amount,
                day,
                a.expiry
            );
        } else {
            emit IQuotaRegistry.QuotaConsumed(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, day);
        }
    }

    function _emitSettled(QuotaTypes.Args memory a, QuotaRecordStatus to, uint32 day) private {
        if (to == QuotaRecordStatus.Confirmed) {
            emit IQuotaRegistry.QuotaConfirmed(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, day);
        } else if (to == QuotaRecordStatus.Cancelled) {
            emit IQuotaRegistry.QuotaCancelled(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, day);
        } else if (to == QuotaRecordStatus.Expired) {
            emit IQuotaRegistry.QuotaExpired(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, day);
        } else {
            emit IQuotaRegistry.QuotaRefunded(a.platformId, a.ref, a.investorKey, a.offeringId, a.amount, day);
        }
    }

    /* WINDOW LIST */

    function _load(uint256 h) private pure returns (Window memory) {
        return
            Window(
                h & MASK88,
                (h >> 88) & 1 == 1,
                (h >> 96) & MASK24,
                (h >> 120) & MASK24,
                (h >> 144) & MASK24,
                (h >> 168) & MASK24,
                h >> 192
            );
    }

    function _pack(Window memory w) private pure returns (uint256) {
        return
            uint256(SafeCast.toUint88(w.sum)) |
            (w.accredited ? 1 << 88 : 0) |
            (uint256(SafeCast.toUint24(w.head)) << 96) |
            (uint256(SafeCast.toUint24(w.length)) << 120) |
            (uint256(SafeCast.toUint24(w.headDay)) << 144) |
            (uint256(SafeCast.toUint24(w.lastDay)) << 168) |
            (uint256(SafeCast.toUint64(w.lastAmount)) << 192);
    }

    function _days(Window memory w) private pure returns (uint256) {
        return w.length - w.head + (w.lastDay != 0 ? 1 : 0);
    }

    function _entry(mapping(uint256 => uint256) storage e, uint256 i) private view returns (uint256 day, uint256 amt) {
        uint256 half = e[i >> 1] >> ((i & 1) << 7);
        return ((half >> 64) & MASK32, half & MASK64);
    }

    function _setEntry(mapping(uint256 => uint256) storage e, uint256 i, uint256 day, uint256 amt) private {
        uint256 shift = (i & 1) << 7;
        uint256 word = e[i >> 1];
        e[i >> 1] = (word & ~(MASK128 << shift)) | (((day << 64) | amt) << shift);
    }

    /// @dev Drops (in memory) the entries dated on or before `boundary`; an emptied list restarts at index 0.
    function _drop(Window memory w, mapping(uint256 => uint256) storage e, uint256 boundary) private view {
        while (w.head < w.length && w.headDay <= boundary) {
            (, uint256 amt) = _entry(e, w.head);
            w.sum -= amt;
            ++w.head;
            if (w.head < w.length) (w.headDay, ) = _entry(e, w.head);
        }
        if (w.head == w.length) {
            w.head = 0;
            w.length = 0;
            w.headDay = 0;
            if (w.lastDay != 0 && w.lastDay <= boundary) {
                w.sum -= w.lastAmount;
                w.lastDay = 0;
                w.lastAmount = 0;
            }
        }
    }

    /// @dev Adds `amt` on day `today`: to the newest day's amount, or as a new newest day (the previous newest
    /// day moves to the list).
    function _add(Window memory w, mapping(uint256 => uint256) storage e, uint256 today, uint256 amt) private {
        if (w.lastDay != today) {
            if (w.lastDay != 0) {
                if (w.head == w.length) w.headDay = w.lastDay;
                _setEntry(e, w.length, w.lastDay, w.lastAmount);
                ++w.length;
            }
            w.lastDay = today;
            w.lastAmount = 0;
        }
        w.lastAmount += amt;
        w.sum += amt;
    }

    /// @dev Subtracts `amt` from the entry of `day`, which is still in the window: the newest day, or found by
    /// binary search among the entries from `head` (ordered by day, one per day).
    function _remove(Window memory w, mapping(uint256 => uint256) storage e, uint256 day, uint256 amt) private {
        if (day == w.lastDay) {
            w.lastAmount -= amt;
        } else {
            uint256 lo = w.head;
            uint256 hi = w.length;
            while (lo < hi) {
                uint256 mid = (lo + hi) >> 1;
                (uint256 d, ) = _entry(e, mid);
                if (d < day) lo = mid + 1;
                else hi = mid;
            }
            (uint256 found, uint256 held) = _entry(e, lo);
            _setEntry(e, lo, found, held - amt);
        }
        w.sum -= amt;
    }
}
