import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { suiteFixture, Suite } from "../helpers/suite";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { assetFeedId, calendarToBytes4, currencyToBytes3, fxFeedId } from "../../lib/oracle/ids";

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
  today: number;
}

/** The suite with oracle1 and oracle2 as oracle operators, a bond (5 % max move), an equity (15 %), GBP/RUB. */
export async function oracleFixture(): Promise<OracleSuite> {
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
  return { ...suite, oracle, calendar, today };
}
