// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {IHolidayCalendar} from "../interfaces/IHolidayCalendar.sol";
import {DateLib} from "../libraries/DateLib.sol";

/**
 * @title HolidayCalendar
 * @notice Exchange business-day calendars: weekend days per calendar and a year of holidays per call.
 * See {IHolidayCalendar}.
 * @dev A year of holidays is a bitmap over the days of the year (0-based): word 0 holds days 0..255,
 * word 1 days 256..365 in bits 0..109 and the "loaded" flag in bit 255. Loading a year writes exactly two
 * slots whatever the number of holidays.
 */
contract HolidayCalendar is ConsortiumUpgradeable, IHolidayCalendar {
    /// @notice Calendar operators: create calendars, set weekends, load holidays.
    bytes32 public constant CALENDAR_ROLE = keccak256("CALENDAR_ROLE");

    /// @dev Bit of `weekendMask` storage marking a configured calendar (ISO weekdays use bits 0..6).
    uint8 private constant EXISTS = 0x80;
    uint256 private constant LOADED = 1 << 255;
    uint256 private constant MIN_YEAR = 1970;
    uint256 private constant MAX_YEAR = 9999;

    /// @custom:storage-location erc7201:csd.storage.HolidayCalendar
    struct CalendarStorage {
        mapping(bytes4 calendarId => uint8) weekendMask;
        mapping(bytes4 calendarId => mapping(uint256 year => uint256[2])) holidays;
        bytes4[] ids;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.HolidayCalendar")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xc9cf6c4ee6c7b2ee2dc80075ace8cfc1aeeb5c326c127167b5975f1af54bb700;

    function _s() private pure returns (CalendarStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin (DEFAULT_ADMIN_ROLE).
    function initialize(address admin) external initializer {
        __Consortium_init(admin);
    }

    /* CALENDAR OPERATORS */

    /// @inheritdoc IHolidayCalendar
    function configureCalendar(
        bytes4 calendarId,
        uint8 weekendMask,
        string calldata name
    ) external onlyRole(CALENDAR_ROLE) {
        if (!_isValidId(calendarId)) revert CalendarInvalidId(calendarId);
        if (weekendMask >= 0x7f) revert CalendarInvalidWeekend(weekendMask);
        CalendarStorage storage $ = _s();
        if ($.weekendMask[calendarId] == 0) $.ids.push(calendarId);
        $.weekendMask[calendarId] = weekendMask | EXISTS;
        emit CalendarConfigured(calendarId, weekendMask, name);
    }

    /// @inheritdoc IHolidayCalendar
    function loadHolidays(bytes4 calendarId, uint16 year, uint32[] calldata holidays) external onlyRole(CALENDAR_ROLE) {
        CalendarStorage storage $ = _s();
        if ($.weekendMask[calendarId] == 0) revert CalendarUnknown(calendarId);
        if (year < MIN_YEAR || year > MAX_YEAR) revert CalendarInvalidYear(year);
        uint256 first = DateLib.toDay(year, 1, 1);
        uint256 length = DateLib.isLeapYear(year) ? 366 : 365;
        uint256 w0;
        uint256 w1 = LOADED;
        uint256 previous;
        for (uint256 i = 0; i < holidays.length; ++i) {
            uint256 day = holidays[i];
            if (day < first || day >= first + length) revert CalendarHolidayOutsideYear(calendarId, year, uint32(day));
            if (i > 0 && day <= previous) revert CalendarHolidaysNotAscending(uint32(previous), uint32(day));
            previous = day;
            // first <= day < first + 366, so doy < 366.
            uint256 doy = day - first;
            if (doy < 256) w0 |= 1 << doy;
            else w1 |= 1 << (doy - 256);
        }
        uint256[2] storage words = $.holidays[calendarId][year];
        bool replaced = words[1] & LOADED != 0;
        words[0] = w0;
        words[1] = w1;
        emit HolidaysLoaded(calendarId, year, holidays.length, w0, w1 & ~LOADED, replaced);
    }

    /* READS */

    /// @inheritdoc IHolidayCalendar
    function isBusinessDay(bytes4 calendarId, uint256 day) external view returns (bool) {
        return _isBusinessDay(_mask(calendarId), calendarId, day);
    }

    /// @inheritdoc IHolidayCalendar
    function nextBusinessDay(bytes4 calendarId, uint256 day) external view returns (uint256 next) {
        uint8 mask = _mask(calendarId);
        next = day + 1;
        while (!_isBusinessDay(mask, calendarId, next)) ++next;
    }

    /// @inheritdoc IHolidayCalendar
    function addBusinessDays(bytes4 calendarId, uint256 day, uint256 n) external view returns (uint256 result) {
        uint8 mask = _mask(calendarId);
        result = day;
        for (uint256 i = 0; i < n; ++i) {
            ++result;
            while (!_isBusinessDay(mask, calendarId, result)) ++result;
        }
    }

    /// @inheritdoc IHolidayCalendar
    function calendarInfo(bytes4 calendarId) external view returns (bool exists, uint8 weekendMask) {
        uint8 m = _s().weekendMask[calendarId];
        return (m != 0, m & ~EXISTS);
    }

    /// @inheritdoc IHolidayCalendar
    function isYearLoaded(bytes4 calendarId, uint256 year) external view returns (bool) {
        return _s().holidays[calendarId][year][1] & LOADED != 0;
    }

    /// @inheritdoc IHolidayCalendar
    function holidaysOf(bytes4 calendarId, uint256 year) external view returns (uint32[] memory holidays) {
        _mask(calendarId);
        uint256[2] memory words = _s().holidays[calendarId][year];
        if (words[1] & LOADED == 0) revert CalendarYearNotLoaded(calendarId, year);
        uint256 first = DateLib.toDay(year, 1, 1);
        uint32[] memory buffer = new uint32[](366);
        uint256 count;
        for (uint256 doy = 0; doy < 366; ++doy) {
            bool set = doy < 256 ? (words[0] >> doy) & 1 == 1 : (words[1] >> (doy - 256)) & 1 == 1;
            if (set) buffer[count++] = uint32(first + doy);
        }
        assembly {
            mstore(buffer, count)
        }
        return buffer;
    }

    /// @inheritdoc IHolidayCalendar
    function calendarIds() external view returns (bytes4[] memory ids) {
        return _s().ids;
    }

    /* INTERNALS */

    function _mask(bytes4 calendarId) private view returns (uint8 mask) {
        mask = _s().weekendMask[calendarId];
        if (mask == 0) revert CalendarUnknown(calendarId);
    }

    function _isBusinessDay(uint8 mask, bytes4 calendarId, uint256 day) private view returns (bool) {
        // weekday is 1..7, so the shift is 0..6.
        if ((mask >> (DateLib.weekday(day) - 1)) & 1 == 1) return false;
        (uint256 year, , ) = DateLib.toDate(day);
        uint256[2] storage words = _s().holidays[calendarId][year];
        uint256 w1 = words[1];
        if (w1 & LOADED == 0) revert CalendarYearNotLoaded(calendarId, year);
        uint256 doy = day - DateLib.toDay(year, 1, 1);
        return doy < 256 ? (words[0] >> doy) & 1 == 0 : (w1 >> (doy - 256)) & 1 == 0;
    }

    /// @dev Four upper-case letters or digits.
    function _isValidId(bytes4 calendarId) private pure returns (bool) {
        for (uint256 i = 0; i < 4; ++i) {
            bytes1 c = calendarId[i];
            if (!((c >= "A" && c <= "Z") || (c >= "0" && c <= "9"))) return false;
        }
        return true;
    }
}
