import type { DeployStep } from "../context";

/** Roles every token grants (standing roles of the factory): the depository's agent and the DvP engine. */
const step: DeployStep = {
  id: "030",
  description: "token beacons, token factory and DvP settlement",
  async run(ctx) {
    const { ethers } = ctx.hre;
    const registry = ctx.address("ParticipantRegistry");
    // Beacons are owned by the deployer, the consortium admin (hand them to a timelock with transferOwnership).
    const securityBeacon = await ctx.beacon("SecurityTokenBeacon", "SecurityToken");
    const cashBeacon = await ctx.beacon("CashTokenBeacon", "CashToken");
    const factoryAddress = await ctx.proxy("TokenFactory", "TokenFactory", [ctx.deployerAddress, registry, securityBeacon, cashBeacon]);
    const dvp = await ctx.proxy("DvPSettlement", "DvPSettlement", [ctx.deployerAddress, registry, factoryAddress]);

    const factory = await ethers.getContractAt("TokenFactory", factoryAddress, ctx.deployer);
    const standing = await factory.standingRoles();
    const wanted: [string, string][] = [
      ["AGENT_ROLE", ctx.deployerAddress],
      ["PAUSER_ROLE", ctx.deployerAddress],
      ["SETTLEMENT_ROLE", dvp],
    ];
    for (const [role, account] of wanted) {
      const id = ethers.id(role);
      if (standing.some((r) => r.role === id && r.account.toLowerCase() === account.toLowerCase())) continue;
      await ctx.send(`TokenFactory.addStandingRole(${role}, ${account})`, factory.addStandingRole(id, account));
    }
  },
};
export default step;
