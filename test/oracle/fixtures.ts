import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { suiteFixture, Suite } from "../helpers/suite";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { assetFeedId, calendarToBytes4, currencyToBytes3, fxFeedId } from "../../lib/oracle/ids";
import { toDate, weekday } from "../../lib/core/dates";

export const WAD = 10n ** 18n;
export const BOND = "RU000A0JX0J2";
export const EQUITY = "GB0002634946";
export const BOND_ID = assetFeedId(BOND);
export const EQUITY_ID = assetFeedId(EQUITY);
export const RUB = currencyToBytes3("RUB");
export const GBP = currencyToBytes3("GBP");
export const CNY = currencyToBytes3("CNY");
export const GBPRUB = fxFeedId("GBP", "RUB");
export const XMOS = calendarToBytes4("XMOS");
export const XLON = calendarToBytes4("XLON");

export interface OracleSuite extends Suite {
  oracle: PriceOracle;
  calendar: HolidayCalendar;
  /** A Friday: today − 1 … today − 4 are Thursday … Monday, today − 7 the Friday before. */
  today: number;
  /** Deployment files of this suite (point DEPLOYMENTS_DIR here before running a task). */
  deploymentsDir: string;
}

/** Saturday–Sunday weekends. */
export const WEEKEND_SAT_SUN = 0x60;

/** Moves the chain to noon UTC of the next Friday (today's if it is a Friday before noon) and returns its day. */
export async function moveToFriday(): Promise<number> {
  const now = await time.latest();
  let day = Math.floor(now / 86400);
  while (weekday(day) !== 5 || day * 86400 + 43200 <= now) day++;
  await time.increaseTo(day * 86400 + 43200);
  return day;
}

/**
 * The suite with oracle1 and oracle2 as oracle operators, a bond (5 % max move), an equity (15 %), GBP/RUB,
 * and no calendar configured yet (the holiday calendar is wired to the oracle by the deploy).
 */
export async function oracleBaseFixture(): Promise<OracleSuite> {
  const suite = await suiteFixture();
  const { actors } = suite;
  const oracle = (await ethers.getContractAt("PriceOracle", suite.contracts.PriceOracle)) as unknown as PriceOracle;
  const calendar = (await ethers.getContractAt("HolidayCalendar", suite.contracts.HolidayCalendar)) as unknown as HolidayCalendar;
  const role = await oracle.ORACLE_ROLE();
  await oracle.grantRole(role, actors.oracle1.address);
  await oracle.grantRole(role, actors.oracle2.address);
  await oracle.configureAsset(BOND_ID, RUB, XMOS, WAD / 20n, 7);
  await oracle.configureAsset(EQUITY_ID, GBP, XLON, (WAD * 15n) / 100n, 5);
  await oracle.configureFxPair(GBP, RUB, XMOS, WAD / 20n, 7);
  const today = Math.floor((await time.latest()) / 86400);
  return { ...suite, oracle, calendar, today, deploymentsDir: process.env.DEPLOYMENTS_DIR! };
}

/**
 * {@link oracleBaseFixture} with calendars XMOS and XLON (Saturday–Sunday weekends, no holidays loaded for
 * last, this and next year) and the chain at noon of a Friday.
 */
export async function oracleFixture(): Promise<OracleSuite> {
  const base = await oracleBaseFixture();
  const today = await moveToFriday();
  const year = toDate(today).year;
  for (const [id, name] of [
    [XMOS, "Moscow Exchange"],
    [XLON, "London Stock Exchange"],
  ]) {
    await base.calendar.configureCalendar(id, WEEKEND_SAT_SUN, name);
    for (const y of [year - 1, year, year + 1]) await base.calendar.loadHolidays(id, y, []);
  }
  return { ...base, today };
}
