import type { DeployStep } from "../context";

/** Crowdfunding quota registry; the deployer holds QUOTA_ADMIN_ROLE until it hands it to the regulator. */
const step: DeployStep = {
  id: "050",
  description: "crowdfunding quota registry",
  async run(ctx) {
    await ctx.proxy("QuotaRegistry", "QuotaRegistry", [ctx.deployerAddress, ctx.address("ParticipantRegistry")]);
    await ctx.grantRole("QuotaRegistry", "QUOTA_ADMIN_ROLE", ctx.deployerAddress);
  },
};
export default step;
