import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { suiteAddress } from "../core/suite";

/** Typed handles on the oracle and the calendars of the deployed suite. */
export async function oracleAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<PriceOracle> {
  return (await hre.ethers.getContractAt("PriceOracle", suiteAddress(hre, "PriceOracle"), signer)) as unknown as PriceOracle;
}

export async function calendarAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<HolidayCalendar> {
  return (await hre.ethers.getContractAt("HolidayCalendar", suiteAddress(hre, "HolidayCalendar"), signer)) as unknown as HolidayCalendar;
}
