/**
 * An in-memory business-day calendar with the same rules as `HolidayCalendar.sol`: weekend days by ISO
 * weekday, holidays per loaded year; a question about a year never loaded has no answer (undefined).
 */
import { toDate, weekday } from "../core/dates";
import type { CalendarSpec } from "./files";
import { weekendMask } from "./ids";

export class BusinessCalendar {
  readonly holidays = new Map<number, Set<number>>();

  constructor(
    readonly id: string,
    readonly mask: number,
  ) {}

  static fromSpec(spec: CalendarSpec): BusinessCalendar {
    const c = new BusinessCalendar(spec.id, weekendMask(spec.weekend));
    for (const [year, days] of spec.holidays) c.holidays.set(year, new Set(days));
    return c;
  }

  isWeekend(day: number): boolean {
    return ((this.mask >> (weekday(day) - 1)) & 1) === 1;
  }

  /** True on a business day, false on a weekend day or holiday, undefined when the year is not loaded. */
  isBusinessDay(day: number): boolean | undefined {
    if (this.isWeekend(day)) return false;
    const year = toDate(day).year;
    const h = this.holidays.get(year);
    if (!h) return undefined;
    return !h.has(day);
  }

  /** The first business day strictly after `day`; throws when a needed year is not loaded. */
  nextBusinessDay(day: number): number {
    let d = day + 1;
    for (;;) {
      const b = this.isBusinessDay(d);
      if (b === undefined) throw new Error(`calendar ${this.id} has no holidays loaded for ${toDate(d).year}`);
      if (b) return d;
      d++;
    }
  }

  /** `n` business days after `day` (n = 0 returns `day`). */
  addBusinessDays(day: number, n: number): number {
    let d = day;
    for (let i = 0; i < n; i++) d = this.nextBusinessDay(d);
    return d;
  }
}
