import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { errorsInterface, formatError } from "./tx";

interface EthersLikeError {
  name?: string;
  message?: string;
  shortMessage?: string;
  code?: string;
  data?: string;
  revert?: { name: string; args: unknown[] };
  receipt?: { blockNumber: number; hash: string };
}

/** The revert data of a failed transaction, replayed as a call on the state just before its block. */
async function replayRevert(hre: HardhatRuntimeEnvironment, e: EthersLikeError): Promise<string | undefined> {
  if (!e.receipt) return undefined;
  const tx = await hre.ethers.provider.getTransaction(e.receipt.hash);
  if (!tx) return undefined;
  try {
    await hre.ethers.provider.call({
      from: tx.from,
      to: tx.to ?? undefined,
      data: tx.data,
      value: tx.value,
      blockTag: e.receipt.blockNumber - 1,
    });
  } catch (replayed) {
    return (replayed as EthersLikeError).data;
  }
  return undefined;
}

/**
 * Turns a contract revert or a UserError into one readable line, naming the custom error with its
 * arguments even when the transaction was mined and reverted (nodes that return no revert data on
 * send are replayed as a call). Anything else answers undefined.
 */
export async function describeError(hre: HardhatRuntimeEnvironment, err: unknown): Promise<string | undefined> {
  const e = err as EthersLikeError;
  if (e?.name === "UserError") return e.message;
  if (e?.revert?.name) return `the contract refused: ${formatError(e.revert)}`;
  if (e?.code === "CALL_EXCEPTION") {
    const data = e.data && e.data !== "0x" ? e.data : await replayRevert(hre, e);
    if (data && data.length >= 10) {
      const parsed = (await errorsInterface(hre)).parseError(data);
      if (parsed) return `the contract refused: ${formatError(parsed)}`;
    }
  }
  if (e?.shortMessage) return e.shortMessage;
  return undefined;
}

/**
 * Compiles before a task that needs fresh artifacts. Skipped while solidity-coverage runs: a compile then
 * would replace the instrumented artifacts and silently stop coverage from recording.
 */
export async function compileIfNeeded(hre: HardhatRuntimeEnvironment): Promise<void> {
  if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) return;
  await hre.run("compile", { quiet: true });
}

/**
 * Wraps a task action so users get one clear line instead of a stack trace for expected failures
 * (bad arguments, contract refusals). Unexpected errors keep their stack.
 */
export function action<A>(fn: (args: A, hre: HardhatRuntimeEnvironment) => Promise<unknown>) {
  return async (args: A, hre: HardhatRuntimeEnvironment) => {
    try {
      return await fn(args, hre);
    } catch (err) {
      const msg = await describeError(hre, err);
      if (msg !== undefined) throw new HardhatPluginError("csd-ledger", msg);
      throw err;
    }
  };
}
