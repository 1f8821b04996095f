// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IPledgeBook, PledgeStatus, PledgeValuationSkip} from "../interfaces/IPledgeBook.sol";
import {PledgeMath} from "../libraries/PledgeMath.sol";
import {PledgeTypes} from "./PledgeTypes.sol";

/**
 * @title PledgeValuation
 * @notice The pledge book's daily valuation and its preview (close of business, SPEC §4; §5.2), as a linked
 * library the book calls by DELEGATECALL: it reads and writes the book's storage ({PledgeTypes}) and emits the
 * book's events.
 * @dev A pledge is valued for date D only from the market data as of D's close: D must be closed for the
 * pledge's calendar (`lastClosedDate`, asked once per calendar in a batch) and the close comes from the
 * oracle's `closedPriceAt` (once per security in a batch), which also requires D closed for the feed's calendar.
 * A pledge that cannot be valued is skipped with its reason and nothing recorded; no single pledge can revert
 * the batch: its terms are bounded at request so the math cannot overflow, its tokens and calendar were
 * vouched for at request, and the calendar's answer for the top-up deadline is caught.
 */
library PledgeValuation {
    /// @dev One security's close within a batch (by its address-table index): the price, or 0 with the reason
    /// it is missing.
    struct PriceCache {
        uint32 security;
        uint256 price;
        PledgeValuationSkip reason;
    }

    /// @dev One calendar's answer within a batch: whether the batch date is closed for it.
    struct CloseCache {
        bytes4 calendarId;
        bool closed;
    }

    /// @dev A valuation batch: its date and the answers read so far.
    struct Batch {
        PriceCache[] prices;
        uint256 priced;
        CloseCache[] closes;
        uint256 calendars;
        uint256 date;
    }

    /// @notice See {IPledgeBook-value}.
    /// @param ids Pledge ids.
    /// @param date Business date (day number).
    /// @return valued Number of pledges valued.
    function value(uint256[] calldata ids, uint256 date) external returns (uint256 valued) {
        uint256 today = block.timestamp / 1 days;
        if (date > today) revert IPledgeBook.PledgeDateInvalid(date, 0, today);
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        // The caches' entries are allocated here, filled in place during the batch.
        Batch memory batch = Batch(new PriceCache[](ids.length), 0, new CloseCache[](ids.length), 0, date);
        uint256 freeMemory;
        assembly ("memory-safe") {
            freeMemory := mload(0x40)
        }
        for (uint256 i = 0; i < ids.length; i++) {
            // Bounded by the batch length.
            unchecked {
                if (_valueIfDue($, batch, ids[i])) ++valued;
            }
            // Nothing one pledge's valuation allocates is read after it (the caches are filled in place): its
            // memory is reused by the next, so the batch's memory does not grow with its length.
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
        }
    }

    /// @notice See {IPledgeBook-preview}.
    /// @param id Pledge id.
    /// @param date Valuation date.
    /// @return out The valuation with the enforcement amounts.
    /// @return closePrice The close used.
    function preview(
        uint256 id,
        uint256 date
    ) external view returns (PledgeMath.Output memory out, uint256 closePrice) {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        IPledgeBook.Pledge storage p = $.pledges[id];
        if (p.status == PledgeStatus.None) revert IPledgeBook.PledgeUnknown(id);
        uint256 accrued = p.accruedTo;
        if (date < accrued) revert IPledgeBook.PledgeDateInvalid(date, accrued, type(uint32).max);
        PledgeTypes.Account memory security = $.accounts[p.security];
        (closePrice, ) = PledgeTypes.closedPrice($.oracle, security.isin, date);
        if (closePrice == 0) revert IPledgeBook.PledgeNoPrice(security.account, date);
        out = PledgeTypes.compute(
            p,
            date,
            closePrice,
            PledgeTypes.WITH_RATIO | PledgeTypes.WITH_TOP_UPS | PledgeTypes.WITH_ENFORCEMENT
        );
    }

    /// @dev Values pledge `id` at the batch date unless it is not Active, already valued with the same inputs,
    /// or valued later; returns whether it was valued.
    function _valueIfDue(
        PledgeTypes.PledgeBookStorage storage $,
        Batch memory batch,
        uint256 id
    ) private returns (bool) {
        IPledgeBook.Pledge storage p = $.pledges[id];
        uint256 date = batch.date;
        // Head slot: status, flags and the idempotency marker in one SLOAD.
        uint256 valuedDate = p.valuedDate;
        if (p.status != PledgeStatus.Active || date < valuedDate || date < p.accruedTo) return false;
        if (date == valuedDate && p.flags & PledgeTypes.INPUTS_CHANGED == 0) return false;
        // The calendar (head slot) is asked only for a pledge that names one.
        bytes4 calendarId;
        if (p.flags & PledgeTypes.CALENDAR != 0) {
            calendarId = p.calendarId;
            if (!_closed($.oracle, batch, calendarId)) return _skip(id, date, PledgeValuationSkip.DateNotClosed);
        }
        (uint256 price, PledgeValuationSkip reason) = _cachedPrice($, batch, p.security);
        if (price == 0) return _skip(id, date, reason);
        return _valueOne($, p, id, date, price, calendarId);
    }

    /// @dev Values one pledge, writes the head slot once, emits the valuation and any level or top-up event;
    /// skips it (nothing written) when the calendar cannot tell the top-up deadline. Kept in one body: it runs
    /// once per pledge of a batch, and each internal call would cost gas under a budget met by tens of gas.
    // solhint-disable-next-line function-max-lines
    function _valueOne(
        PledgeTypes.PledgeBookStorage storage $,
        IPledgeBook.Pledge storage p,
        uint256 id,
        uint256 date,
        uint256 price,
        bytes4 calendarId
    ) private returns (bool) {
        PledgeMath.Output memory out = PledgeTypes.compute(
            p,
            date,
            price,
            PledgeTypes.WITH_RATIO | PledgeTypes.WITH_TOP_UPS
        );
        PledgeMath.Level previous = p.level;
        uint256 due = p.topUpDue;
        bool called;
        if (PledgeMath.topUpDue(out.level, p.flags & PledgeTypes.TOP_UP_AT_WARNING != 0)) {
            if (due == 0) {
                if (calendarId == bytes4(0)) {
                    due = date + p.topUpDays;
                } else {
                    try $.calendar.addBusinessDays(calendarId, date, p.topUpDays) returns (uint256 d) {
                        due = d;
                    } catch {
                        return _skip(id, date, PledgeValuationSkip.CalendarNotLoaded);
                    }
                }
                called = true;
            }
        } else if (due != 0) {
            due = 0;
            emit IPledgeBook.PledgeTopUpCleared(id, date);
        }
        p.level = out.level;
        // Dates fit 24 bits: the batch date is at most today, the calendars end in year 9999, calendar-day
        // deadlines add at most 255 days.
        p.valuedDate = uint24(date);
        p.topUpDue = uint24(due);
        p.flags &= ~PledgeTypes.INPUTS_CHANGED;
        if (called)
            emit IPledgeBook.PledgeTopUpCalled(id, date, out.topUpShares, out.topUpCash, out.topUpRepayment, due);
        IPledgeBook.Valuation memory valuation;
        // A Valuation is the first twelve words of PledgeMath.Output (same fields, same order, all static):
        // the event carries that prefix without copying it.
        assembly ("memory-safe") {
            valuation := out
        }
        // Cannot underflow: the collateral value is the share value plus the pledged cash.
        uint256 cash;
        unchecked {
            cash = out.collateralValue - out.shareValue;
        }
        emit IPledgeBook.PledgeValued(id, date, price, p.shares, cash, valuation);
        if (previous != out.level) emit IPledgeBook.PledgeLevelChanged(id, date, previous, out.level);
        return true;
    }

    function _skip(uint256 id, uint256 date, PledgeValuationSkip reason) private returns (bool) {
        emit IPledgeBook.PledgeValuationSkipped(id, date, reason);
        return false;
    }

    /// @dev Whether the batch date is closed for `calendarId`, from the batch cache or the oracle.
    function _closed(IPriceOracle oracle, Batch memory batch, bytes4 calendarId) private view returns (bool closed) {
        uint256 n = batch.calendars;
        for (uint256 k = 0; k < n; k++) {
            if (batch.closes[k].calendarId == calendarId) return batch.closes[k].closed;
        }
        closed = oracle.lastClosedDate(calendarId) >= batch.date;
        CloseCache memory entry = batch.closes[n];
        entry.calendarId = calendarId;
        entry.closed = closed;
        batch.calendars = n + 1;
    }

    /// @dev The close of the security of index `security` from the batch cache, reading its ISIN (kept in its
    /// address-table entry) and the oracle on the first use.
    function _cachedPrice(
        PledgeTypes.PledgeBookStorage storage $,
        Batch memory batch,
        uint32 security
    ) private view returns (uint256 price, PledgeValuationSkip reason) {
        uint256 n = batch.priced;
        for (uint256 k = 0; k < n; k++) {
            PriceCache memory c = batch.prices[k];
            if (c.security == security) return (c.price, c.reason);
        }
        bool notClosed;
        (price, notClosed) = PledgeTypes.closedPrice($.oracle, $.accounts[security].isin, batch.date);
        reason = notClosed ? PledgeValuationSkip.DateNotClosed : PledgeValuationSkip.NoPrice;
        PriceCache memory entry = batch.prices[n];
        entry.security = security;
        entry.price = price;
        entry.reason = reason;
        batch.priced = n + 1;
    }
}
