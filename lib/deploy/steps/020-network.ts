import type { DeployStep } from "../context";

const step: DeployStep = {
  id: "020",
  description: "Besu account and node permissioning (rules behind ingresses)",
  async run(ctx) {
    const registry = ctx.address("ParticipantRegistry");
    const accountRules = await ctx.proxy("AccountRules", "AccountRules", [ctx.deployerAddress, registry]);
    const nodeRules = await ctx.proxy("NodeRules", "NodeRules", [ctx.deployerAddress, registry]);
    // On Besu the ingresses are pre-deployed in genesis at 0x…8888 and 0x…9999 (see besu/); elsewhere
    // they are deployed here. Set ACCOUNT_INGRESS / NODE_INGRESS to use genesis ingresses.
    const accountIngress = process.env.ACCOUNT_INGRESS
      ? await ctx.adopt("AccountIngress", process.env.ACCOUNT_INGRESS)
      : await ctx.plain("AccountIngress", "AccountIngress", [ctx.deployerAddress]);
    const nodeIngress = process.env.NODE_INGRESS
      ? await ctx.adopt("NodeIngress", process.env.NODE_INGRESS)
      : await ctx.plain("NodeIngress", "NodeIngress", [ctx.deployerAddress]);

    // Rules are registered last, once the registry holds the admins (BESU.md §3).
    for (const [ingressName, ingress, rules] of [
      ["AccountIngress", accountIngress, accountRules],
      ["NodeIngress", nodeIngress, nodeRules],
    ] as const) {
      const c = await ctx.hre.ethers.getContractAt("AccountIngress", ingress, ctx.deployer);
      if ((await c.rules()).toLowerCase() !== rules.toLowerCase()) {
        await ctx.send(`${ingressName}.setRules(${rules})`, c.setRules(rules));
      }
    }
  },
};
export default step;
