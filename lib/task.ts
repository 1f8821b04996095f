import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** Turns a contract revert or a UserError into one readable line; anything else passes through. */
export function describeError(err: unknown): string | undefined {
  const e = err as { name?: string; message?: string; revert?: { name: string; args: unknown[] }; shortMessage?: string };
  if (e?.name === "UserError") return e.message;
  if (e?.revert?.name) {
    return `the contract refused: ${e.revert.name}(${e.revert.args.map((a) => String(a)).join(", ")})`;
  }
  if (e?.shortMessage) return e.shortMessage;
  return undefined;
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
      const msg = describeError(err);
      if (msg !== undefined) throw new HardhatPluginError("csd-ledger", msg, err as Error);
      throw err;
    }
  };
}
