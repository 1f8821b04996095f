/**
 * The oracle operator's price push as a plain script (same logic as `npx hardhat oracle:push`):
 *   HARDHAT_NETWORK=besu npx ts-node scripts/price-push.ts --prices data/prices.csv --fx data/fx.csv \
 *     --calendar data/calendars.json [--dry-run] [--skip-invalid] [--batch-size N] [--keystore key.json] [--no-close]
 *     [--no-revalue] [--rpc-timeout MS] [--rpc-retries N] [--rpc-backoff MS] [--tx-timeout S]
 * or, through Hardhat's runner: PRICE_PUSH_ARGS="--prices data/prices.csv" npx hardhat run scripts/price-push.ts
 * Exit code 1 on rejected lines or failure.
 */
import hre from "hardhat";
import { describeError } from "../lib/core/task";
import { runPushCommand, PushArgs } from "../lib/oracle/cli";

const VALUE_FLAGS: Record<string, keyof PushArgs> = {
  "--prices": "prices",
  "--fx": "fx",
  "--calendar": "calendar",
  "--batch-size": "batchSize",
  "--gas-budget": "gasBudget",
  "--journal": "journal",
  "--keystore": "keystore",
  "--from": "from",
  "--pause-ms": "pauseMs",
  "--rpc-timeout": "rpcTimeout",
  "--rpc-retries": "rpcRetries",
  "--rpc-backoff": "rpcBackoff",
  "--tx-timeout": "txTimeout",
};
const BOOLEAN_FLAGS: Record<string, keyof PushArgs> = {
  "--dry-run": "dryRun",
  "--no-close": "noClose",
  "--no-revalue": "noRevalue",
  "--skip-invalid": "skipInvalid",
  "--json": "json",
};
const NUMERIC = new Set<keyof PushArgs>(["batchSize", "gasBudget", "pauseMs", "rpcTimeout", "rpcRetries", "rpcBackoff", "txTimeout"]);

export function parseArgs(argv: string[]): PushArgs {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (BOOLEAN_FLAGS[flag]) out[BOOLEAN_FLAGS[flag]] = true;
    else if (VALUE_FLAGS[flag]) {
      const name = VALUE_FLAGS[flag];
      const value = argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      out[name] = NUMERIC.has(name) ? Number(value) : value;
    } else throw new Error(`unknown argument "${flag}"`);
  }
  return out as PushArgs;
}

async function main(): Promise<void> {
  const argv = process.env.PRICE_PUSH_ARGS ? process.env.PRICE_PUSH_ARGS.split(/\s+/).filter(Boolean) : process.argv.slice(2);
  const { code } = await runPushCommand(hre, parseArgs(argv));
  process.exitCode = code;
}

if (require.main === module) {
  main().catch(async (err) => {
    console.error((await describeError(hre, err)) ?? err);
    process.exitCode = 1;
  });
}
