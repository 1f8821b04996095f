// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IRepoBook, RepoStatus, ObligationStatus, RepoSide, RevaluationSkip} from "../interfaces/IRepoBook.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {RepoMath} from "../libraries/RepoMath.sol";
import {CouponLib} from "../libraries/CouponLib.sol";
import {DateLib} from "../libraries/DateLib.sol";
import {RepoTypes} from "./RepoTypes.sol";

/**
 * @title RepoRevaluation
 * @notice Daily revaluation of the repo book's deals (SPEC §5.1), as a linked library the book calls by
 * DELEGATECALL: it reads and writes the book's storage ({RepoTypes}) and emits the book's events.
 * Only a closed date is revalued ({IPriceOracle-lastClosedDate} of the deal's calendar on or after it), from
 * the oracle's data as of that close ({IPriceOracle-closedPriceAt}, {IPriceOracle-closedFxRate}): the result
 * for a date does not depend on who triggers it or when. Nothing one deal holds reverts the batch: each
 * failure is a skip with its reason (only a holiday is recorded as done), and worthless collateral is valued
 * as the largest call ({RepoMath}).
 * @dev A batch caches per (security, deal currency) the price, FX rate and accrued coupon, and per calendar
 * the close and business-day answer, in memory; so a batch of deals on few securities reads the oracle, the calendar
 * and the coupon schedule once per security. Per deal it reads four slots of terms and one of state, writes
 * the state slot once (the last revalued date in it is the idempotency marker) and emits one event.
 */
library RepoRevaluation {
    /// @dev Largest dirty price x FX rate (36 decimals of deal currency per token unit) valued: with quantities
    /// below 2^96 and ratios below 2^64 no step of {RepoMath} overflows.
    uint256 private constant MAX_UNIT_VALUE = 2 ** 155;

    /// @dev Market data of one (security, deal currency) for the batch's date.
    struct MarketCache {
        address security;
        bytes3 currency;
        uint8 skip; // 0 = usable, else RevaluationSkip + 1
        uint32 priceDate;
        uint32 fxDate;
        uint256 cleanPrice;
        uint256 accrued;
        uint256 fxRate;
    }

    /// @dev Business-day answer of one calendar for the batch's date.
    struct CalendarCache {
        bytes4 calendar;
        uint8 answer; // 1 business day, 2 holiday, 3 year not loaded, 4 date not closed
    }

    /// @dev Working set of one revaluation batch.
    struct Batch {
        uint256 date;
        MarketCache[] markets;
        uint256 marketCount;
        CalendarCache[] calendars;
        uint256 calendarCount;
        uint256 mark; // cache entries before the deal in progress
        uint256 freeMemory; // free memory pointer before the deal in progress
    }

    /// @notice Revalues deals for a business date (see {IRepoBook-revalue}).
    /// @param dealIds Deals to revalue.
    /// @param date Business date (day number), not after today.
    /// @return revalued Deals revalued.
    /// @return calls Deals whose revaluation left a call open.
    function revalue(uint256[] calldata dealIds, uint256 date) external returns (uint256 revalued, uint256 calls) {
        uint256 today = DateLib.dayOf(block.timestamp);
        if (date > today) revert IRepoBook.RepoDateInFuture(date, today);
        Batch memory b;
        b.date = date;
        uint256 n = dealIds.length;
        b.markets = new MarketCache[](n < 16 ? n : 16);
        b.calendars = new CalendarCache[](4);
        for (uint256 i = 0; i < n; ++i) {
            (bool done, bool call) = _revalueOne(dealIds[i], b);
            // Both counters are bounded by the batch length.
            unchecked {
                if (done) ++revalued;
                if (call) ++calls;
            }
        }
    }

    /// @dev Revalues one deal for `b.date`; returns whether it was revalued and whether a call is open after.
    function _revalueOne(uint256 dealId, Batch memory b) private returns (bool, bool) {
        RepoTypes.RepoStorage storage $ = RepoTypes.layout();
        RepoTypes.Deal storage d = $.deals[dealId];
        RepoTypes.State memory s = d.state;
        uint256 date = b.date;
        if (s.status != RepoStatus.Active || date <= s.lastRevaluedDate) return (false, false);
        // The deal's working memory (math input and output, event data) is dead once it is done: unless it added
        // a cache entry, the next deal reuses it, so memory does not grow with the batch.
        _markMemory(b);
        uint256 w0 = _termsSlot(d, 0);
        if (date < uint32(_termsSlot(d, 3) >> 96)) return _skip(dealId, date, RevaluationSkip.BeforeStart);
        uint8 answer = _businessDay($, b, bytes4(uint32(w0 >> 184)));
        if (answer == 4) return _skip(dealId, date, RevaluationSkip.DateNotClosed);
        if (answer == 3) return _skip(dealId, date, RevaluationSkip.CalendarNotLoaded);
        if (answer == 2) {
            s.lastRevaluedDate = uint32(date);
            d.state = s;
            return _skip(dealId, date, RevaluationSkip.Holiday);
        }
        MarketCache memory m = _market($, b, address(uint160(w0)), bytes3(uint24(w0 >> 160)));
        if (m.skip != 0) return _skip(dealId, date, RevaluationSkip(m.skip - 1));
        RepoMath.Input memory input = _input(dealId, d, s, m, date, w0);
        if (input.holiday) return _skip(dealId, date, RevaluationSkip.MarginPostedLater);
        RepoMath.Output memory out = RepoMath.revalue(input);
        // An obligation stores both amounts in 128 bits.
        if ((out.callCash | out.callQuantity) > type(uint128).max) {
            return _skip(dealId, date, RevaluationSkip.ValueOutOfRange);
        }
        out.accruedCoupon = m.accrued;

        IRepoBook.RevaluationInputs memory used = IRepoBook.RevaluationInputs({
            cleanPrice: m.cleanPrice,
            priceDate: m.priceDate,
            fxRate: m.fxRate,
            fxDate: m.fxDate,
            quantity: s.quantity,
            oldLtv: s.ltv
        });
        if (!_updateObligations($, dealId, d, s, out, date)) {
            return _skip(dealId, date, RevaluationSkip.CalendarNotLoaded);
        }
        s.lastRevaluedDate = uint32(date);
        s.ltv = out.ltv > type(uint64).max ? type(uint64).max : uint64(out.ltv);
        d.state = s;
        emit IRepoBook.RepoRevalued(dealId, date, used, out);
        _releaseMemory(b);
        return (true, out.action != RepoMath.Action.None);
    }

    /// @dev The math input of a deal for `date`. The accrued coupon comes from the batch cache: valuing at the
    /// dirty price as an equity gives the same outputs as RepoMath's bond path (dirty = clean + accrued is its
    /// only use of the bond data). `holiday` is set (and nothing valued) when a cash margin is dated after `date`.
    /// The terms come from the deal's slots 0..3 read once each (`w0` read by the caller) and unpacked at the
    /// offsets of {RepoTypes-Deal}.
    function _input(
        uint256 dealId,
        RepoTypes.Deal storage d,
        RepoTypes.State memory s,
        MarketCache memory m,
        uint256 date,
        uint256 w0
    ) private view returns (RepoMath.Input memory input) {
        uint256 w1 = _termsSlot(d, 1);
        uint256 w2 = _termsSlot(d, 2);
        uint256 w3 = _termsSlot(d, 3);
        input.terms = RepoMath.Terms({
            purchasePrice: uint128(w1),
            repoRate: uint64(w2),
            basis: uint16(w0 >> 216),
            startDate: uint32(w3 >> 96),
            initialLtv: uint64(w2 >> 128),
            lowerTrigger: w2 >> 192,
            upperTrigger: uint64(w3),
            minimumTransfer: w1 >> 128,
            cashMarginRate: uint64(w2 >> 64),
            cashDecimals: uint8(w0 >> 240),
            // At most (2^32 - 1) x 1e10: no overflow.
            marginRatio: (w3 >> 224) * RepoTypes.MARGIN_RATIO_STEP
        });
        input.valuationDate = date;
        input.cleanPrice = m.cleanPrice + m.accrued;
        input.fxRate = m.fxRate;
        input.quantity = s.quantity;
        if (s.cashMargins != 0) {
            input.cashMargins = RepoTypes.loadMargins(dealId, s.cashMargins);
            for (uint256 i = 0; i < input.cashMargins.length; ++i) {
                if (input.cashMargins[i].postedOn > date) input.holiday = true;
            }
        }
    }

    /// @dev Raises, resizes or cancels the calls so the open ones match `out.action`; false (and nothing
    /// written) when a new call's due date cannot be computed (calendar year not loaded).
    function _updateObligations(
        RepoTypes.RepoStorage storage $,
        uint256 dealId,
        RepoTypes.Deal storage d,
        RepoTypes.State memory s,
        RepoMath.Output memory out,
        uint256 date
    ) private returns (bool) {
        RepoSide want = out.action == RepoMath.Action.BorrowerCall ? RepoSide.Borrower : RepoSide.Lender;
        bool any = out.action != RepoMath.Action.None;
        uint256 due;
        if (any && s.flags & RepoTypes.callFlag(want) == 0) {
            try $.calendar.addBusinessDays(d.calendar, date, d.marginDeadlineDays) returns (uint256 r) {
                due = r;
            } catch {
                return false;
            }
        }
        for (uint256 k = 0; k < 2; ++k) {
            RepoSide side = RepoSide(k);
            bool open = s.flags & RepoTypes.callFlag(side) != 0;
            if (any && side == want) {
                IRepoBook.Obligation storage o = $.obligations[dealId][side];
                if (open) {
                    (o.cash, o.quantity, o.updatedOn) = (
                        uint128(out.callCash),
                        uint128(out.callQuantity),
                        uint32(date)
                    );
                    emit IRepoBook.MarginCallResized(dealId, side, date, out.callCash, out.callQuantity);
                } else {
                    $.obligations[dealId][side] = IRepoBook.Obligation({
                        status: ObligationStatus.Open,
                        raisedOn: uint32(date),
                        dueDate: uint32(due),
                        updatedOn: uint32(date),
                        cash: uint128(out.callCash),
                        quantity: uint128(out.callQuantity)
                    });
                    s.flags |= RepoTypes.callFlag(side);
                    emit IRepoBook.MarginCallRaised(dealId, side, date, due, out.callCash, out.callQuantity);
                }
            } else if (open) {
                $.obligations[dealId][side].status = ObligationStatus.Cancelled;
                s.flags &= ~RepoTypes.callFlag(side);
                emit IRepoBook.MarginCallCancelled(dealId, side, date);
            }
        }
        return true;
    }

    /// @dev Word `i` (0..3) of a deal's packed terms: slot 0 security, currency (bits 160..183), calendar
    /// (184..215), basis (216..231), deadline days, cash decimals (240..247), coupon day count; slot 1 purchase
    /// price (0..127), minimum transfer (128..255); slot 2 repo rate (0..63), cash margin rate (64..127), initial
    /// LTV (128..191), lower trigger (192..255); slot 3 upper trigger (0..63), trade date, start date (96..127),
    /// repurchase date, borrower, lender, margin ratio in 1e-8 steps (224..255). One SLOAD per word instead of one
    /// per field.
    function _termsSlot(RepoTypes.Deal storage d, uint256 i) private view returns (uint256 w) {
        assembly ("memory-safe") {
            w := sload(add(d.slot, i))
        }
    }

    /// @dev Records the free memory pointer and the cache size before a deal's work.
    function _markMemory(Batch memory b) private pure {
        uint256 freeMemory;
        assembly ("memory-safe") {
            freeMemory := mload(0x40)
        }
        (b.freeMemory, b.mark) = (freeMemory, b.marketCount + b.calendarCount);
    }

    /// @dev Frees the memory a finished deal used, unless the deal added a cache entry (which lives there).
    function _releaseMemory(Batch memory b) private pure {
        if (b.marketCount + b.calendarCount != b.mark) return;
        uint256 freeMemory = b.freeMemory;
        assembly ("memory-safe") {
            mstore(0x40, freeMemory)
        }
    }

    function _skip(uint256 dealId, uint256 date, RevaluationSkip reason) private returns (bool, bool) {
        emit IRepoBook.RepoRevaluationSkipped(dealId, date, reason);
        return (false, false);
    }

    /// @dev 1 business day, 2 holiday, 3 calendar year not loaded, 4 date not closed by the oracle for the
    /// calendar; cached per calendar in the batch.
    function _businessDay(
        RepoTypes.RepoStorage storage $,
        Batch memory b,
        bytes4 cal
    ) private view returns (uint8 answer) {
        for (uint256 i = 0; i < b.calendarCount; ++i) {
            if (b.calendars[i].calendar == cal) return b.calendars[i].answer;
        }
        if ($.oracle.lastClosedDate(cal) < b.date) {
            answer = 4;
        } else {
            try $.calendar.isBusinessDay(cal, b.date) returns (bool business) {
                answer = business ? 1 : 2;
            } catch {
                answer = 3;
            }
        }
        if (b.calendarCount < b.calendars.length) {
            b.calendars[b.calendarCount] = CalendarCache(cal, answer);
            ++b.calendarCount;
        }
    }

    /// @dev Price, FX rate and accrued coupon of a security in a deal currency for the batch's date, cached.
    function _market(
        RepoTypes.RepoStorage storage $,
        Batch memory b,
        address security,
        bytes3 currency
    ) private view returns (MarketCache memory m) {
        for (uint256 i = 0; i < b.marketCount; ++i) {
            m = b.markets[i];
            if (m.security == security && m.currency == currency) return m;
        }
        m = MarketCache(security, currency, 0, 0, 0, 0, 0, 0);
        RepoTypes.SecurityInfo storage info = $.securities[security];
        uint256 date = b.date;
        try $.oracle.closedPriceAt(info.isin, date) returns (uint256 price, uint32 priceDate) {
            (m.cleanPrice, m.priceDate) = (price, priceDate);
        } catch (bytes memory reason) {
            m.skip = _oracleSkip(reason, RevaluationSkip.NoPrice);
        }
        bytes3 secCurrency = info.currency;
        if (m.skip == 0 && secCurrency != currency) {
            try $.oracle.closedFxRate(secCurrency, currency, date) returns (uint256 rate, uint32 rateDate) {
                (m.fxRate, m.fxDate) = (rate, rateDate);
            } catch (bytes memory reason) {
                m.skip = _oracleSkip(reason, RevaluationSkip.NoFxRate);
            }
        } else {
            (m.fxRate, m.fxDate) = (1e18, uint32(date));
        }
        if (m.skip == 0 && info.isBond) _accrue(info, date, m);
        if (m.skip == 0) {
            uint256 dirty = m.cleanPrice + m.accrued;
            if (m.fxRate != 0 && dirty > MAX_UNIT_VALUE / m.fxRate) m.skip = uint8(RevaluationSkip.ValueOutOfRange) + 1;
        }
        if (b.marketCount < b.markets.length) {
            b.markets[b.marketCount] = m;
            ++b.marketCount;
        }
    }

    /// @dev A bond's accrued coupon per unit at `date` into `m`, or the OutsideBondLife skip.
    function _accrue(RepoTypes.SecurityInfo storage info, uint256 date, MarketCache memory m) private view {
        if (date < info.issueDate || date >= info.maturityDate) {
            m.skip = uint8(RevaluationSkip.OutsideBondLife) + 1;
            return;
        }
        m.accrued = CouponLib.accruedPerUnitDown(
            CouponLib.Bond({
                faceValue: info.faceValuePerUnit,
                couponRate: info.couponRate,
                frequency: info.frequency,
                issueDate: info.issueDate,
                maturityDate: info.maturityDate,
                dayCount: info.dayCount
            }),
            date
        );
    }

    /// @dev The skip (RevaluationSkip + 1) for an oracle read that reverted: DateNotClosed when the feed's
    /// calendar has not closed the date, else `otherwise`.
    function _oracleSkip(bytes memory reason, RevaluationSkip otherwise) private pure returns (uint8) {
        bool notClosed = reason.length >= 4 && bytes4(reason) == IPriceOracle.OracleDateNotClosed.selector;
        return uint8(notClosed ? RevaluationSkip.DateNotClosed : otherwise) + 1;
    }
}
