// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/**
 * @title IPriceOracle
 * @notice Clean prices of securities and FX rates per business date, pushed in batches by oracle
 * operators and read by the repo and pledge books.
 *
 * Units (the one oracle scale of csd-ledger):
 * - a security price is the clean price of ONE unit of the security in the asset's currency, 18 decimals
 *   (a bond with 1,000 RUB face quoted at 98.5 % is 985e18);
 * - an FX rate for the pair (base, quote) is the number of units of `quote` for one unit of `base`,
 *   18 decimals (CNY/RUB 11.02 is 11.02e18);
 * - business dates are day numbers since 1970-01-01 (see DateLib).
 *
 * Feeds: every price series is a feed keyed by a `bytes12` id. A security's feed id is its ISIN in ASCII;
 * an FX pair's feed id is `base ‖ quote ‖ 0x000000000000` (see {fxFeedId}). An ISIN never contains a
 * zero byte, so the two namespaces cannot collide.
 *
 * Storage choice: the oracle keeps only the LATEST accepted value per feed, packed with the feed's
 * guard-rail parameters in one storage slot, plus at most one quarantined value per feed. The full
 * history lives in events ({PriceAccepted}, {PriceQuarantined}, {PriceConfirmed}, {PriceRejected},
 * {PriceRefused}), each carrying every input, so an auditor rebuilds it from logs.
 *
 * Reading rule: {priceAt}(feed, D) answers with the latest accepted value if its date is on or before D
 * and no more than `maxAgeDays` before D; otherwise it reverts ({OracleNoPriceForDate} when the latest
 * value is newer than D or missing, {OracleStalePrice} when it is too old). {latestPrice} applies the
 * same age rule against today (the block's UTC day).
 *
 * Guard rails on a push:
 * - revert the whole batch (custom error, nothing stored): caller without ORACLE_ROLE, empty batch,
 *   unknown feed, zero value, value above 2^128-1, date after today, date on or before the last closed
 *   date of the feed's calendar ({OracleDateClosed}), date that is not a business day of the feed's
 *   calendar ({OracleNotBusinessDay}, or the calendar's own error for an unknown calendar or a year not
 *   loaded);
 * - refuse one item and go on ({PriceRefused}): date before the latest accepted date, or the same date
 *   with a different value; the same date with the same value is skipped silently (a retried push is
 *   harmless, even after the date was closed);
 * - quarantine one item ({PriceQuarantined}): a move from the latest accepted value larger than the
 *   feed's maximum deviation. It becomes readable only when a second, different operator confirms it
 *   ({confirmPrice}); an oracle admin may reject it ({rejectPrice}).
 * Since dates strictly increase per feed, only business days are accepted and every unconfirmed value is
 * compared with the latest accepted one, no sequence of one operator's pushes moves a readable value by
 * more than the feed's maximum deviation per business day.
 *
 * Close of business: once a business date's prices and FX rates are in, an operator closes it for an
 * exchange calendar ({closeBusinessDate}). Closing is refused while a value of a feed of that calendar
 * dated that day waits in quarantine; afterwards nothing dated on or before it can be pushed or
 * confirmed for the calendar's feeds, so {closedPriceAt} and {closedFxRate} for a closed date answer
 * with the data as of that date's close, whenever they are asked.
 */
interface IPriceOracle {
    /// @notice What a feed prices.
    enum FeedKind {
        None,
        Security,
        FxPair
    }

    /// @notice One value of a batch push.
    /// @param feedId ISIN as bytes12, or {fxFeedId} of an FX pair.
    /// @param date Business date (day number) the value is for.
    /// @param price Clean price or FX rate, 18 decimals.
    struct PriceInput {
        bytes12 feedId;
        uint32 date;
        uint256 price;
    }

    /// @notice Everything the oracle knows about a feed (no staleness check; for tools and displays).
    /// @param kind Security, FxPair or None when the feed is unknown.
    /// @param currency Asset currency (securities) or quote currency (FX pairs), ISO 4217 ASCII.
    /// @param baseCurrency Base currency of an FX pair; zero for securities.
    /// @param calendarId Holiday calendar (MIC) the feed's business dates follow.
    /// @param maxDeviationWad Largest accepted day-over-day move, WAD (1e18 = 100 %).
    /// @param maxAgeDays Largest age, in days, at which a value may still be read.
    /// @param price Latest accepted value (0 when none yet).
    /// @param date Its business date (0 when none yet).
    /// @param pendingPrice Quarantined value awaiting confirmation (0 when none).
    /// @param pendingDate Its business date.
    /// @param pendingOperator Operator who pushed the quarantined value.
    struct FeedInfo {
        FeedKind kind;
        bytes3 currency;
        bytes3 baseCurrency;
        bytes4 calendarId;
        uint64 maxDeviationWad;
        uint16 maxAgeDays;
        uint256 price;
        uint32 date;
        uint256 pendingPrice;
        uint32 pendingDate;
        address pendingOperator;
    }

    /* EVENTS */

    /// @notice Emitted when a security is registered or its parameters change.
    /// @param feedId The ISIN as bytes12.
    /// @param currency Currency of its prices.
    /// @param calendarId Calendar of its business dates.
    /// @param maxDeviationWad Maximum day-over-day move before quarantine, WAD.
    /// @param maxAgeDays Maximum age of a readable price, days.
    event AssetConfigured(
        bytes12 indexed feedId,
        bytes3 currency,
        bytes4 calendarId,
        uint64 maxDeviationWad,
        uint16 maxAgeDays
    );
    /// @notice Emitted when an FX pair is registered or its parameters change.
    /// @param feedId {fxFeedId} of the pair.
    /// @param base Base currency.
    /// @param quote Quote currency.
    /// @param calendarId Calendar of its business dates.
    /// @param maxDeviationWad Maximum day-over-day move before quarantine, WAD.
    /// @param maxAgeDays Maximum age of a readable rate, days.
    event FxPairConfigured(
        bytes12 indexed feedId,
        bytes3 base,
        bytes3 quote,
        bytes4 calendarId,
        uint64 maxDeviationWad,
        uint16 maxAgeDays
    );
    /// @notice Emitted when a pushed value becomes the feed's latest value.
    /// @param feedId Feed.
    /// @param date Business date of the value.
    /// @param price The value, 18 decimals.
    /// @param operator Operator who pushed it.
    event PriceAccepted(bytes12 indexed feedId, uint32 date, uint256 price, address operator);
    /// @notice Emitted when a pushed value moves more than the feed's maximum deviation and waits for a
    /// second operator.
    /// @param feedId Feed.
    /// @param date Business date of the value.
    /// @param price The quarantined value.
    /// @param previousPrice Latest accepted value it was compared with.
    /// @param previousDate Date of that value.
    /// @param deviationWad Relative move |price − previous| / previous, WAD, rounded down.
    /// @param operator Operator who pushed it.
    event PriceQuarantined(
        bytes12 indexed feedId,
        uint32 date,
        uint256 price,
        uint256 previousPrice,
        uint32 previousDate,
        uint256 deviationWad,
        address operator
    );
    /// @notice Emitted when a second operator confirms a quarantined value, which becomes the latest.
    /// @param feedId Feed.
    /// @param date Business date of the value.
    /// @param price The value.
    /// @param pushedBy Operator who pushed it.
    /// @param confirmedBy Operator who confirmed it.
    event PriceConfirmed(bytes12 indexed feedId, uint32 date, uint256 price, address pushedBy, address confirmedBy);
    /// @notice Emitted when an oracle admin discards a quarantined value.
    /// @param feedId Feed.
    /// @param date Business date of the value.
    /// @param price The discarded value.
    /// @param pushedBy Operator who pushed it.
    /// @param rejectedBy Admin who rejected it.
    /// @param reason Short reason code.
    event PriceRejected(
        bytes12 indexed feedId,
        uint32 date,
        uint256 price,
        address pushedBy,
        address rejectedBy,
        bytes32 reason
    );
    /// @notice Emitted when oracle operators close a business date for an exchange calendar.
    /// @param calendarId Calendar (MIC) closed.
    /// @param date Business date closed (day number).
    /// @param operator Operator who closed it.
    event BusinessDateClosed(bytes4 indexed calendarId, uint32 date, address operator);
    /// @notice Emitted when the holiday calendar the oracle checks business days against is set.
    /// @param calendar HolidayCalendar contract.
    event HolidayCalendarSet(address calendar);
    /// @notice Emitted when one item of a batch is refused because the feed already holds a value for a
    /// later date, or a different value for the same date. The rest of the batch goes on.
    /// @param feedId Feed.
    /// @param date Business date of the refused value.
    /// @param price The refused value.
    /// @param latestDate Date of the latest accepted value.
    /// @param latestPrice Latest accepted value.
    /// @param operator Operator who pushed it.
    event PriceRefused(
        bytes12 indexed feedId,
        uint32 date,
        uint256 price,
        uint32 latestDate,
        uint256 latestPrice,
        address operator
    );

    /* ERRORS */

    /// @notice Thrown when a feed id is not a registered security or FX pair.
    error OracleUnknownFeed(bytes12 feedId);
    /// @notice Thrown when an ISIN is not 2 letters, 9 letters or digits and a digit.
    error OracleInvalidIsin(bytes12 isin);
    /// @notice Thrown when a currency code is not three upper-case letters, or a pair has twice the same.
    error OracleInvalidCurrency(bytes3 currency);
    /// @notice Thrown when a maximum deviation is zero or not a whole multiple of 1e-9 (1e9 in WAD), or a
    /// maximum age is zero.
    error OracleInvalidGuardRail(uint64 maxDeviationWad, uint16 maxAgeDays);
    /// @notice Thrown when a batch holds no item.
    error OracleEmptyBatch();
    /// @notice Thrown when a pushed value is zero.
    error OracleZeroPrice(bytes12 feedId, uint32 date);
    /// @notice Thrown when a pushed value does not fit the 128-bit storage.
    error OraclePriceTooLarge(bytes12 feedId, uint32 date, uint256 price);
    /// @notice Thrown when a date lies after today (UTC day of the block).
    error OracleFutureDate(bytes12 feedId, uint256 date, uint256 today);
    /// @notice Thrown when a reader asks for a feed that has no readable value for `date`.
    error OracleNoPriceForDate(bytes12 feedId, uint256 date, uint32 latestDate);
    /// @notice Thrown when the value a reader would get is older than the feed's maximum age.
    error OracleStalePrice(bytes12 feedId, uint32 priceDate, uint256 asOf, uint16 maxAgeDays);
    /// @notice Thrown when no quarantined value matches the one to confirm or reject.
    error OracleNoPendingPrice(bytes12 feedId, uint32 date, uint256 price);
    /// @notice Thrown when the operator who pushed a quarantined value tries to confirm it.
    error OracleSameOperator(bytes12 feedId, address operator);
    /// @notice Thrown when a quarantined value is not newer than the feed's latest accepted value.
    error OraclePendingSuperseded(bytes12 feedId, uint32 pendingDate, uint32 latestDate);

    /// @notice Thrown when a reader asks for a closed value of a date not yet closed for the feed's calendar.
    error OracleDateNotClosed(bytes4 calendarId, uint256 date, uint32 lastClosed);
    /// @notice Thrown when a push, a confirmation or a close is dated on or before the calendar's last
    /// closed date.
    error OracleDateClosed(bytes4 calendarId, uint256 date, uint32 lastClosed);
    /// @notice Thrown when a push or a close is dated on a weekend day or holiday of the calendar.
    error OracleNotBusinessDay(bytes4 calendarId, uint256 date);
    /// @notice Thrown when closing a date while values of that calendar dated that day wait in quarantine.
    error OracleQuarantinePending(bytes4 calendarId, uint32 date, uint256 pending);
    /// @notice Thrown when a push or a close needs the holiday calendar and none is set.
    error OracleCalendarNotSet();
    /// @notice Thrown when the holiday calendar to set is not a contract.
    error OracleInvalidHolidayCalendar(address calendar);
    /// @notice Thrown when closing a date after today (UTC day of the block).
    error OracleCloseInFuture(bytes4 calendarId, uint256 date, uint256 today);

    /* WRITES */

    /**
     * @notice Registers a security (or updates its parameters) so that its prices may be pushed.
     * @dev Requires ORACLE_ADMIN_ROLE; a valid ISIN shape; a three-letter currency; non-zero guard rails.
     * The latest price, if any, is kept. Emits {AssetConfigured}.
     * @param isin The ISIN as bytes12 ASCII.
     * @param currency ISO 4217 currency of the prices.
     * @param calendarId Calendar (MIC) of the security's business dates; prices are accepted only for its
     * business days, so a feed of an unknown calendar takes no push.
     * @param maxDeviationWad Largest day-over-day move accepted without quarantine, WAD.
     * @param maxAgeDays Largest age of a readable price, days.
     */
    function configureAsset(
        bytes12 isin,
        bytes3 currency,
        bytes4 calendarId,
        uint64 maxDeviationWad,
        uint16 maxAgeDays
    ) external;

    /**
     * @notice Registers an FX pair (or updates its parameters) so that its rates may be pushed.
     * @dev Requires ORACLE_ADMIN_ROLE; two different three-letter currencies; non-zero guard rails.
     * Emits {FxPairConfigured}.
     * @param base Base currency.
     * @param quote Quote currency.
     * @param calendarId Calendar of the pair's business dates (as for a security).
     * @param maxDeviationWad Largest day-over-day move accepted without quarantine, WAD.
     * @param maxAgeDays Largest age of a readable rate, days.
     */
    function configureFxPair(
        bytes3 base,
        bytes3 quote,
        bytes4 calendarId,
        uint64 maxDeviationWad,
        uint16 maxAgeDays
    ) external;

    /**
     * @notice Pushes a batch of prices and FX rates.
     * @dev Requires ORACLE_ROLE. Reverts the whole batch on an empty batch, an unknown feed, a zero or too
     * large value, a future date, a date on or before the last closed date of the feed's calendar or a date
     * that is not a business day of it. Per item, emits {PriceAccepted}, {PriceQuarantined} or {PriceRefused}
     * (see the contract notice); a repeat of the latest value is skipped without an event.
     * @param items The values; feeds and dates may be mixed, a feed's items must come in date order.
     * @return accepted Number of items that became latest values.
     * @return quarantined Number of items quarantined.
     */
    function pushPrices(PriceInput[] calldata items) external returns (uint256 accepted, uint256 quarantined);

    /**
     * @notice Confirms a quarantined value, which becomes the feed's latest value.
     * @dev Requires ORACLE_ROLE and a caller other than the operator who pushed it; the quarantined value
     * must match `date` and `price`, be newer than the latest accepted value and dated after the last closed
     * date of the feed's calendar. Emits {PriceConfirmed}.
     * @param feedId Feed.
     * @param date Business date of the quarantined value.
     * @param price The quarantined value (guards against confirming something else).
     */
    function confirmPrice(bytes12 feedId, uint32 date, uint256 price) external;

    /**
     * @notice Discards a quarantined value.
     * @dev Requires ORACLE_ADMIN_ROLE; the quarantined value must match `date` and `price`.
     * Emits {PriceRejected}.
     * @param feedId Feed.
     * @param date Business date of the quarantined value.
     * @param price The quarantined value.
     * @param reason Short reason code.
     */
    function rejectPrice(bytes12 feedId, uint32 date, uint256 price, bytes32 reason) external;

    /**
     * @notice Closes business date `date` for the feeds of calendar `calendarId`.
     * @dev Requires ORACLE_ROLE. `date` must be a business day of the calendar ({OracleNotBusinessDay} or
     * the calendar's error), not after today ({OracleCloseInFuture}), after the last closed date
     * ({OracleDateClosed}), with no quarantined value of a feed of that calendar dated `date`
     * ({OracleQuarantinePending}). Afterwards nothing dated on or before `date` can be pushed or confirmed
     * for that calendar's feeds. Emits {BusinessDateClosed}.
     * @param calendarId Calendar (MIC).
     * @param date Business date to close.
     */
    function closeBusinessDate(bytes4 calendarId, uint32 date) external;

    /**
     * @notice Sets the HolidayCalendar the oracle checks business days against.
     * @dev Requires ORACLE_ADMIN_ROLE; `calendar` must be a contract. Emits {HolidayCalendarSet}.
     * @param calendar HolidayCalendar contract.
     */
    function setHolidayCalendar(address calendar) external;

    /* READS */

    /**
     * @notice Last closed date of a calendar (0 = never closed). Closes are monotonic.
     * @param calendarId Calendar (MIC).
     * @return date Last closed business date.
     */
    function lastClosedDate(bytes4 calendarId) external view returns (uint32 date);

    /**
     * @notice Number of quarantined values of feeds of `calendarId` dated `date` (closing waits for zero).
     * @param calendarId Calendar (MIC).
     * @param date Business date.
     * @return count Quarantined values waiting for confirmation or rejection.
     */
    function quarantinedCount(bytes4 calendarId, uint32 date) external view returns (uint256 count);

    /**
     * @notice The HolidayCalendar the oracle checks business days against (zero when not set).
     * @return calendar HolidayCalendar contract.
     */
    function holidayCalendar() external view returns (address calendar);

    /**
     * @notice The price of `feedId` for `date` as recorded at `date`'s close of the feed's calendar.
     * @dev Reverts {OracleDateNotClosed} if `date` is after that calendar's last closed date; otherwise as
     * {priceAt}: the newest value dated on or before `date` within the maximum age ({OracleNoPriceForDate}
     * when the newest value is dated after `date`, {OracleStalePrice} when too old). Never answers with a
     * value dated after `date`.
     * @param feedId Feed.
     * @param date Business date asked for.
     * @return price Clean price, 18 decimals.
     * @return priceDate Business date of that price (≤ date).
     */
    function closedPriceAt(bytes12 feedId, uint256 date) external view returns (uint256 price, uint32 priceDate);

    /**
     * @notice Units of `quote` per unit of `base` for `date` as recorded at `date`'s close of the pair's
     * calendar; direct pair or inverse as {fxRate}, with the rule of {closedPriceAt}.
     * @param base Base currency.
     * @param quote Quote currency.
     * @param date Business date asked for.
     * @return rate Units of quote per unit of base, 18 decimals.
     * @return rateDate Business date of the rate used.
     */
    function closedFxRate(
        bytes3 base,
        bytes3 quote,
        uint256 date
    ) external view returns (uint256 rate, uint32 rateDate);

    /**
     * @notice The price of a security (or any feed) for business date `date`.
     * @dev Answers with the latest accepted value when its date is on or before `date` and at most
     * `maxAgeDays` earlier. Reverts with {OracleUnknownFeed}, {OracleNoPriceForDate} or {OracleStalePrice}.
     * @param feedId Feed (ISIN as bytes12).
     * @param date Business date asked for (day number).
     * @return price Clean price, 18 decimals.
     * @return priceDate Business date of that price (≤ date).
     */
    function priceAt(bytes12 feedId, uint256 date) external view returns (uint256 price, uint32 priceDate);

    /**
     * @notice The latest accepted price of a feed and its date, if not older than the maximum age today.
     * @dev Reverts with {OracleUnknownFeed}, {OracleNoPriceForDate} (none yet) or {OracleStalePrice}.
     * @param feedId Feed.
     * @return price Latest value, 18 decimals.
     * @return date Its business date.
     */
    function latestPrice(bytes12 feedId) external view returns (uint256 price, uint32 date);

    /**
     * @notice Units of `quote` per unit of `base` for business date `date`, 18 decimals.
     * @dev Same rule as {priceAt}. Equal currencies give 1e18. When only the pair (quote, base) is
     * registered its rate is inverted, rounded down (1e36 / rate).
     * @param base Base currency.
     * @param quote Quote currency.
     * @param date Business date asked for.
     * @return rate Units of quote per unit of base, 18 decimals.
     * @return rateDate Business date of the rate used.
     */
    function fxRate(bytes3 base, bytes3 quote, uint256 date) external view returns (uint256 rate, uint32 rateDate);

    /**
     * @notice Full state of a feed without any staleness check.
     * @param feedId Feed.
     * @return info See {FeedInfo}; `kind` is None for an unknown feed.
     */
    function feedInfo(bytes12 feedId) external view returns (FeedInfo memory info);

    /**
     * @notice Latest accepted value and date of a feed without any staleness check (zeros when none).
     * @param feedId Feed.
     * @return price Latest value.
     * @return date Its date.
     */
    function latestRaw(bytes12 feedId) external view returns (uint256 price, uint32 date);

    /**
     * @notice Currency of a security's prices (quote currency for an FX pair); zero when unknown.
     * @param feedId Feed.
     * @return currency ISO 4217 ASCII.
     */
    function currencyOf(bytes12 feedId) external view returns (bytes3 currency);

    /**
     * @notice Calendar (MIC) of a feed's business dates; zero when none or unknown.
     * @param feedId Feed.
     * @return calendarId bytes4 MIC, e.g. "XMOS".
     */
    function calendarOf(bytes12 feedId) external view returns (bytes4 calendarId);

    /**
     * @notice Feed id of an FX pair: `base ‖ quote` followed by six zero bytes.
     * @param base Base currency.
     * @param quote Quote currency.
     * @return feedId The pair's feed id.
     */
    function fxFeedId(bytes3 base, bytes3 quote) external pure returns (bytes12 feedId);
}
