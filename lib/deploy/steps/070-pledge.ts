import type { DeployStep } from "../context";

/**
 * Securities pledge book. It locks pledged shares and cash through the encumbrance API, so it receives
 * LOCK_OPERATOR_ROLE on every token as a standing role of the token factory (added only when missing).
 * The deployer (the depository's operator) holds DEPOSITORY_ROLE.
 */
const step: DeployStep = {
  id: "070",
  description: "securities pledge book",
  async run(ctx) {
    const { ethers } = ctx.hre;
    const book = await ctx.proxy("PledgeBook", "PledgeBook", [
      ctx.deployerAddress,
      ctx.address("ParticipantRegistry"),
      ctx.address("PriceOracle"),
      ctx.address("HolidayCalendar"),
    ]);
    await ctx.grantRole("PledgeBook", "DEPOSITORY_ROLE", ctx.deployerAddress);
    const factory = await ethers.getContractAt("TokenFactory", ctx.address("TokenFactory"), ctx.deployer);
    const role = ethers.id("LOCK_OPERATOR_ROLE");
    const standing = await factory.standingRoles();
    if (!standing.some((r) => r.role === role && r.account.toLowerCase() === book.toLowerCase())) {
      await ctx.send(`TokenFactory.addStandingRole(LOCK_OPERATOR_ROLE, ${book})`, factory.addStandingRole(role, book));
    }
  },
};
export default step;
