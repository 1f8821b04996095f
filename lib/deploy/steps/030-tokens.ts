import type { DeployStep } from "../context";

/** Roles every token grants (standing roles of the factory): the depository's agent and the DvP engine. */
const step: DeployStep = {
  id: "030",
  description: "token beacons, token factory and DvP settlement",
  async run(ctx) {
    const registry = ctx.address("ParticipantRegistry");
    // Beacons are owned by the deployer, the consortium admin (hand them to a timelock with transferOwnership).
    const securityBeacon = await ctx.beacon("SecurityTokenBeacon", "SecurityToken");
    const cashBeacon = await ctx.beacon("CashTokenBeacon", "CashToken");
    const factoryAddress = await ctx.proxy("TokenFactory", "TokenFactory", [ctx.deployerAddress, registry, securityBeacon, cashBeacon]);
    const dvp = await ctx.proxy("DvPSettlement", "DvPSettlement", [ctx.deployerAddress, registry, factoryAddress]);
    await ctx.standingRole("AGENT_ROLE", ctx.deployerAddress);
    await ctx.standingRole("PAUSER_ROLE", ctx.deployerAddress);
    await ctx.standingRole("SETTLEMENT_ROLE", dvp);
  },
};
export default step;
