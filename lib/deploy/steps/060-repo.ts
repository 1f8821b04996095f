import type { DeployStep } from "../context";

/** Libraries the repo book links (deployed once, recorded in the deployments file). */
export const REPO_LIBRARIES = ["RepoRevaluation", "RepoOperations"] as const;

/**
 * The repo book: its two linked libraries, the UUPS proxy (initialised with the registry, token factory,
 * oracle and calendars), AGENT_ROLE for the deployer (the depository), and LOCK_OPERATOR_ROLE and
 * SETTLEMENT_ROLE on every token through the token factory's standing roles.
 */
const step: DeployStep = {
  id: "060",
  description: "repo book (revaluation and settlement libraries, proxy, lock-operator role on tokens)",
  async run(ctx) {
    const book = await ctx.proxy(
      "RepoBook",
      "RepoBook",
      [
        ctx.deployerAddress,
        ctx.address("ParticipantRegistry"),
        ctx.address("TokenFactory"),
        ctx.address("PriceOracle"),
        ctx.address("HolidayCalendar"),
      ],
      REPO_LIBRARIES,
    );
    await ctx.grantRole("RepoBook", "AGENT_ROLE", ctx.deployerAddress);
    // LOCK_OPERATOR_ROLE: collateral under the deal's encumbrance; SETTLEMENT_ROLE: the cash legs and cash
    // margin, paid as compliant free-balance transfers under the signed terms, and the collateral delivered
    // straight into the deal's lock.
    await ctx.standingRole("LOCK_OPERATOR_ROLE", book);
    await ctx.standingRole("SETTLEMENT_ROLE", book);
  },
};
export default step;
