/**
 * Every transaction a task sends is simulated first. Tasks get their signer from `pickSigner` or
 * `operatorSigner`, which wrap it in a {@link SimulatingSigner}: before anything is signed or sent, the
 * transaction runs as `eth_call` and `eth_estimateGas` on the latest block from the same sender. A refusal
 * is reported with the contract's custom error, decoded with the errors of every compiled contract
 * (`the contract refused: RegistryUnknownParticipant(99)`), and nothing is sent: no nonce, no gas.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import {
  AbstractSigner,
  Interface,
  type Provider,
  type Signer,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

/** A transaction the chain would refuse, found by simulation before it was sent. */
export class RefusedError extends Error {
  /** Same code as ethers' revert errors, so callers that handle reverts handle this too. */
  readonly code = "CALL_EXCEPTION";
  constructor(
    message: string,
    /** The revert data (selector and arguments), `0x` when the node gave none. */
    readonly data: string,
    /** The decoded custom error, when one of the compiled contracts declares it. */
    readonly revert?: { name: string; args: unknown[] },
  ) {
    super(message);
    // Tasks print errors named UserError as one line, without a stack trace.
    this.name = "UserError";
  }
}

const interfaces = new WeakMap<HardhatRuntimeEnvironment, Promise<Interface>>();

/** Custom errors of every compiled contract (read once per runtime), to name a revert whatever contract raised it. */
export function errorsInterface(hre: HardhatRuntimeEnvironment): Promise<Interface> {
  let cached = interfaces.get(hre);
  if (!cached) {
    cached = (async () => {
      const fragments = new Map<string, unknown>();
      for (const name of await hre.artifacts.getAllFullyQualifiedNames()) {
        const { abi } = await hre.artifacts.readArtifact(name);
        for (const f of abi as { type: string; name: string; inputs: { type: string }[] }[]) {
          if (f.type === "error") fragments.set(`${f.name}(${f.inputs.map((i) => i.type).join(",")})`, f);
        }
      }
      return new Interface([...fragments.values()] as never[]);
    })();
    interfaces.set(hre, cached);
  }
  return cached;
}

/**
 * A short description of a failed transaction, for batch loops that report a failure and go on: the decoded
 * custom error when ethers gives one, else its short message.
 */
export function failureText(e: unknown): string {
  const x = e as { revert?: { name?: string; args?: unknown[] }; shortMessage?: string; message?: string };
  if (x.revert?.name) return formatError({ name: x.revert.name, args: x.revert.args ?? [] });
  return x.shortMessage ?? x.message ?? String(e);
}

/** `Name(arg1, arg2)` of a decoded error. */
export function formatError(e: { name: string; args: readonly unknown[] }): string {
  return `${e.name}(${[...e.args].map((a) => String(a)).join(", ")})`;
}

/** The revert data an ethers or provider error carries, wherever the node put it. */
export function revertData(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (e: unknown): string | undefined => {
    if (e === null || typeof e !== "object" || seen.has(e)) return undefined;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (typeof o.data === "string" && /^0x([0-9a-fA-F]{2})*$/.test(o.data) && o.data.length >= 10) return o.data;
    for (const k of ["data", "error", "info", "cause", "revert"]) {
      const found = visit(o[k]);
      if (found) return found;
    }
    const m = typeof o.message === "string" ? /custom error (0x[0-9a-fA-F]{8}):? ?([0-9a-fA-F]*)/.exec(o.message) : null;
    return m ? m[1] + m[2] : undefined;
  };
  return visit(err);
}

function isRevert(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (e?.code === "CALL_EXCEPTION") return true;
  if (revertData(err)) return true;
  return /revert|execution reverted|invalid opcode/i.test(e?.message ?? "");
}

/**
 * Runs `tx` from `from` as a call and a gas estimate; throws a {@link RefusedError} naming the decoded
 * custom error when the chain would refuse it. Errors that are not refusals (the node is down) pass
 * through unchanged.
 */
export async function simulate(hre: HardhatRuntimeEnvironment, provider: Provider, tx: TransactionRequest, from: string): Promise<bigint> {
  const request: TransactionRequest = { ...tx, from };
  // The nonce and the fee fields do not change the outcome; some nodes refuse a call that carries them.
  delete request.nonce;
  delete request.gasPrice;
  delete request.maxFeePerGas;
  delete request.maxPriorityFeePerGas;
  try {
    await provider.call(request);
    return await provider.estimateGas(request);
  } catch (err) {
    if (!isRevert(err)) throw err;
    const data = revertData(err) ?? "0x";
    const parsed = data.length >= 10 ? (await errorsInterface(hre)).parseError(data) : null;
    if (parsed) {
      throw new RefusedError(`the contract refused: ${formatError(parsed)}; nothing was sent`, data, {
        name: parsed.name,
        args: [...parsed.args],
      });
    }
    const reason = (err as { shortMessage?: string; reason?: string }).reason ?? (err as { shortMessage?: string }).shortMessage;
    throw new RefusedError(`the transaction would fail (${reason ?? "reverted without a reason"}); nothing was sent`, data);
  }
}

/**
 * A signer that simulates every transaction before it sends it (see {@link simulate}); everything else
 * (addresses, message and typed-data signatures) is the wrapped signer's.
 */
export class SimulatingSigner extends AbstractSigner {
  /** The wrapped signer's address, when it exposes one synchronously (Hardhat signers and wallets do). */
  readonly address: string;

  constructor(
    private readonly hre: HardhatRuntimeEnvironment,
    readonly inner: Signer,
  ) {
    super(inner.provider);
    this.address = (inner as unknown as { address?: string }).address ?? "";
  }

  getAddress(): Promise<string> {
    return this.inner.getAddress();
  }

  connect(provider: Provider | null): Signer {
    return new SimulatingSigner(this.hre, this.inner.connect(provider));
  }

  signTransaction(tx: TransactionRequest): Promise<string> {
    return this.inner.signTransaction(tx);
  }

  signMessage(message: string | Uint8Array): Promise<string> {
    return this.inner.signMessage(message);
  }

  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    return this.inner.signTypedData(domain, types, value);
  }

  async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const provider = this.inner.provider ?? this.hre.ethers.provider;
    await simulate(this.hre, provider, tx, await this.getAddress());
    return this.inner.sendTransaction(tx);
  }
}

/** Wraps a signer so that whatever it sends is simulated first (idempotent). */
export function simulating(hre: HardhatRuntimeEnvironment, signer: Signer): Signer {
  return signer instanceof SimulatingSigner ? signer : new SimulatingSigner(hre, signer);
}
