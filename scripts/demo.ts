/**
 * `npm run demo`: the whole csd-ledger story on the embedded Hardhat network, printed as a narrative
 * with tables. Files it leaves (deployments, reports) go to `demo-output/` (DEMO_OUTPUT overrides).
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { castActors } from "../lib/core/actors";
import { deploySuite } from "../lib/deploy/suite";
import { createStory, loadChapters } from "./demo/story";

async function main(): Promise<void> {
  const started = Date.now();
  const outDir = path.resolve(process.env.DEMO_OUTPUT ?? "demo-output");
  process.env.DEPLOYMENTS_DIR = outDir;
  const actors = castActors(await hre.ethers.getSigners());

  console.log("csd-ledger demo — a central securities depository and its members on one permissioned chain");
  console.log(`network: ${hre.network.name} (embedded), output folder: ${path.relative(process.cwd(), outDir) || "."}`);
  console.log("\nDeploying the suite (UUPS proxies behind the consortium admin role):");
  // The embedded network is a new chain on every run: the previous run's deployments file describes none of it.
  fs.rmSync(path.join(outDir, `${hre.network.name}.json`), { force: true });
  const deployment = await deploySuite(hre, { deployer: actors.csd, log: (m) => console.log(m) });
  const story = createStory(hre, actors, deployment, outDir);
  story.table(
    Object.entries(deployment.contracts).map(([contract, address]) => ({ contract, address })),
    ["contract", "address"],
  );

  for (const chapter of loadChapters()) {
    story.heading(chapter.title);
    await chapter.run(story);
  }
  console.log(`\nThe end. ${((Date.now() - started) / 1000).toFixed(1)} s; files in ${path.relative(process.cwd(), outDir)}/`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
