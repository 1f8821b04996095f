/**
 * The price-push command shared by `npx hardhat oracle:push` and `scripts/price-push.ts`.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { output, printTable, toJson, UserError } from "../core/cli";
import { readDeployment } from "../core/deployments";
import { calendarAt, oracleAt } from "./contracts";
import { formatIssue } from "./files";
import { pushPrices, PushSummary, summaryRows } from "./push";
import { revalueAfterPush, RevaluationResult } from "./revalue";
import { DEFAULT_RPC_POLICY, RpcPolicy } from "./rpc";
import { operatorSigner } from "./signer";

export interface PushArgs {
  prices?: string;
  fx?: string;
  calendar?: string;
  dryRun?: boolean;
  batchSize?: number;
  gasBudget?: number;
  journal?: string;
  keystore?: string;
  from?: string;
  pauseMs?: number;
  noRevalue?: boolean;
  /** Do not close the pushed dates (the books then skip them as not closed until `oracle:close`). */
  noClose?: boolean;
  skipInvalid?: boolean;
  /** Longest wait for one call to the node, ms. */
  rpcTimeout?: number;
  /** Retries of a call while the node is unreachable. */
  rpcRetries?: number;
  /** First pause before a retry, ms (doubled each time, at most 30 s). */
  rpcBackoff?: number;
  /** Longest wait for a pending transaction to be mined, seconds. */
  txTimeout?: number;
  json?: boolean;
}

/** The RPC policy given on the command line (unset values keep the defaults). */
export function rpcPolicyOf(a: PushArgs): Partial<RpcPolicy> {
  const out: Partial<RpcPolicy> = {};
  const check = (flag: string, v: number | undefined, min: number) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new UserError(`${flag} ${v} is not an integer ≥ ${min}`);
    return v !== undefined;
  };
  if (check("--rpc-timeout", a.rpcTimeout, 1)) out.timeoutMs = a.rpcTimeout;
  if (check("--rpc-retries", a.rpcRetries, 0)) out.retries = a.rpcRetries;
  if (check("--rpc-backoff", a.rpcBackoff, 1)) {
    out.backoffMs = a.rpcBackoff;
    out.pollMs = Math.min(DEFAULT_RPC_POLICY.pollMs, a.rpcBackoff!);
  }
  if (check("--tx-timeout", a.txTimeout, 1)) out.pendingTimeoutMs = a.txTimeout! * 1000;
  return out;
}

/**
 * Runs a push and prints its summary; returns the process exit code (1 on rejected lines, whether the
 * push was held back or, with --skip-invalid, went ahead without them).
 */
export async function runPushCommand(hre: HardhatRuntimeEnvironment, a: PushArgs): Promise<{ code: number; summary: PushSummary }> {
  if (!a.prices && !a.fx) throw new UserError("give --prices <csv|json> and/or --fx <csv|json>");
  if (a.batchSize !== undefined && (!Number.isInteger(a.batchSize) || a.batchSize < 1))
    throw new UserError(`--batch-size ${a.batchSize} is not a positive integer`);
  const rpcPolicy = rpcPolicyOf(a);
  const signer = await operatorSigner(hre, { keystore: a.keystore, from: a.from });
  const oracle = await oracleAt(hre, signer);
  const calendar = await calendarAt(hre, signer);
  const operator = await signer.getAddress();
  if (!a.dryRun && !(await oracle.hasRole(await oracle.ORACLE_ROLE(), operator))) {
    throw new UserError(`${operator} lacks ORACLE_ROLE on the oracle (ask the admin: oracle:grant --account ${operator})`);
  }
  const log = a.json ? () => undefined : (m: string) => console.log(m);
  if (!a.json) console.log(`${a.dryRun ? "dry run: " : ""}price push as ${operator} on ${hre.network.name}`);
  let summary: PushSummary;
  try {
    summary = await pushPrices({
      oracle,
      calendar,
      prices: a.prices,
      fx: a.fx,
      calendars: a.calendar,
      dryRun: a.dryRun,
      batchSize: a.batchSize,
      gasBudget: a.gasBudget !== undefined ? BigInt(a.gasBudget) : undefined,
      journal: a.journal,
      pauseMs: a.pauseMs,
      skipInvalid: a.skipInvalid,
      rpc: rpcPolicy,
      fromBlock: readDeployment(hre.network.name)?.block ?? 0,
      progress: a.json ? false : undefined,
      close: !a.noClose,
      log,
    });
  } catch (err) {
    if ((err as Error).message && !(err as { revert?: unknown }).revert && !(err as { shortMessage?: string }).shortMessage) {
      throw new UserError((err as Error).message);
    }
    throw err;
  }
  let revaluation: RevaluationResult | undefined;
  if (!a.dryRun && !summary.blocked) {
    revaluation = a.noRevalue
      ? { revalued: 0, marginCalls: 0, note: "skipped (--no-revalue)" }
      : await revalueAfterPush(hre, signer, summary.updated);
  }
  output(a.json, { ...summary, rejected: summary.rejected.map(formatIssue), revaluation }, () => {
    if (summary.rejected.length > 0) {
      console.log(`\n${summary.rejected.length} rejected line(s):`);
      for (const i of summary.rejected.slice(0, 50)) console.log(`  ${formatIssue(i)}`);
      if (summary.rejected.length > 50) console.log(`  … and ${summary.rejected.length - 50} more (use --json for all)`);
      if (summary.blocked)
        console.log(
          `\nnothing ${a.dryRun ? "would be " : ""}pushed: correct the lines above, or give --skip-invalid to push the valid ones`,
        );
    }
    printTable(summaryRows(summary, revaluation), ["item", "value"], `\nsummary (journal ${summary.journal})`);
  });
  return { code: summary.rejected.length > 0 ? 1 : 0, summary };
}

export { toJson };
