import type { DeployStep } from "../context";

/**
 * Price oracle and holiday calendars; the oracle checks business days against the calendar contract. The deployer receives the oracle-admin, oracle and calendar roles;
 * production oracle operators are granted ORACLE_ROLE from `ORACLE_OPERATORS` (comma-separated addresses)
 * here, or later with `npx hardhat oracle:grant`.
 */
const step: DeployStep = {
  id: "040",
  description: "price oracle and holiday calendars",
  async run(ctx) {
    const oracleAddress = await ctx.proxy("PriceOracle", "PriceOracle", [ctx.deployerAddress]);
    const calendarAddress = await ctx.proxy("HolidayCalendar", "HolidayCalendar", [ctx.deployerAddress]);
    await ctx.grantRole("PriceOracle", "ORACLE_ADMIN_ROLE", ctx.deployerAddress);
    const oracle = await ctx.hre.ethers.getContractAt("PriceOracle", oracleAddress, ctx.deployer);
    if ((await oracle.holidayCalendar()).toLowerCase() !== calendarAddress.toLowerCase()) {
      await ctx.send(`PriceOracle.setHolidayCalendar(${calendarAddress})`, oracle.setHolidayCalendar(calendarAddress));
    }
    await ctx.grantRole("PriceOracle", "ORACLE_ROLE", ctx.deployerAddress);
    await ctx.grantRole("HolidayCalendar", "CALENDAR_ROLE", ctx.deployerAddress);
    const operators = (process.env.ORACLE_OPERATORS ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter((a) => a !== "");
    for (const operator of operators) {
      if (!ctx.hre.ethers.isAddress(operator)) throw new Error(`ORACLE_OPERATORS: "${operator}" is not an address`);
      await ctx.grantRole("PriceOracle", "ORACLE_ROLE", ctx.hre.ethers.getAddress(operator));
    }
  },
};
export default step;
