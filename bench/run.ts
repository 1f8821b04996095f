/**
 * `npm run bench`: gas per operation and capacity per 30M-gas block, each row compared with a plain
 * OpenZeppelin ERC-20 transfer measured in the same run. Writes bench/results.json. Rows over their
 * budget are listed at the end; with BENCH_STRICT=true they also make the run fail. BENCH_ONLY=<text> runs
 * only the suites whose file name contains the text (e.g. `BENCH_ONLY=repo`).
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { formatTable } from "../lib/core/cli";
import { suiteFixture } from "../test/helpers/suite";
import { BLOCK_GAS, BenchRow, BenchSuite, gasOf } from "./harness";

async function baseline(): Promise<{ existing: number; fresh: number }> {
  const [holder, other, fresh] = await hre.ethers.getSigners();
  const token = await hre.ethers.deployContract("ERC20Baseline", [holder.address, 10n ** 24n]);
  await (await token.transfer(other.address, 1000n)).wait();
  const existing = await gasOf(token.transfer(other.address, 1000n));
  const freshGas = await gasOf(token.transfer(fresh.address, 1000n));
  return { existing, fresh: freshGas };
}

async function main(): Promise<void> {
  const base = await baseline();
  const rows: BenchRow[] = [
    { domain: "baseline", operation: "OZ ERC-20 transfer, existing holder", gas: base.existing },
    { domain: "baseline", operation: "OZ ERC-20 transfer, fresh holder", gas: base.fresh },
  ];
  const dir = path.join(__dirname, "suites");
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => /^\d{2,}-.*\.ts$/.test(f) && f.includes(process.env.BENCH_ONLY ?? ""))
    .sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const suiteFn = (require(path.join(dir, file)).default ?? require(path.join(dir, file)).bench) as BenchSuite;
    // Every suite starts from the same freshly deployed suite (snapshot/revert).
    const suite = await loadFixture(suiteFixture);
    rows.push(...(await suiteFn({ hre, suite, gasOf })));
  }

  const table = rows.map((r) => ({
    domain: r.domain,
    operation: r.operation + (r.items ? ` (per item, batch of ${r.items})` : ""),
    gas: r.gas.toLocaleString("en-US"),
    "× ERC-20": (r.gas / base.existing).toFixed(2),
    "per 30M block": Math.floor(BLOCK_GAS / r.gas).toLocaleString("en-US"),
    budget: r.budget ? r.budget.toLocaleString("en-US") : "",
    ok: r.budget ? (r.gas <= r.budget ? "yes" : "OVER") : "",
    note: r.note ?? "",
  }));
  console.log(
    formatTable(table, undefined, `csd-ledger gas benchmark (solc 0.8.30, optimizer 200 runs, cancun; baseline ${base.existing} gas)`),
  );

  // A partial run (BENCH_ONLY) writes beside the full results instead of replacing them.
  const out = path.join(__dirname, process.env.BENCH_ONLY ? "results.partial.json" : "results.json");
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        blockGas: BLOCK_GAS,
        baseline: base,
        rows: rows.map((r) => ({
          ...r,
          ratio: r.gas / base.existing,
          perBlock: Math.floor(BLOCK_GAS / r.gas),
          withinBudget: r.budget ? r.gas <= r.budget : null,
        })),
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nwritten ${path.relative(process.cwd(), out)}`);
  const over = rows.filter((r) => r.budget && r.gas > r.budget);
  if (over.length > 0) {
    console.error(`\n${over.length} operation(s) over budget: ${over.map((r) => r.operation).join("; ")}`);
    if (process.env.BENCH_STRICT === "true") process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
