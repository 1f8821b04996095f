import type { DeployStep } from "../context";

/** Libraries the quota registry links (deployed once, recorded in the deployments file). */
export const QUOTA_LIBRARIES = ["QuotaCommitted", "QuotaRegCf"] as const;

/**
 * Crowdfunding quota registry with its linked library of committed batches; the deployer holds
 * QUOTA_ADMIN_ROLE until it hands it to the regulator.
 */
const step: DeployStep = {
  id: "050",
  description: "crowdfunding quota registry (committed-batch library, proxy)",
  async run(ctx) {
    await ctx.proxy("QuotaRegistry", "QuotaRegistry", [ctx.deployerAddress, ctx.address("ParticipantRegistry")], QUOTA_LIBRARIES);
    await ctx.grantRole("QuotaRegistry", "QUOTA_ADMIN_ROLE", ctx.deployerAddress);
  },
};
export default step;
