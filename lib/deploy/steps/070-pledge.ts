import type { DeployStep } from "../context";
import { writeDeployment } from "../../deployments";

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
    const { ethers, upgrades } = ctx.hre;
    const libraries: Record<string, string> = {};
    for (const lib of PLEDGE_LIBRARIES) libraries[lib] = await ctx.plain(lib, lib, []);

    let book = ctx.file.contracts.PledgeBook;
    if (book && (await ethers.provider.getCode(book)) !== "0x") {
      ctx.log(`  reuse   ${"PledgeBook".padEnd(22)} ${book}`);
    } else {
      const factory = await ethers.getContractFactory("PledgeBook", { signer: ctx.deployer, libraries });
      // The linked library is stateless and holds no upgrade-unsafe code (no selfdestruct, no delegatecall of
      // its own); the plugin's generic warning about library linking is silenced after this review.
      upgrades.silenceWarnings();
      const proxy = await upgrades.deployProxy(
        factory,
        [ctx.deployerAddress, ctx.address("ParticipantRegistry"), ctx.address("PriceOracle"), ctx.address("HolidayCalendar")],
        { kind: "uups", initializer: "initialize", unsafeAllow: ["external-library-linking"] },
      );
      await proxy.waitForDeployment();
      book = await proxy.getAddress();
      const impl = await upgrades.erc1967.getImplementationAddress(book);
      ctx.file.contracts.PledgeBook = book;
      ctx.file.implementations.PledgeBook = impl;
      if (ctx.file.block === 0) ctx.file.block = await ethers.provider.getBlockNumber();
      writeDeployment(ctx.file);
      ctx.log(`  deploy  ${"PledgeBook".padEnd(22)} ${book} (UUPS proxy, implementation ${impl})`);
    }
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
