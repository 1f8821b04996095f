// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/**
 * @title IHolidayCalendar
 * @notice Business-day calendars of exchanges, keyed by their MIC as `bytes4` ASCII ("XMOS", "XLON",
 * "XSHG"). A calendar has weekend days (a bit mask over ISO weekdays) and, per year, a list of holidays
 * loaded in one call. Dates are day numbers since 1970-01-01 (see DateLib).
 * @dev Holidays are stored as a bitmap of the days of the year in two slots per (calendar, year); the
 * second slot's top bit marks the year as loaded. Questions about a year that was never loaded revert
 * with {CalendarYearNotLoaded}: a missing year is an operational error, never silently "no holidays".
 * A weekend day is never a business day even if the holiday list omits it; a holiday on a weekend is
 * accepted and changes nothing. Working weekends (a Saturday made a business day) are not modelled.
 */
interface IHolidayCalendar {
    /* EVENTS */

    /// @notice Emitted when a calendar is created or its weekend days change.
    /// @param calendarId MIC of the exchange.
    /// @param weekendMask Bit i-1 set when ISO weekday i (1 = Monday … 7 = Sunday) is a weekend day.
    /// @param name Human name of the calendar.
    event CalendarConfigured(bytes4 indexed calendarId, uint8 weekendMask, string name);
    /// @notice Emitted when a year of holidays is loaded (replacing any earlier list for that year).
    /// @dev The holidays are given as the stored bitmap over the days of the year (bit d = day d of the
    /// year, 0 = 1 January): bits 0..255 in `daysLow`, bits 256..365 in bits 0..109 of `daysHigh`.
    /// Emitting two words instead of the list keeps a year's load within its gas budget; the list is
    /// `[first + d for every set bit d]` (lib/oracle/admin.ts `decodeHolidayBitmap`).
    /// @param calendarId MIC of the exchange.
    /// @param year Civil year.
    /// @param count Number of holidays.
    /// @param daysLow Bitmap of days 0..255 of the year.
    /// @param daysHigh Bitmap of days 256..365 of the year (bits 0..109).
    /// @param replaced True when the year had been loaded before.
    event HolidaysLoaded(
        bytes4 indexed calendarId,
        uint16 indexed year,
        uint256 count,
        uint256 daysLow,
        uint256 daysHigh,
        bool replaced
    );

    /* ERRORS */

    /// @notice Thrown when a calendar id is not four upper-case letters or digits.
    error CalendarInvalidId(bytes4 calendarId);
    /// @notice Thrown when a weekend mask uses bits above ISO weekday 7 or makes every day a weekend day.
    error CalendarInvalidWeekend(uint8 weekendMask);
    /// @notice Thrown when no calendar has this id.
    error CalendarUnknown(bytes4 calendarId);
    /// @notice Thrown when a year lies outside 1970..9999.
    error CalendarInvalidYear(uint256 year);
    /// @notice Thrown when a holiday's day number is not inside the year being loaded.
    error CalendarHolidayOutsideYear(bytes4 calendarId, uint16 year, uint32 day);
    /// @notice Thrown when holidays are not strictly ascending (unsorted or duplicated).
    error CalendarHolidaysNotAscending(uint32 previous, uint32 day);
    /// @notice Thrown when a question needs a year whose holidays were never loaded.
    error CalendarYearNotLoaded(bytes4 calendarId, uint256 year);

    /* WRITES */

    /**
     * @notice Creates a calendar or changes its weekend days.
     * @dev Requires CALENDAR_ROLE; a valid id; a mask within bits 0..6 that leaves a working day.
     * Emits {CalendarConfigured}.
     * @param calendarId MIC, e.g. "XLON".
     * @param weekendMask Bit i-1 set when ISO weekday i is a weekend day (Saturday + Sunday = 0x60).
     * @param name Human name, e.g. "London Stock Exchange".
     */
    function configureCalendar(bytes4 calendarId, uint8 weekendMask, string calldata name) external;

    /**
     * @notice Loads the holidays of one year, replacing any earlier list for that year.
     * @dev Requires CALENDAR_ROLE; a known calendar; every day inside `year`, strictly ascending.
     * Emits {HolidaysLoaded}.
     * @param calendarId MIC.
     * @param year Civil year, 1970..9999.
     * @param holidays Day numbers of the holidays, ascending (may be empty).
     */
    function loadHolidays(bytes4 calendarId, uint16 year, uint32[] calldata holidays) external;

    /* READS */

    /**
     * @notice True when `day` is neither a weekend day nor a holiday of the calendar.
     * @dev Reverts with {CalendarUnknown} or {CalendarYearNotLoaded}.
     * @param calendarId MIC.
     * @param day Day number.
     * @return True on a business day.
     */
    function isBusinessDay(bytes4 calendarId, uint256 day) external view returns (bool);

    /**
     * @notice The first business day strictly after `day`.
     * @dev Reverts with {CalendarUnknown} or {CalendarYearNotLoaded} (also for the next year when
     * the search crosses a year end).
     * @param calendarId MIC.
     * @param day Day number.
     * @return next Day number of the next business day.
     */
    function nextBusinessDay(bytes4 calendarId, uint256 day) external view returns (uint256 next);

    /**
     * @notice The day `n` business days after `day` (each step moves to the next business day);
     * `n` = 0 returns `day` unchanged.
     * @dev Reverts like {nextBusinessDay}.
     * @param calendarId MIC.
     * @param day Day number to start from (need not be a business day).
     * @param n Number of business days to add.
     * @return result Day number reached.
     */
    function addBusinessDays(bytes4 calendarId, uint256 day, uint256 n) external view returns (uint256 result);

    /**
     * @notice Whether the calendar exists and its weekend mask.
     * @param calendarId MIC.
     * @return exists True when configured.
     * @return weekendMask Weekend mask (see {configureCalendar}).
     */
    function calendarInfo(bytes4 calendarId) external view returns (bool exists, uint8 weekendMask);

    /**
     * @notice Whether the holidays of `year` are loaded for the calendar.
     * @param calendarId MIC.
     * @param year Civil year.
     * @return True when loaded.
     */
    function isYearLoaded(bytes4 calendarId, uint256 year) external view returns (bool);

    /**
     * @notice The holidays loaded for a year, ascending.
     * @dev Reverts with {CalendarYearNotLoaded} when the year was never loaded.
     * @param calendarId MIC.
     * @param year Civil year.
     * @return holidays Day numbers.
     */
    function holidaysOf(bytes4 calendarId, uint256 year) external view returns (uint32[] memory holidays);

    /**
     * @notice Ids of every configured calendar, in creation order.
     * @return ids MICs.
     */
    function calendarIds() external view returns (bytes4[] memory ids);
}
