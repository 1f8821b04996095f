/**
 * Talking to a node that may go away: every call has a timeout and bounded retries with exponential
 * backoff, and says on stderr while the node is unreachable. Transactions are followed with the plain
 * JSON-RPC reads every node has (eth_getTransactionReceipt, eth_getTransactionByHash,
 * eth_getTransactionCount), so a transaction is settled as mined, failed, pending, dropped or replaced
 * on any node and through any provider.
 */
import type { Provider, TransactionReceipt } from "ethers";

export interface RpcPolicy {
  /** Longest wait for one call, ms. */
  timeoutMs: number;
  /** Retries of a call that failed because the node could not be reached (then it gives up). */
  retries: number;
  /** First pause before a retry, ms; doubled each time up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Pause between two looks at a pending transaction, ms. */
  pollMs: number;
  /** Longest wait for a pending transaction to be mined, ms. */
  pendingTimeoutMs: number;
  /** Where "node unreachable" notices go (default: stderr). */
  warn: (message: string) => void;
}

export const DEFAULT_RPC_POLICY: RpcPolicy = {
  timeoutMs: 30_000,
  retries: 8,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  pollMs: 1_000,
  pendingTimeoutMs: 600_000,
  warn: (m) => process.stderr.write(`${m}\n`),
};

/** The node could not be reached within the retry budget; the push can be run again to resume. */
export class NodeUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NodeUnreachableError";
  }
}

/** A transaction stayed pending longer than the policy allows. */
export class PendingTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PendingTimeoutError";
  }
}

class CallTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = "CallTimeout";
  }
}

const TRANSIENT =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|socket hang up|other side closed|fetch failed|Cannot connect to the network|network (is )?(down|error)|request timeout|timeout exceeded|UND_ERR/i;

/** True when an error means the node could not be reached or did not answer (worth a retry). */
export function isTransient(err: unknown): boolean {
  if (err instanceof CallTimeout) return true;
  const e = err as { code?: string; message?: string; cause?: unknown; error?: unknown };
  if (!e) return false;
  if (e.code === "TIMEOUT" || e.code === "NETWORK_ERROR" || e.code === "ECONNREFUSED" || e.code === "ECONNRESET") return true;
  if (e.code === "CALL_EXCEPTION" || e.code === "INVALID_ARGUMENT") return false;
  if (typeof e.message === "string" && TRANSIENT.test(e.message)) return true;
  return (
    (e.cause !== undefined && e.cause !== err && isTransient(e.cause)) || (e.error !== undefined && e.error !== err && isTransient(e.error))
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function firstLine(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string };
  return String(e?.shortMessage ?? e?.message ?? err).split("\n")[0];
}

/** Runs `fn` with the policy's timeout; retries while the node is unreachable, then gives up. */
export async function rpc<T>(policy: RpcPolicy, what: string, fn: () => Promise<T>): Promise<T> {
  let delay = policy.backoffMs;
  for (let attempt = 0; ; attempt++) {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CallTimeout(what, policy.timeoutMs)), policy.timeoutMs);
      });
      return await Promise.race([fn(), timeout]);
    } catch (err) {
      if (!isTransient(err)) throw err;
      if (attempt >= policy.retries) {
        throw new NodeUnreachableError(
          `node unreachable: ${what} failed ${attempt + 1} times (${firstLine(err)}); the journal keeps the push state, run the same command again to resume`,
        );
      }
      policy.warn(
        `node unreachable (${what}: ${firstLine(err)}); retry ${attempt + 1}/${policy.retries} in ${(delay / 1000).toFixed(1)} s`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, policy.maxBackoffMs);
    } finally {
      clearTimeout(timer);
    }
  }
}

export type TxState = "mined" | "failed" | "pending" | "dropped" | "replaced";

export interface TxRef {
  hash: string;
  nonce: number;
  from: string;
}

/** Where a transaction stands now, from the node's receipts, pool and the sender's nonce. */
export async function transactionState(
  provider: Provider,
  policy: RpcPolicy,
  tx: TxRef,
): Promise<{ state: TxState; receipt?: TransactionReceipt }> {
  const receiptOf = () => rpc(policy, `receipt of ${tx.hash}`, () => provider.getTransactionReceipt(tx.hash));
  let receipt = await receiptOf();
  if (receipt) return { state: receipt.status === 1 ? "mined" : "failed", receipt };
  const known = await rpc(policy, `transaction ${tx.hash}`, () => provider.getTransaction(tx.hash));
  if (known) return { state: "pending" };
  const used = await rpc(policy, `nonce of ${tx.from}`, () => provider.getTransactionCount(tx.from, "latest"));
  // Mined between the two looks?
  receipt = await receiptOf();
  if (receipt) return { state: receipt.status === 1 ? "mined" : "failed", receipt };
  return { state: used > tx.nonce ? "replaced" : "dropped" };
}

/**
 * Waits until a transaction is no longer pending (bounded by `pendingTimeoutMs`) and returns its final
 * state: mined, failed, dropped (the node forgot it, its nonce is free) or replaced (another transaction
 * took its nonce).
 */
export async function settleTransaction(
  provider: Provider,
  policy: RpcPolicy,
  tx: TxRef,
): Promise<{ state: Exclude<TxState, "pending">; receipt?: TransactionReceipt }> {
  const deadline = Date.now() + policy.pendingTimeoutMs;
  for (;;) {
    const s = await transactionState(provider, policy, tx);
    if (s.state !== "pending") return s as { state: Exclude<TxState, "pending">; receipt?: TransactionReceipt };
    if (Date.now() > deadline)
      throw new PendingTimeoutError(
        `transaction ${tx.hash} (nonce ${tx.nonce}) still pending after ${Math.round(policy.pendingTimeoutMs / 1000)} s; the journal keeps it, run the same command again to resume`,
      );
    await sleep(policy.pollMs);
  }
}

/**
 * Waits until `from` has no transaction pending in the node's pool (its pending nonce equals its mined
 * nonce), bounded by `pendingTimeoutMs`; returns the mined nonce.
 */
export async function waitNoPending(provider: Provider, policy: RpcPolicy, from: string): Promise<number> {
  const deadline = Date.now() + policy.pendingTimeoutMs;
  for (;;) {
    const latest = await rpc(policy, `nonce of ${from}`, () => provider.getTransactionCount(from, "latest"));
    const pending = await rpc(policy, `pending nonce of ${from}`, () => provider.getTransactionCount(from, "pending"));
    if (pending <= latest) return latest;
    if (Date.now() > deadline)
      throw new PendingTimeoutError(
        `${from} still has ${pending - latest} transaction(s) pending after ${Math.round(policy.pendingTimeoutMs / 1000)} s; run the same command again to resume`,
      );
    await sleep(policy.pollMs);
  }
}
