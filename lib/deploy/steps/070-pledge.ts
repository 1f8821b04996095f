import type { DeployStep } from "../context";

/** Libraries the pledge book links (deployed once, recorded in the deployments file). */
export const PLEDGE_LIBRARIES = ["PledgeOperations"] as const;

/**
 * Securities pledge book: its linked library of occasional operations, the UUPS proxy, DEPOSITORY_ROLE for
 * the deployer (the depository's operator). The book locks pledged shares and cash through the encumbrance
 * API, so it receives LOCK_OPERATOR_ROLE on every token as a standing role of the token factory (added only
 * when missing).
 */
const step: DeployStep = {
  id: "070",
  description: "securities pledge book (operations library, proxy, lock-operator role on tokens)",
  async run(ctx) {
    const book = await ctx.proxy(
      "PledgeBook",
      "PledgeBook",
      [ctx.deployerAddress, ctx.address("ParticipantRegistry"), ctx.address("PriceOracle"), ctx.address("HolidayCalendar")],
      PLEDGE_LIBRARIES,
    );
    await ctx.grantRole("PledgeBook", "DEPOSITORY_ROLE", ctx.deployerAddress);
    await ctx.standingRole("LOCK_OPERATOR_ROLE", book);
  },
};
export default step;
