// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IHolidayCalendar} from "../interfaces/IHolidayCalendar.sol";

/**
 * @title PriceOracle
 * @notice Clean prices of securities and FX rates per business date, pushed in batches by oracle
 * operators, with guard rails and a two-operator quarantine for large moves. See {IPriceOracle}.
 * @dev Storage: the latest accepted value of a feed is packed with its guard-rail parameters and its
 * calendar into ONE slot ({Feed}), so a push costs one cold read and one write per item; the feed's
 * currency lives in a second slot that only readers touch. Within a batch the last (calendar, date)
 * business-day answer and the calendar's last closed date are kept in memory, so a batch of one
 * calendar and date asks the holiday calendar once. History is not stored: every accepted, quarantined,
 * confirmed, rejected and refused value is an event with all its inputs, from which the full history is
 * rebuilt. Values are bounded by 2^128 − 1 (3.4e20 units at 18 decimals).
 *
 * Roles: ORACLE_ROLE pushes and confirms; ORACLE_ADMIN_ROLE registers securities and FX pairs and
 * rejects quarantined values; the consortium admin grants roles and upgrades.
 */
contract PriceOracle is ConsortiumUpgradeable, IPriceOracle {
    /// @notice Oracle operators: push batches, confirm another operator's quarantined value.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice Oracle admins: register securities and FX pairs, set guard rails, reject quarantined values.
    bytes32 public constant ORACLE_ADMIN_ROLE = keccak256("ORACLE_ADMIN_ROLE");

    uint256 private constant WAD = 1e18;
    /// @dev Packed feed word: bits 0..127 price, 128..159 date, 160..199 max deviation in units of 1e-9,
    /// 200..231 calendar, 232..247 max age, 248..255 kind.
    uint256 private constant DATE_SHIFT = 128;
    uint256 private constant DEVIATION_SHIFT = 160;
    uint256 private constant CALENDAR_SHIFT = 200;
    uint256 private constant AGE_SHIFT = 232;
    uint256 private constant KIND_SHIFT = 248;
    /// @dev The stored maximum deviation is in units of 1e-9 (1e9 in WAD): any uint64 WAD fits 40 bits.
    uint256 private constant DEVIATION_UNIT = 1e9;
    /// @dev Everything but the price and the date.
    uint256 private constant RAILS_MASK = ~uint256(0) << DEVIATION_SHIFT;

    /// @dev The hot slot of a feed, stored packed in one word (see {_pack}): latest value, its date and
    /// the guard rails.
    struct Feed {
        uint128 price;
        uint32 date;
        uint64 maxDeviationWad;
        bytes4 calendarId;
        uint16 maxAgeDays;
        FeedKind kind;
    }

    /// @dev What only readers need.
    struct FeedMeta {
        bytes3 currency;
        bytes3 baseCurrency;
        bytes4 calendarId;
    }

    /// @dev A quarantined value (at most one per feed; a newer quarantine replaces it), with the calendar
    /// whose (calendar, date) quarantine count it was added to.
    struct Pending {
        address operator;
        uint32 date;
        uint128 price;
        bytes4 calendarId;
    }

    /// @dev What a batch remembers of the holiday calendar and the closes (see {pushPrices}).
    struct BatchCache {
        IHolidayCalendar calendar;
        bytes4 calendarId;
        uint256 lastClosed;
        uint256 day;
        bool known;
        bool business;
    }

    /// @custom:storage-location erc7201:csd.storage.PriceOracle
    struct OracleStorage {
        mapping(bytes12 feedId => uint256 packedFeed) feeds;
        mapping(bytes12 feedId => FeedMeta) meta;
        mapping(bytes12 feedId => Pending) pending;
        IHolidayCalendar holidayCalendar;
        mapping(bytes4 calendarId => uint32) lastClosed;
        mapping(bytes4 calendarId => mapping(uint32 date => uint256)) quarantined;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.PriceOracle")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x6c2a91b06c1554c00ea1bd97008d7221f111d56eedfc696b5a5ec028554ac700;

    function _s() private pure returns (OracleStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin (DEFAULT_ADMIN_ROLE).
    function initialize(address admin) external initializer {
        __Consortium_init(admin);
    }

    /* ORACLE ADMIN */

    /// @inheritdoc IPriceOracle
    function configureAsset(
        bytes12 isin,
        bytes3 currency,
        bytes4 calendarId,
        uint64 maxDeviationWad,
        uint16 maxAgeDays
    ) external onlyRole(ORACLE_ADMIN_ROLE) {
        if (!_isIsinShape(isin)) revert OracleInvalidIsin(isin);
        _checkCurrency(currency);
        _configure(isin, FeedKind.Security, currency, bytes3(0), calendarId, maxDeviationWad, maxAgeDays);
        emit AssetConfigured(isin, currency, calendarId, maxDeviationWad, maxAgeDays);
    }

    /// @inheritdoc IPriceOracle
    function configureFxPair(
        bytes3 base,
        bytes3 quote,
        bytes4 calendarId,
        uint64 maxDeviationWad,
        uint16 maxAgeDays
    ) external onlyRole(ORACLE_ADMIN_ROLE) {
        _checkCurrency(base);
        _checkCurrency(quote);
        if (base == quote) revert OracleInvalidCurrency(quote);
        bytes12 feedId = fxFeedId(base, quote);
        _configure(feedId, FeedKind.FxPair, quote, base, calendarId, maxDeviationWad, maxAgeDays);
        emit FxPairConfigured(feedId, base, quote, calendarId, maxDeviationWad, maxAgeDays);
    }

    /// @inheritdoc IPriceOracle
    function rejectPrice(
        bytes12 feedId,
        uint32 date,
        uint256 price,
        bytes32 reason
    ) external onlyRole(ORACLE_ADMIN_ROLE) {
        OracleStorage storage $ = _s();
        Pending memory p = $.pending[feedId];
        if (p.operator == address(0) || p.date != date || p.price != price) {
            revert OracleNoPendingPrice(feedId, date, price);
        }
        --$.quarantined[p.calendarId][p.date];
        delete $.pending[feedId];
        emit PriceRejected(feedId, date, price, p.operator, msg.sender, reason);
    }

    /// @inheritdoc IPriceOracle
    function setHolidayCalendar(address calendar) external onlyRole(ORACLE_ADMIN_ROLE) {
        if (calendar.code.length == 0) revert OracleInvalidHolidayCalendar(calendar);
        _s().holidayCalendar = IHolidayCalendar(calendar);
        emit HolidayCalendarSet(calendar);
    }

    /* ORACLE OPERATORS */

    /// @inheritdoc IPriceOracle
    function pushPrices(
        PriceInput[] calldata items
    ) external onlyRole(ORACLE_ROLE) returns (uint256 accepted, uint256 quarantined) {
        uint256 n = items.length;
        if (n == 0) revert OracleEmptyBatch();
        OracleStorage storage $ = _s();
        uint256 today = block.timestamp / 1 days;
        BatchCache memory cache;
        cache.calendar = _holidayCalendar();
        for (uint256 i = 0; i < n; ++i) {
            PriceInput calldata it = items[i];
            bytes12 feedId = it.feedId;
            uint32 date = it.date;
            uint256 price = it.price;
            // One SLOAD gives the latest value, its date, the guard rails and the calendar.
            uint256 word = $.feeds[feedId];
            _checkInput(feedId, date, price, word >> KIND_SHIFT, today);
            uint256 curDate = uint32(word >> DATE_SHIFT);
            uint256 curPrice = uint128(word);
            // Same date, same value: a retried push, skipped without an event (even once closed).
            if (date == curDate && price == curPrice) continue;
            _checkDate(cache, bytes4(uint32(word >> CALENDAR_SHIFT)), date);
            if (date <= curDate) {
                emit PriceRefused(feedId, date, price, uint32(curDate), curPrice, msg.sender);
                continue;
            }
            if (curDate != 0) {
                uint256 deviation = _deviationWad(curPrice, price);
                if (deviation > uint40(word >> DEVIATION_SHIFT) * DEVIATION_UNIT) {
                    // The value fits 128 bits: checked by _checkInput.
                    _quarantine(feedId, date, uint128(price), bytes4(uint32(word >> CALENDAR_SHIFT)));
                    emit PriceQuarantined(feedId, date, price, curPrice, uint32(curDate), deviation, msg.sender);
                    ++quarantined;
                    continue;
                }
            }
            // One SSTORE: new value and date, guard rails unchanged (price < 2^128 by _checkInput).
            $.feeds[feedId] = (word & RAILS_MASK) | price | (uint256(date) << DATE_SHIFT);
            emit PriceAccepted(feedId, date, price, msg.sender);
            ++accepted;
        }
    }

    /// @inheritdoc IPriceOracle
    function confirmPrice(bytes12 feedId, uint32 date, uint256 price) external onlyRole(ORACLE_ROLE) {
        OracleStorage storage $ = _s();
        Pending memory p = $.pending[feedId];
        if (p.operator == address(0) || p.date != date || p.price != price) {
            revert OracleNoPendingPrice(feedId, date, price);
        }
        if (p.operator == msg.sender) revert OracleSameOperator(feedId, msg.sender);
        uint256 word = $.feeds[feedId];
        uint32 curDate = uint32(word >> DATE_SHIFT);
        if (p.date <= curDate) revert OraclePendingSuperseded(feedId, p.date, curDate);
        bytes4 calendarId = bytes4(uint32(word >> CALENDAR_SHIFT));
        uint32 closed = $.lastClosed[calendarId];
        if (p.date <= closed) revert OracleDateClosed(calendarId, p.date, closed);
        $.feeds[feedId] = (word & RAILS_MASK) | uint256(p.price) | (uint256(p.date) << DATE_SHIFT);
        --$.quarantined[p.calendarId][p.date];
        delete $.pending[feedId];
        emit PriceConfirmed(feedId, date, price, p.operator, msg.sender);
    }

    /// @inheritdoc IPriceOracle
    function closeBusinessDate(bytes4 calendarId, uint32 date) external onlyRole(ORACLE_ROLE) {
        OracleStorage storage $ = _s();
        uint256 today = block.timestamp / 1 days;
        if (date > today) revert OracleCloseInFuture(calendarId, date, today);
        uint32 closed = $.lastClosed[calendarId];
        if (date <= closed) revert OracleDateClosed(calendarId, date, closed);
        if (!_holidayCalendar().isBusinessDay(calendarId, date)) revert OracleNotBusinessDay(calendarId, date);
        uint256 waiting = $.quarantined[calendarId][date];
        if (waiting != 0) revert OracleQuarantinePending(calendarId, date, waiting);
        $.lastClosed[calendarId] = date;
        emit BusinessDateClosed(calendarId, date, msg.sender);
    }

    /* READS */

    /// @inheritdoc IPriceOracle
    function priceAt(bytes12 feedId, uint256 date) external view returns (uint256 price, uint32 priceDate) {
        return _readAt(feedId, date, false);
    }

    /// @inheritdoc IPriceOracle
    function closedPriceAt(bytes12 feedId, uint256 date) external view returns (uint256 price, uint32 priceDate) {
        return _readAt(feedId, date, true);
    }

    /// @inheritdoc IPriceOracle
    function latestPrice(bytes12 feedId) external view returns (uint256 price, uint32 date) {
        return _readAt(feedId, block.timestamp / 1 days, false);
    }

    /// @inheritdoc IPriceOracle
    function fxRate(bytes3 base, bytes3 quote, uint256 date) external view returns (uint256 rate, uint32 rateDate) {
        return _fxRate(base, quote, date, false);
    }

    /// @inheritdoc IPriceOracle
    function closedFxRate(
        bytes3 base,
        bytes3 quote,
        uint256 date
    ) external view returns (uint256 rate, uint32 rateDate) {
        return _fxRate(base, quote, date, true);
    }

    /// @inheritdoc IPriceOracle
    function lastClosedDate(bytes4 calendarId) external view returns (uint32 date) {
        return _s().lastClosed[calendarId];
    }

    /// @inheritdoc IPriceOracle
    function quarantinedCount(bytes4 calendarId, uint32 date) external view returns (uint256 count) {
        return _s().quarantined[calendarId][date];
    }

    /// @inheritdoc IPriceOracle
    function holidayCalendar() external view returns (address calendar) {
        return address(_s().holidayCalendar);
    }

    /// @inheritdoc IPriceOracle
    function feedInfo(bytes12 feedId) external view returns (FeedInfo memory info) {
        OracleStorage storage $ = _s();
        Feed memory f = _unpack($.feeds[feedId]);
        FeedMeta memory m = $.meta[feedId];
        Pending memory p = $.pending[feedId];
        info = FeedInfo({
            kind: f.kind,
            currency: m.currency,
            baseCurrency: m.baseCurrency,
            calendarId: f.calendarId,
            maxDeviationWad: f.maxDeviationWad,
            maxAgeDays: f.maxAgeDays,
            price: f.price,
            date: f.date,
            pendingPrice: p.price,
            pendingDate: p.date,
            pendingOperator: p.operator
        });
    }

    /// @inheritdoc IPriceOracle
    function latestRaw(bytes12 feedId) external view returns (uint256 price, uint32 date) {
        uint256 word = _s().feeds[feedId];
        return (uint128(word), uint32(word >> DATE_SHIFT));
    }

    /// @inheritdoc IPriceOracle
    function currencyOf(bytes12 feedId) external view returns (bytes3 currency) {
        return _s().meta[feedId].currency;
    }

    /// @inheritdoc IPriceOracle
    function calendarOf(bytes12 feedId) external view returns (bytes4 calendarId) {
        return bytes4(uint32(_s().feeds[feedId] >> CALENDAR_SHIFT));
    }

    /// @inheritdoc IPriceOracle
    function fxFeedId(bytes3 base, bytes3 quote) public pure returns (bytes12 feedId) {
        return bytes12(bytes6(uint48(uint24(base)) << 24) | bytes6(uint48(uint24(quote))));
    }

    /* INTERNALS */

    function _configure(
        bytes12 feedId,
        FeedKind kind,
        bytes3 currency,
        bytes3 baseCurrency,
        bytes4 calendarId,
        uint64 maxDeviationWad,
        uint16 maxAgeDays
    ) private {
        if (maxDeviationWad == 0 || maxDeviationWad % DEVIATION_UNIT != 0 || maxAgeDays == 0)
            revert OracleInvalidGuardRail(maxDeviationWad, maxAgeDays);
        OracleStorage storage $ = _s();
        Feed memory cur = _unpack($.feeds[feedId]);
        $.feeds[feedId] = _pack(Feed(cur.price, cur.date, maxDeviationWad, calendarId, maxAgeDays, kind));
        $.meta[feedId] = FeedMeta(currency, baseCurrency, calendarId);
    }

    /// @dev Reverts unless `date` is after the last closed date of `calendarId` and one of its business
    /// days. Asks storage and the holiday calendar only when the calendar or the date differs from the
    /// previous item's.
    function _checkDate(BatchCache memory cache, bytes4 calendarId, uint256 date) private view {
        if (!cache.known || cache.calendarId != calendarId) {
            cache.calendarId = calendarId;
            cache.lastClosed = _s().lastClosed[calendarId];
            cache.known = true;
            cache.day = 0;
        }
        if (date <= cache.lastClosed) revert OracleDateClosed(calendarId, date, uint32(cache.lastClosed));
        if (cache.day != date) {
            cache.day = date;
            cache.business = cache.calendar.isBusinessDay(calendarId, date);
        }
        if (!cache.business) revert OracleNotBusinessDay(calendarId, date);
    }

    /// @dev Stores a quarantined value, replacing (and uncounting) any earlier one of the feed.
    function _quarantine(bytes12 feedId, uint32 date, uint128 price, bytes4 calendarId) private {
        OracleStorage storage $ = _s();
        Pending storage slot = $.pending[feedId];
        if (slot.operator != address(0)) --$.quarantined[slot.calendarId][slot.date];
        $.pending[feedId] = Pending(msg.sender, date, price, calendarId);
        ++$.quarantined[calendarId][date];
    }

    function _holidayCalendar() private view returns (IHolidayCalendar calendar) {
        calendar = _s().holidayCalendar;
        if (address(calendar) == address(0)) revert OracleCalendarNotSet();
    }

    function _fxRate(bytes3 base, bytes3 quote, uint256 date, bool closed) private view returns (uint256, uint32) {
        if (base == quote) {
            _checkCurrency(base);
            return (WAD, uint32(date));
        }
        bytes12 direct = fxFeedId(base, quote);
        OracleStorage storage $ = _s();
        if (_unpack($.feeds[direct]).kind == FeedKind.FxPair) return _readAt(direct, date, closed);
        bytes12 inverse = fxFeedId(quote, base);
        if (_unpack($.feeds[inverse]).kind != FeedKind.FxPair) revert OracleUnknownFeed(direct);
        (uint256 r, uint32 d) = _readAt(inverse, date, closed);
        // r > 0 (zero values are never stored); 1e36 / r rounds down.
        return ((WAD * WAD) / r, d);
    }

    function _checkInput(bytes12 feedId, uint32 date, uint256 price, uint256 kind, uint256 today) private pure {
        if (kind == uint256(FeedKind.None)) revert OracleUnknownFeed(feedId);
        if (price == 0) revert OracleZeroPrice(feedId, date);
        if (price > type(uint128).max) revert OraclePriceTooLarge(feedId, date, price);
        if (date > today) revert OracleFutureDate(feedId, date, today);
    }

    function _pack(Feed memory f) private pure returns (uint256) {
        return
            uint256(f.price) |
            (uint256(f.date) << DATE_SHIFT) |
            ((uint256(f.maxDeviationWad) / DEVIATION_UNIT) << DEVIATION_SHIFT) |
            (uint256(uint32(f.calendarId)) << CALENDAR_SHIFT) |
            (uint256(f.maxAgeDays) << AGE_SHIFT) |
            (uint256(f.kind) << KIND_SHIFT);
    }

    function _unpack(uint256 word) private pure returns (Feed memory f) {
        f.price = uint128(word);
        f.date = uint32(word >> DATE_SHIFT);
        // Stored from a uint64 divided by 1e9, so the product fits 64 bits.
        f.maxDeviationWad = uint64(uint40(word >> DEVIATION_SHIFT) * DEVIATION_UNIT);
        f.calendarId = bytes4(uint32(word >> CALENDAR_SHIFT));
        f.maxAgeDays = uint16(word >> AGE_SHIFT);
        f.kind = FeedKind(uint8(word >> KIND_SHIFT));
    }

    /// @dev `closed`: only for a date closed for the feed's calendar ({closedPriceAt}).
    function _readAt(bytes12 feedId, uint256 date, bool closed) private view returns (uint256, uint32) {
        OracleStorage storage $ = _s();
        Feed memory f = _unpack($.feeds[feedId]);
        if (f.kind == FeedKind.None) revert OracleUnknownFeed(feedId);
        if (closed) {
            uint32 lastClosed = $.lastClosed[f.calendarId];
            if (date > lastClosed) revert OracleDateNotClosed(f.calendarId, date, lastClosed);
        }
        uint256 today = block.timestamp / 1 days;
        if (date > today) revert OracleFutureDate(feedId, date, today);
        if (f.date == 0 || f.date > date) revert OracleNoPriceForDate(feedId, date, f.date);
        // f.date <= date, checked above.
        unchecked {
            if (date - f.date > f.maxAgeDays) revert OracleStalePrice(feedId, f.date, date, f.maxAgeDays);
        }
        return (f.price, f.date);
    }

    /// @dev |next − prev| / prev in WAD, rounded down; prev > 0 because zero values are never stored.
    function _deviationWad(uint256 prev, uint256 next) private pure returns (uint256) {
        uint256 diff = next > prev ? next - prev : prev - next;
        // diff < 2^128 and WAD < 2^60, so the product fits 256 bits.
        unchecked {
            return (diff * WAD) / prev;
        }
    }

    function _checkCurrency(bytes3 currency) private pure {
        for (uint256 i = 0; i < 3; ++i) {
            bytes1 c = currency[i];
            if (c < "A" || c > "Z") revert OracleInvalidCurrency(currency);
        }
    }

    /// @dev 2 upper-case letters, 9 upper-case letters or digits, 1 digit (the check digit is verified off chain).
    function _isIsinShape(bytes12 isin) private pure returns (bool) {
        for (uint256 i = 0; i < 12; ++i) {
            bytes1 c = isin[i];
            bool letter = c >= "A" && c <= "Z";
            bool digit = c >= "0" && c <= "9";
            if (
                i < 2
                    ? !letter
                    : i == 11
                        ? !digit
                        : !(letter || digit)
            ) return false;
        }
        return true;
    }
}
