import { task, types } from "hardhat/config";
import { action } from "../lib/core/task";
import { output, printTable, UserError } from "../lib/core/cli";

task("audit:replay", "Recomputes every valuation and revaluation event with the reference calculators; lists mismatches")
  .addOptionalParam("fromBlock", "First block whose events are checked (history before it is still read)", "", types.string)
  .addOptionalParam("out", "Write the report as JSON to this file", "", types.string)
  .addFlag("json", "Print the report as JSON")
  .setAction(
    action(async (a: { fromBlock: string; out: string; json: boolean }, hre) => {
      if (a.fromBlock !== "" && !/^\d+$/.test(a.fromBlock)) throw new UserError(`--from-block "${a.fromBlock}" is not a block number`);
      const { auditReplay } = await import("../lib/audit/replay");
      const { ProgressBar } = await import("../lib/oracle/progress");
      const { toJson } = await import("../lib/core/cli");
      let bar: InstanceType<typeof ProgressBar> | undefined;
      const report = await auditReplay(hre, {
        fromBlock: a.fromBlock === "" ? undefined : Number(a.fromBlock),
        onProgress: (done, total) => {
          bar ??= new ProgressBar(total, process.stderr);
          bar.update(done, "events");
        },
      });
      bar?.finish();
      if (a.out !== "") {
        const fs = await import("node:fs");
        fs.writeFileSync(a.out, toJson(report) + "\n");
      }
      const bad = report.mismatches.length;
      output(a.json, report, () => {
        printTable(
          report.counts.map((c) => ({ contract: c.contract, event: c.event, replayed: c.replayed, mismatched: c.mismatched })),
          ["contract", "event", "replayed", "mismatched"],
          `audit replay of "${report.network}" blocks ${report.fromBlock}..${report.toBlock} (replayers: ${report.replayers.join(", ")})`,
        );
        if (bad > 0) {
          printTable(
            report.mismatches.map((m) => ({ ...m, txHash: m.txHash })),
            ["event", "blockNumber", "txHash", "logIndex", "field", "onChain", "expected"],
            `${bad} mismatch(es)`,
          );
        } else console.log("no mismatch: every replayed event equals the reference calculator");
        if (a.out !== "") console.log(`report written to ${a.out}`);
      });
      if (bad > 0) process.exitCode = 1;
      return report;
    }),
  );
