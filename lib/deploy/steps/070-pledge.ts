import type { DeployStep } from "../context";

/** Libraries the pledge book links (deployed once, recorded in the deployments file). */
export const PLEDGE_LIBRARIES = ["PledgeOperations", "PledgeValuation"] as const;

/**
 * Securities pledge book: its linked libraries (occasional operations, daily valuation), the UUPS proxy
 * (initialised with the registry, oracle, calendars and the token factory that vouches for pledged tokens), DEPOSITORY_ROLE for
 * the deployer (the depository's operator). The book locks pledged shares and cash through the encumbrance
 * API, so it receives LOCK_OPERATOR_ROLE on every token as a standing role of the token factory (added only
 * when missing).
 */
const step: DeployStep = {
  id: "070",
  description: "securities pledge book (operations and valuation libraries, proxy, lock-operator role on tokens)",
  async run(ctx) {
    const book = await ctx.proxy(
      "PledgeBook",
      "PledgeBook",
      [
        ctx.deployerAddress,
        ctx.address("ParticipantRegistry"),
        ctx.address("PriceOracle"),
        ctx.address("HolidayCalendar"),
        ctx.address("TokenFactory"),
      ],
      PLEDGE_LIBRARIES,
    );
    await ctx.grantRole("PledgeBook", "DEPOSITORY_ROLE", ctx.deployerAddress);
    await ctx.standingRole("LOCK_OPERATOR_ROLE", book);
  },
};
export default step;
