/**
 * A stand-in for one Besu node's admin JSON-RPC endpoint with local permissioning on: the PERM methods
 * on an HTTP server at 127.0.0.1 on a free port, keeping the account and node allowlists in memory.
 * Written from Besu's source and documentation (Besu itself is not started by the tests):
 *
 * - Methods and results: `ethereum/api/.../internal/methods/permissioning/Perm*.java`. A successful change
 *   answers `new JsonRpcSuccessResponse(id)`, whose result is the string "Success"
 *   (`JsonRpcSuccessResponse.SUCCESS_RESULT`); the getters answer the list.
 * - Validation and errors: `AccountLocalConfigPermissioningController.addAccounts/removeAccounts`
 *   (accounts lower-cased; empty → invalid → duplicates checked in that order; one existing entry on add or
 *   one absent entry on remove refuses the whole call) and `RpcErrorType` (all -32000):
 *     ACCOUNT_ALLOWLIST_EMPTY_ENTRY      "Request contains an empty list of accounts"
 *     ACCOUNT_ALLOWLIST_INVALID_ENTRY    "Request contains an invalid account"   (not 0x + 20 bytes)
 *     ACCOUNT_ALLOWLIST_DUPLICATED_ENTRY "Request contains duplicate accounts"
 *     ACCOUNT_ALLOWLIST_EXISTING_ENTRY   "Cannot add an existing account to allowlist"
 *     ACCOUNT_ALLOWLIST_ABSENT_ENTRY     "Cannot remove an absent account from allowlist"
 *     NODE_ALLOWLIST_EMPTY_ENTRY         "Request contains an empty list of nodes"
 *     NODE_ALLOWLIST_INVALID_ENTRY       "Request contains an invalid node"
 *     NODE_ALLOWLIST_DUPLICATED_ENTRY    "Request contains duplicate nodes"
 *     NODE_ALLOWLIST_EXISTING_ENTRY      "Cannot add an existing node to allowlist"
 *     NODE_ALLOWLIST_MISSING_ENTRY       "Cannot remove an absent node from allowlist"
 *     NODE_ALLOWLIST_FIXED_NODE_CANNOT_BE_REMOVED
 *                                        "Cannot remove a fixed node (bootnode or static node) from allowlist"
 *   A method outside the enabled API groups answers -32601 "Method not found".
 * - Authentication (besu-docs "Authenticate and authorize JSON-RPC", JWT public key authentication with
 *   `--rpc-http-authentication-enabled` and `--rpc-http-authentication-jwt-public-key-file`, RS256 by
 *   default): the request carries `Authorization: Bearer <jwt>`; the token's `permissions` claim lists
 *   `"*:*"`, `"<group>:*"` or `"<group>:<method>"` (e.g. `"perm:*"`), and `exp` must lie ahead. Anything else
 *   is refused with HTTP 401 and `RpcErrorType.UNAUTHORIZED` (-40100 "Unauthorized").
 */
import http from "node:http";
import crypto from "node:crypto";
import { freePort } from "./node";

const ERR = {
  ACCOUNT_EMPTY: "Request contains an empty list of accounts",
  ACCOUNT_INVALID: "Request contains an invalid account",
  ACCOUNT_DUPLICATED: "Request contains duplicate accounts",
  ACCOUNT_EXISTING: "Cannot add an existing account to allowlist",
  ACCOUNT_ABSENT: "Cannot remove an absent account from allowlist",
  NODE_EMPTY: "Request contains an empty list of nodes",
  NODE_INVALID: "Request contains an invalid node",
  NODE_DUPLICATED: "Request contains duplicate nodes",
  NODE_EXISTING: "Cannot add an existing node to allowlist",
  NODE_MISSING: "Cannot remove an absent node from allowlist",
  NODE_FIXED: "Cannot remove a fixed node (bootnode or static node) from allowlist",
} as const;

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** An RS256 key pair, as the consortium's token issuer would hold. */
export function jwtKeyPair() {
  return crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
}

/** Signs an RS256 JWT with the given claims (e.g. `{ permissions: ["perm:*"], exp }`). */
export function signJwt(privateKey: crypto.KeyObject, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const sig = crypto.sign("RSA-SHA256", Buffer.from(`${head}.${body}`), privateKey);
  return `${head}.${body}.${b64url(sig)}`;
}

export interface PermDoubleOptions {
  /** When set, every request must carry a JWT signed by the matching private key. */
  jwtPublicKey?: crypto.KeyObject;
  /** Bootnodes and static nodes: listed, and refused on removal. */
  fixedNodes?: string[];
  accounts?: string[];
  nodes?: string[];
}

/** Besu's enode check, reduced: 128 hex id, host, port (`EnodeURLImpl.fromString`). */
function validEnode(e: unknown): boolean {
  return typeof e === "string" && /^enode:\/\/[0-9a-fA-F]{128}@[^:]+:\d{1,5}(\?.*)?$/.test(e);
}

export class BesuPermDouble {
  readonly accounts: string[] = [];
  readonly nodes: string[] = [];
  /** Methods received (after authentication), in order. */
  readonly calls: { method: string; params: unknown[] }[] = [];
  /** Requests refused for want of a valid token. */
  unauthorized = 0;
  port = 0;
  private server?: http.Server;
  private readonly fixed: Set<string>;

  constructor(private readonly opts: PermDoubleOptions = {}) {
    this.fixed = new Set(opts.fixedNodes ?? []);
    this.accounts.push(...(opts.accounts ?? []).map((a) => a.toLowerCase()));
    this.nodes.push(...(opts.fixedNodes ?? []), ...(opts.nodes ?? []));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get reachable(): boolean {
    return this.server !== undefined;
  }

  /** Starts listening (again, on the same port after `stop()`). */
  async start(): Promise<this> {
    if (this.server) return this;
    if (!this.port) this.port = await freePort();
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    return this;
  }

  /** Stops answering: connections are refused until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private authorised(req: http.IncomingMessage, method: string): boolean {
    const key = this.opts.jwtPublicKey;
    if (!key) return true;
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    if (!m) return false;
    const [head, body, sig] = m[1].split(".");
    if (!head || !body || !sig) return false;
    try {
      if (JSON.parse(Buffer.from(head, "base64url").toString()).alg !== "RS256") return false;
      if (!crypto.verify("RSA-SHA256", Buffer.from(`${head}.${body}`), key, Buffer.from(sig, "base64url"))) return false;
      const claims = JSON.parse(Buffer.from(body, "base64url").toString()) as { exp?: number; permissions?: string[] };
      if (typeof claims.exp !== "number" || claims.exp * 1000 <= Date.now()) return false;
      const [group, name] = method.split("_");
      return (claims.permissions ?? []).some((p) => p === "*:*" || p === `${group}:*` || p === `${group}:${name}`);
    } catch {
      return false;
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = "";
    req.on("data", (d) => (raw += String(d)));
    req.on("end", () => {
      let id: unknown = null;
      const send = (status: number, body: Record<string, unknown>) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id, ...body }));
      };
      try {
        const msg = JSON.parse(raw) as { id: unknown; method: string; params?: unknown[] };
        id = msg.id;
        if (!this.authorised(req, msg.method)) {
          this.unauthorized++;
          return send(401, { error: { code: -40100, message: "Unauthorized" } });
        }
        this.calls.push({ method: msg.method, params: msg.params ?? [] });
        send(200, { result: this.dispatch(msg.method, msg.params ?? []) });
      } catch (e) {
        if (e instanceof RpcError) return send(200, { error: { code: e.code, message: e.message } });
        send(200, { error: { code: -32700, message: "Parse error" } });
      }
    });
  }

  private dispatch(method: string, params: unknown[]): unknown {
    const list = params[0];
    switch (method) {
      case "perm_getAccountsAllowlist":
        return [...this.accounts];
      case "perm_getNodesAllowlist":
        return [...this.nodes];
      case "perm_addAccountsToAllowlist": {
        const accounts = this.checkAccounts(list);
        if (accounts.some((a) => this.accounts.includes(a))) throw new RpcError(-32000, ERR.ACCOUNT_EXISTING);
        this.accounts.push(...accounts);
        return "Success";
      }
      case "perm_removeAccountsFromAllowlist": {
        const accounts = this.checkAccounts(list);
        if (!accounts.every((a) => this.accounts.includes(a))) throw new RpcError(-32000, ERR.ACCOUNT_ABSENT);
        for (const a of accounts) this.accounts.splice(this.accounts.indexOf(a), 1);
        return "Success";
      }
      case "perm_addNodesToAllowlist": {
        const nodes = this.checkNodes(list);
        if (nodes.some((n) => this.nodes.includes(n))) throw new RpcError(-32000, ERR.NODE_EXISTING);
        this.nodes.push(...nodes);
        return "Success";
      }
      case "perm_removeNodesFromAllowlist": {
        const nodes = this.checkNodes(list);
        if (nodes.some((n) => this.fixed.has(n))) throw new RpcError(-32000, ERR.NODE_FIXED);
        if (!nodes.every((n) => this.nodes.includes(n))) throw new RpcError(-32000, ERR.NODE_MISSING);
        for (const n of nodes) this.nodes.splice(this.nodes.indexOf(n), 1);
        return "Success";
      }
      default:
        throw new RpcError(-32601, "Method not found");
    }
  }

  private checkAccounts(list: unknown): string[] {
    if (!Array.isArray(list) || list.length === 0) throw new RpcError(-32000, ERR.ACCOUNT_EMPTY);
    const accounts = list.map((a) => String(a).toLowerCase());
    if (!accounts.every((a) => /^0x[0-9a-f]{40}$/.test(a))) throw new RpcError(-32000, ERR.ACCOUNT_INVALID);
    if (new Set(accounts).size !== accounts.length) throw new RpcError(-32000, ERR.ACCOUNT_DUPLICATED);
    return accounts;
  }

  private checkNodes(list: unknown): string[] {
    if (!Array.isArray(list) || list.length === 0) throw new RpcError(-32000, ERR.NODE_EMPTY);
    if (!list.every(validEnode)) throw new RpcError(-32000, ERR.NODE_INVALID);
    const nodes = list as string[];
    if (new Set(nodes).size !== nodes.length) throw new RpcError(-32000, ERR.NODE_DUPLICATED);
    return nodes;
  }
}
