import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { oracleBaseFixture, XLON, XMOS } from "./fixtures";
import { isoToDay, toDay, weekday } from "../../lib/core/dates";
import { BusinessCalendar } from "../../lib/oracle/calendar-model";
import { decodeHolidayBitmap } from "../../lib/oracle/admin";
import { calendarToBytes4 } from "../../lib/oracle/ids";
import { propertyRuns } from "../helpers/runs";

const d = isoToDay;

describe("HolidayCalendar", function () {
  /** XLON with its 2026–2028 bank holidays (2028 is a leap year). */
  async function calendarFixture() {
    const s = await loadFixture(oracleBaseFixture);
    const { calendar } = s;
    await calendar.configureCalendar(XLON, 0x60, "London Stock Exchange");
    await calendar.loadHolidays(XLON, 2026, ["2026-01-01", "2026-04-03", "2026-12-25", "2026-12-28"].map(d));
    await calendar.loadHolidays(XLON, 2027, ["2027-01-01", "2027-12-27", "2027-12-28"].map(d));
    await calendar.loadHolidays(XLON, 2028, ["2028-01-03", "2028-02-29", "2028-12-25", "2028-12-26"].map(d));
    return s;
  }

  describe("initialize", function () {
    it("cannot be initialised twice", async function () {
      const { calendar, actors } = await loadFixture(calendarFixture);
      await expect(calendar.initialize(actors.csd.address)).to.be.revertedWithCustomError(calendar, "InvalidInitialization");
    });
  });

  describe("configureCalendar", function () {
    it("creates a calendar with its weekend and lists it", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      expect(await calendar.calendarInfo(XLON)).to.deep.equal([true, 0x60n]);
      expect(await calendar.calendarIds()).to.deep.equal([XLON]);
    });

    it("emits CalendarConfigured", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.configureCalendar(XMOS, 0x60, "Moscow Exchange"))
        .to.emit(calendar, "CalendarConfigured")
        .withArgs(XMOS, 0x60, "Moscow Exchange");
    });

    it("changes the weekend without listing the calendar twice", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await calendar.configureCalendar(XLON, 0x30, "Friday–Saturday weekend");
      expect(await calendar.calendarInfo(XLON)).to.deep.equal([true, 0x30n]);
      expect(await calendar.calendarIds()).to.have.length(1);
    });

    it("refuses a malformed id", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.configureCalendar("0x786c6f6e", 0x60, ""))
        .to.be.revertedWithCustomError(calendar, "CalendarInvalidId")
        .withArgs("0x786c6f6e");
    });

    it("refuses a week without working days or bits above Sunday", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.configureCalendar(XMOS, 0x7f, ""))
        .to.be.revertedWithCustomError(calendar, "CalendarInvalidWeekend")
        .withArgs(0x7f);
      await expect(calendar.configureCalendar(XMOS, 0x80, ""))
        .to.be.revertedWithCustomError(calendar, "CalendarInvalidWeekend")
        .withArgs(0x80);
    });

    it("refuses a stranger", async function () {
      const { calendar, actors } = await loadFixture(calendarFixture);
      await expect(calendar.connect(actors.stranger).configureCalendar(XMOS, 0x60, ""))
        .to.be.revertedWithCustomError(calendar, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, await calendar.CALENDAR_ROLE());
    });
  });

  describe("loadHolidays", function () {
    it("emits HolidaysLoaded with the bitmap of the year", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      const days = ["2026-01-01", "2026-12-31"].map(d);
      await expect(calendar.loadHolidays(XLON, 2026, days))
        .to.emit(calendar, "HolidaysLoaded")
        .withArgs(XLON, 2026, 2, 1n, 1n << 108n, true);
      expect(decodeHolidayBitmap(toDay(2026, 1, 1), 1n, 1n << 108n)).to.deep.equal(days);
    });

    it("replaces the holidays of a year", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await calendar.loadHolidays(XLON, 2026, [d("2026-05-04")]);
      expect(await calendar.holidaysOf(XLON, 2026)).to.deep.equal([BigInt(d("2026-05-04"))]);
      expect(await calendar.isBusinessDay(XLON, d("2026-04-03"))).to.equal(true);
    });

    it("accepts the 366th day of a leap year", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await calendar.loadHolidays(XLON, 2028, [d("2028-12-29")]);
      expect(await calendar.isBusinessDay(XLON, d("2028-12-29"))).to.equal(false);
    });

    it("refuses a day outside the year", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.loadHolidays(XLON, 2026, [d("2027-01-01")]))
        .to.be.revertedWithCustomError(calendar, "CalendarHolidayOutsideYear")
        .withArgs(XLON, 2026, d("2027-01-01"));
    });

    it("refuses a day before the year", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.loadHolidays(XLON, 2027, [d("2026-12-31")]))
        .to.be.revertedWithCustomError(calendar, "CalendarHolidayOutsideYear")
        .withArgs(XLON, 2027, d("2026-12-31"));
    });

    it("refuses a year after 9999", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.loadHolidays(XLON, 10000, []))
        .to.be.revertedWithCustomError(calendar, "CalendarInvalidYear")
        .withArgs(10000);
    });

    it("refuses unsorted or repeated days", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.loadHolidays(XLON, 2026, [d("2026-05-04"), d("2026-05-04")]))
        .to.be.revertedWithCustomError(calendar, "CalendarHolidaysNotAscending")
        .withArgs(d("2026-05-04"), d("2026-05-04"));
    });

    it("refuses an unknown calendar and a year outside 1970..9999", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.loadHolidays(XMOS, 2026, []))
        .to.be.revertedWithCustomError(calendar, "CalendarUnknown")
        .withArgs(XMOS);
      await expect(calendar.loadHolidays(XLON, 1969, []))
        .to.be.revertedWithCustomError(calendar, "CalendarInvalidYear")
        .withArgs(1969);
    });

    it("refuses a stranger", async function () {
      const { calendar, actors } = await loadFixture(calendarFixture);
      await expect(calendar.connect(actors.stranger).loadHolidays(XLON, 2026, [])).to.be.revertedWithCustomError(
        calendar,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("isBusinessDay", function () {
    it("says no on weekends and holidays, yes otherwise", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      expect(await calendar.isBusinessDay(XLON, d("2026-04-03"))).to.equal(false); // Good Friday
      expect(await calendar.isBusinessDay(XLON, d("2026-04-04"))).to.equal(false); // Saturday
      expect(await calendar.isBusinessDay(XLON, d("2026-04-02"))).to.equal(true);
      expect(await calendar.isBusinessDay(XLON, d("2028-02-29"))).to.equal(false); // leap day holiday
      expect(await calendar.isBusinessDay(XLON, d("2028-02-28"))).to.equal(true);
    });

    it("reverts for a year never loaded", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.isBusinessDay(XLON, d("2029-01-02")))
        .to.be.revertedWithCustomError(calendar, "CalendarYearNotLoaded")
        .withArgs(XLON, 2029);
    });

    it("reverts for an unknown calendar", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.isBusinessDay(XMOS, d("2026-01-02")))
        .to.be.revertedWithCustomError(calendar, "CalendarUnknown")
        .withArgs(XMOS);
    });
  });

  describe("nextBusinessDay", function () {
    it("crosses a year end over Christmas, Boxing Day and New Year", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      // Thu 24 Dec 2026 → Fri 25 (holiday), weekend, Mon 28 (holiday) → Tue 29.
      expect(await calendar.nextBusinessDay(XLON, d("2026-12-24"))).to.equal(d("2026-12-29"));
      // Thu 31 Dec 2026 → Fri 1 Jan 2027 (holiday) → Mon 4 Jan 2027.
      expect(await calendar.nextBusinessDay(XLON, d("2026-12-31"))).to.equal(d("2027-01-04"));
    });

    it("crosses into a leap year and over a leap day", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      // Fri 31 Dec 2027 → Sat, Sun, Mon 3 Jan 2028 (holiday) → Tue 4 Jan 2028.
      expect(await calendar.nextBusinessDay(XLON, d("2027-12-31"))).to.equal(d("2028-01-04"));
      expect(await calendar.nextBusinessDay(XLON, d("2028-02-28"))).to.equal(d("2028-03-01"));
    });

    it("reverts when the search reaches a year never loaded", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.nextBusinessDay(XLON, d("2028-12-29")))
        .to.be.revertedWithCustomError(calendar, "CalendarYearNotLoaded")
        .withArgs(XLON, 2029);
    });
  });

  describe("addBusinessDays", function () {
    it("returns the day itself for n = 0", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      expect(await calendar.addBusinessDays(XLON, d("2026-04-04"), 0)).to.equal(d("2026-04-04"));
    });

    it("counts business days across a year end", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      // From Wed 23 Dec 2026: 24, 29, 30, 31 Dec, 4 Jan.
      expect(await calendar.addBusinessDays(XLON, d("2026-12-23"), 5)).to.equal(d("2027-01-04"));
    });

    it("agrees with the TypeScript model on random dates (property)", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      const model = new BusinessCalendar("XLON", 0x60);
      for (const y of [2026, 2027, 2028]) model.holidays.set(y, new Set((await calendar.holidaysOf(XLON, y)).map(Number)));
      const first = toDay(2026, 1, 1);
      const last = toDay(2028, 12, 1);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: first, max: last }), fc.integer({ min: 0, max: 15 }), async (day, n) => {
          expect(Number(await calendar.addBusinessDays(XLON, day, n))).to.equal(model.addBusinessDays(day, n));
          expect(await calendar.isBusinessDay(XLON, day)).to.equal(model.isBusinessDay(day));
          expect(weekday(model.nextBusinessDay(day))).to.be.lessThan(6);
        }),
        { numRuns: propertyRuns(40) },
      );
    });
  });

  describe("holidaysOf", function () {
    it("lists a year's holidays in order", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      expect((await calendar.holidaysOf(XLON, 2028)).map(Number)).to.deep.equal(
        ["2028-01-03", "2028-02-29", "2028-12-25", "2028-12-26"].map(d),
      );
    });

    it("reverts for a year never loaded", async function () {
      const { calendar } = await loadFixture(calendarFixture);
      await expect(calendar.holidaysOf(XLON, 2030)).to.be.revertedWithCustomError(calendar, "CalendarYearNotLoaded").withArgs(XLON, 2030);
      expect(await calendar.isYearLoaded(XLON, 2030)).to.equal(false);
      expect(await calendar.isYearLoaded(calendarToBytes4("XSHG"), 2026)).to.equal(false);
    });
  });
});
