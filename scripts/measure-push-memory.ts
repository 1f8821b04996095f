/**
 * Peak memory of the price-push validator by input size: writes price files (CSV and JSON) of about
 * 5 MB and 50 MB in a temporary folder and reads each through the validator in a fresh process, with
 * every feed registered (no node needed), then prints the peak resident set size of each run.
 *   npx ts-node scripts/measure-push-memory.ts [--mb 50]
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dayToIso, isoToDay } from "../lib/core/dates";
import { isinCheckDigit } from "../lib/core/isin";
import { validateFiles } from "../lib/oracle/validate";

/** Valid ISINs RU000A0000xx. */
function isins(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const first11 = `RU000A0${String(i).padStart(4, "0")}`;
    return `${first11}${isinCheckDigit(first11)}`;
  });
}

/** Writes a price file of at least `mb` megabytes: each ISIN once per day, days counted up from 1980. */
function writePrices(file: string, mb: number, json: boolean): number {
  const ids = isins(100);
  const fd = fs.openSync(file, "w");
  let bytes = 0;
  let lines = 0;
  let chunk = json ? "[\n" : "date,isin,price\n";
  for (let day = isoToDay("1980-01-01"); bytes + chunk.length < mb * 1024 * 1024; day++) {
    const date = dayToIso(day);
    for (const isin of ids) {
      const price = `${100 + (lines % 997) / 100}`;
      chunk += json ? `${lines ? "," : " "}{"date":"${date}","isin":"${isin}","price":"${price}"}\n` : `${date},${isin},${price}\n`;
      lines++;
    }
    if (chunk.length > 1 << 20) {
      bytes += fs.writeSync(fd, chunk);
      chunk = "";
    }
  }
  if (json) chunk += "]\n";
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return lines;
}

async function readOne(file: string): Promise<void> {
  const started = Date.now();
  const r = await validateFiles(
    { prices: file },
    { today: isoToDay("2999-12-31"), feed: async () => ({ kind: "Security", calendar: "" }), calendar: async () => undefined },
  );
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({ lines: r.lines, valid: r.valid, issues: r.issues.length, maxRssMb, seconds: (Date.now() - started) / 1000 }),
  );
}

function main(): void {
  const mbArg = process.argv.indexOf("--mb");
  const big = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 50;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "push-memory-"));
  try {
    const rows: Record<string, unknown>[] = [];
    for (const mb of [Math.max(1, Math.round(big / 10)), big]) {
      for (const json of [false, true]) {
        const file = path.join(dir, `prices-${mb}mb.${json ? "json" : "csv"}`);
        writePrices(file, mb, json);
        const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--read", file], {
          encoding: "utf8",
        });
        if (child.status !== 0) throw new Error(child.stderr);
        const r = JSON.parse(child.stdout.trim().split("\n").pop()!);
        rows.push({
          file: path.basename(file),
          "size MB": (fs.statSync(file).size / 1048576).toFixed(1),
          lines: r.lines,
          valid: r.valid,
          "peak RSS MB": r.maxRssMb.toFixed(0),
          seconds: r.seconds.toFixed(1),
        });
        fs.rmSync(file);
      }
    }
    console.table(rows);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const read = process.argv.indexOf("--read");
  if (read > 0)
    readOne(process.argv[read + 1]).catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
  else main();
}
