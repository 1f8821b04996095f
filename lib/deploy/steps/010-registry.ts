import type { DeployStep } from "../context";

const step: DeployStep = {
  id: "010",
  description: "participant registry",
  async run(ctx) {
    await ctx.proxy("ParticipantRegistry", "ParticipantRegistry", [ctx.deployerAddress]);
  },
};
export default step;
