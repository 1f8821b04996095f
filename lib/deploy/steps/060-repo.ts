import type { DeployStep } from "../context";
import { writeDeployment } from "../../deployments";

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
    const { ethers, upgrades } = ctx.hre;
    const libraries: Record<string, string> = {};
    for (const lib of REPO_LIBRARIES) libraries[lib] = await ctx.plain(lib, lib, []);

    let book = ctx.file.contracts.RepoBook;
    if (book && (await ethers.provider.getCode(book)) !== "0x") {
      ctx.log(`  reuse   ${"RepoBook".padEnd(22)} ${book}`);
    } else {
      const factory = await ethers.getContractFactory("RepoBook", { signer: ctx.deployer, libraries });
      // The linked libraries are stateless and hold no upgrade-unsafe code (no selfdestruct, no delegatecall
      // of their own); the plugin's generic warning about library linking is silenced after this review.
      upgrades.silenceWarnings();
      const proxy = await upgrades.deployProxy(
        factory,
        [
          ctx.deployerAddress,
          ctx.address("ParticipantRegistry"),
          ctx.address("TokenFactory"),
          ctx.address("PriceOracle"),
          ctx.address("HolidayCalendar"),
        ],
        { kind: "uups", initializer: "initialize", unsafeAllow: ["external-library-linking"] },
      );
      await proxy.waitForDeployment();
      book = await proxy.getAddress();
      const impl = await upgrades.erc1967.getImplementationAddress(book);
      ctx.file.contracts.RepoBook = book;
      ctx.file.implementations.RepoBook = impl;
      if (ctx.file.block === 0) ctx.file.block = await ethers.provider.getBlockNumber();
      writeDeployment(ctx.file);
      ctx.log(`  deploy  ${"RepoBook".padEnd(22)} ${book} (UUPS proxy, implementation ${impl})`);
    }
    await ctx.grantRole("RepoBook", "AGENT_ROLE", ctx.deployerAddress);

    const tokenFactory = await ethers.getContractAt("TokenFactory", ctx.address("TokenFactory"), ctx.deployer);
    const standing = await tokenFactory.standingRoles();
    // LOCK_OPERATOR_ROLE: collateral under the deal's encumbrance; SETTLEMENT_ROLE: the cash legs and cash
    // margin, paid as compliant free-balance transfers under the signed terms.
    for (const name of ["LOCK_OPERATOR_ROLE", "SETTLEMENT_ROLE"]) {
      const role = ethers.id(name);
      if (standing.some((r) => r.role === role && r.account.toLowerCase() === book.toLowerCase())) continue;
      await ctx.send(`TokenFactory.addStandingRole(${name}, RepoBook)`, tokenFactory.addStandingRole(role, book));
    }
  },
};
export default step;
