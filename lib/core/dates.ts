/**
 * Civil dates and day numbers, the TypeScript twin of `contracts/libraries/DateLib.sol`.
 * A day number counts days since 1970-01-01 (day 0). ISO strings are `YYYY-MM-DD`.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Day number of a civil date (Hinnant's days_from_civil); throws on impossible dates. */
export function toDay(year: number, month: number, day: number): number {
  if (!Number.isInteger(year) || year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new Error(`invalid date ${year}-${month}-${day}`);
  }
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a day number. */
export function toDate(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Day number of an ISO date string; throws with the offending text on malformed input. */
export function isoToDay(iso: string): number {
  const m = ISO.exec(iso.trim());
  if (!m) throw new Error(`not an ISO date (YYYY-MM-DD): "${iso}"`);
  return toDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** ISO string of a day number. */
export function dayToIso(dayNumber: number): string {
  const { year, month, day } = toDate(dayNumber);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function weekday(dayNumber: number): number {
  return ((dayNumber + 3) % 7) + 1;
}

/** Day number of a UNIX timestamp in seconds (UTC). */
export function dayOfTimestamp(seconds: number | bigint): number {
  return Number(BigInt(seconds) / 86400n);
}
