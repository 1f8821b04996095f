/**
 * A client of one Besu node's local-permissioning JSON-RPC methods (the PERM API group), with a timeout
 * per call, bounded retries on transport failures and an optional JWT bearer token.
 *
 * Request and result shapes (Besu `ethereum/api/.../methods/permissioning/Perm*.java`, besu-docs "API
 * methods: PERM"):
 * - `perm_getAccountsAllowlist []` → array of lower-case addresses;
 * - `perm_getNodesAllowlist []` → array of enode URLs;
 * - `perm_addAccountsToAllowlist [[addresses]]`, `perm_removeAccountsFromAllowlist [[addresses]]`,
 *   `perm_addNodesToAllowlist [[enodes]]`, `perm_removeNodesFromAllowlist [[enodes]]` → `"Success"`;
 *   each call is all-or-nothing: one existing (add) or absent (remove) entry refuses the whole list with
 *   -32000 (`RpcErrorType.ACCOUNT_ALLOWLIST_EXISTING_ENTRY` and friends).
 * - With `--rpc-http-authentication-enabled` and a JWT public key, a request without a valid
 *   `Authorization: Bearer <jwt>` is refused with HTTP 401 and error -40100 "Unauthorized".
 */
import fs from "node:fs";

export interface NodeEndpoint {
  name: string;
  url: string;
  /** JWT sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** File holding the JWT (read at every call, so a rotated token is picked up). */
  tokenFile?: string;
}

export interface RpcPolicy {
  /** Per HTTP request. */
  timeoutMs: number;
  /** Extra attempts after a transport failure (timeout, refused connection, HTTP 5xx). */
  retries: number;
  /** Wait before the first retry; doubles on each further one. */
  retryDelayMs: number;
}

export const DEFAULT_RPC_POLICY: RpcPolicy = { timeoutMs: 5_000, retries: 2, retryDelayMs: 250 };

/** The node answered with a JSON-RPC error (not retried: the same request gets the same answer). */
export class PermRpcError extends Error {
  constructor(
    readonly node: string,
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
  ) {
    super(`${node}: ${method} refused (${code} ${rpcMessage})`);
    this.name = "PermRpcError";
  }
}

/** The node could not be reached or answered something that is not JSON-RPC, after every attempt. */
export class NodeUnreachableError extends Error {
  constructor(
    readonly node: string,
    message: string,
  ) {
    super(`${node}: ${message}`);
    this.name = "NodeUnreachableError";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PermClient {
  private id = 0;

  constructor(
    readonly endpoint: NodeEndpoint,
    private readonly policy: RpcPolicy = DEFAULT_RPC_POLICY,
  ) {}

  private token(): string | undefined {
    if (this.endpoint.token) return this.endpoint.token;
    if (this.endpoint.tokenFile) return fs.readFileSync(this.endpoint.tokenFile, "utf8").trim();
    return undefined;
  }

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const { name, url } = this.endpoint;
    let lastError = "";
    for (let attempt = 0; attempt <= this.policy.retries; attempt++) {
      if (attempt > 0) await sleep(this.policy.retryDelayMs * 2 ** (attempt - 1));
      const headers: Record<string, string> = { "content-type": "application/json" };
      const token = this.token();
      if (token) headers.authorization = `Bearer ${token}`;
      let status: number;
      let text: string;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers,
          body: JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params }),
          signal: AbortSignal.timeout(this.policy.timeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        lastError = err.name === "TimeoutError" ? `no answer within ${this.policy.timeoutMs} ms` : (err.cause?.code ?? err.message);
        continue;
      }
      let body: { result?: unknown; error?: { code: number; message: string } } | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (body?.error) throw new PermRpcError(name, method, body.error.code, body.error.message);
      if (status === 401 || status === 403) throw new PermRpcError(name, method, -40100, `HTTP ${status} Unauthorized`);
      if (status >= 500 || !body || !("result" in body)) {
        lastError = `HTTP ${status}: ${text.slice(0, 120)}`;
        continue;
      }
      return body.result as T;
    }
    throw new NodeUnreachableError(name, `${method} failed after ${this.policy.retries + 1} attempt(s): ${lastError}`);
  }

  getAccounts(): Promise<string[]> {
    return this.call<string[]>("perm_getAccountsAllowlist");
  }

  getNodes(): Promise<string[]> {
    return this.call<string[]>("perm_getNodesAllowlist");
  }

  private async change(method: string, entries: string[]): Promise<void> {
    const result = await this.call<string>(method, [entries]);
    if (result !== "Success") throw new PermRpcError(this.endpoint.name, method, 0, `unexpected result ${JSON.stringify(result)}`);
  }

  addAccounts(accounts: string[]): Promise<void> {
    return this.change("perm_addAccountsToAllowlist", accounts);
  }

  removeAccounts(accounts: string[]): Promise<void> {
    return this.change("perm_removeAccountsFromAllowlist", accounts);
  }

  addNodes(enodes: string[]): Promise<void> {
    return this.change("perm_addNodesToAllowlist", enodes);
  }

  removeNodes(enodes: string[]): Promise<void> {
    return this.change("perm_removeNodesFromAllowlist", enodes);
  }
}
