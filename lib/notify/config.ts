/**
 * `notify.json`: what the watcher follows and whom it tells. Documented in docs/notifications.md; a
 * complete example is `notify.example.json`. Secrets are never in the file: it names environment variables.
 */
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../core/cli";

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  /** Do not upgrade with STARTTLS even when offered (local relays). */
  ignoreTLS?: boolean;
  /** Environment variable holding the SMTP user name (no authentication when absent). */
  userEnv?: string;
  /** Environment variable holding the SMTP password. */
  passEnv?: string;
  /** Sender, e.g. `"csd-ledger <notify@csd.example>"`. */
  from: string;
  /** Time one e-mail attempt may take, in ms (default 30000). */
  timeoutMs: number;
}

export interface WebhookSettings {
  /** Default webhook: receives every event (optional). */
  url?: string;
  /** Environment variable holding the HMAC-SHA256 secret that signs every webhook body. */
  secretEnv: string;
  /** Header carrying `sha256=<hex HMAC of the body>` (default `X-CSD-Signature`). */
  header?: string;
  /** Time one webhook attempt may take, in ms (default 10000). */
  timeoutMs: number;
}

export interface Contact {
  email?: string[];
  webhook?: string[];
}

export interface RetryPolicy {
  /** Attempts per delivery, across runs, before it goes to the dead letters (default 5). */
  maxAttempts: number;
  /** Delay before the second attempt, doubled for each further one (default 500 ms). */
  baseBackoffMs: number;
  /** Longest delay between two attempts (default 60000 ms). */
  maxBackoffMs: number;
}

export interface NotifyConfig {
  /** JSON-RPC URL; default the selected Hardhat network's provider. */
  rpcUrl?: string;
  /** Deployment file network name; default the selected Hardhat network. */
  network?: string;
  /** Deployment names to follow; default every contract of the deployment file (and the issued tokens). */
  contracts?: string[];
  /** Follow the token proxies issued by the factory (default true). */
  followTokens: boolean;
  /** First block; default the deployment's first block. */
  startBlock?: number;
  /** Checkpoint file (resume point, sent keys and outbox); relative to the configuration file. */
  checkpoint: string;
  /** Poll interval in ms (default 2000). */
  pollIntervalMs: number;
  /** Blocks an event must be under before it is sent (default 0). */
  confirmations: number;
  /** Largest block range per `eth_getLogs` (default 2000). */
  batchBlocks: number;
  smtp?: SmtpSettings;
  webhook?: WebhookSettings;
  /** Participant id (decimal string) → contacts. */
  contacts: Record<string, Contact>;
  retry: RetryPolicy;
}

function fail(file: string, message: string): never {
  throw new UserError(`${file}: ${message}`);
}

function int(file: string, v: unknown, what: string, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(file, `"${what}" must be an integer ≥ ${min}`);
  return v;
}

function strings(file: string, v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) fail(file, `"${what}" must be a list of strings`);
  return v as string[];
}

/** Validates a parsed configuration and fills the defaults; `file` names it in errors, `dir` resolves paths. */
export function parseConfig(raw: unknown, file = "notify.json", dir = process.cwd()): NotifyConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(file, "must be a JSON object");
  const r = raw as Record<string, unknown>;
  const known = [
    "rpcUrl",
    "network",
    "contracts",
    "followTokens",
    "startBlock",
    "checkpoint",
    "pollIntervalMs",
    "confirmations",
    "batchBlocks",
    "smtp",
    "webhook",
    "contacts",
    "retry",
  ];
  for (const k of Object.keys(r)) if (!known.includes(k)) fail(file, `unknown setting "${k}" (known: ${known.join(", ")})`);
  let smtp: SmtpSettings | undefined;
  if (r.smtp !== undefined) {
    const s = r.smtp as Record<string, unknown>;
    if (typeof s.host !== "string" || s.host === "") fail(file, `"smtp.host" is required`);
    if (typeof s.from !== "string" || s.from === "") fail(file, `"smtp.from" is required`);
    smtp = {
      host: s.host,
      port: int(file, s.port ?? 25, "smtp.port", 1),
      secure: s.secure === true,
      ignoreTLS: s.ignoreTLS === true,
      userEnv: s.userEnv as string | undefined,
      passEnv: s.passEnv as string | undefined,
      from: s.from,
      timeoutMs: int(file, s.timeoutMs ?? 30_000, "smtp.timeoutMs", 1),
    };
  }
  let webhook: WebhookSettings | undefined;
  if (r.webhook !== undefined) {
    const w = r.webhook as Record<string, unknown>;
    if (typeof w.secretEnv !== "string" || w.secretEnv === "") fail(file, `"webhook.secretEnv" names the variable holding the HMAC secret`);
    if (w.url !== undefined && typeof w.url !== "string") fail(file, `"webhook.url" must be a URL`);
    webhook = {
      url: w.url as string | undefined,
      secretEnv: w.secretEnv,
      header: typeof w.header === "string" ? w.header : "X-CSD-Signature",
      timeoutMs: int(file, w.timeoutMs ?? 10_000, "webhook.timeoutMs", 1),
    };
  }
  const contacts: Record<string, Contact> = {};
  for (const [id, c] of Object.entries((r.contacts ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!/^[1-9]\d*$/.test(id)) fail(file, `contact key "${id}" is not a participant id`);
    const email = strings(file, c.email, `contacts.${id}.email`);
    const hooks = strings(file, c.webhook, `contacts.${id}.webhook`);
    if (email && !smtp) fail(file, `contacts.${id} has e-mail addresses but "smtp" is not configured`);
    if (hooks && !webhook) fail(file, `contacts.${id} has webhooks but "webhook" (secret) is not configured`);
    contacts[id] = { email, webhook: hooks };
  }
  const retry = (r.retry ?? {}) as Record<string, unknown>;
  if (r.checkpoint !== undefined && (typeof r.checkpoint !== "string" || r.checkpoint === "")) fail(file, `"checkpoint" must be a path`);
  return {
    rpcUrl: r.rpcUrl as string | undefined,
    network: r.network as string | undefined,
    contracts: strings(file, r.contracts, "contracts"),
    followTokens: r.followTokens !== false,
    startBlock: r.startBlock === undefined ? undefined : int(file, r.startBlock, "startBlock"),
    checkpoint: path.resolve(dir, (r.checkpoint as string | undefined) ?? "notify.checkpoint.json"),
    pollIntervalMs: int(file, r.pollIntervalMs ?? 2000, "pollIntervalMs", 10),
    confirmations: int(file, r.confirmations ?? 0, "confirmations"),
    batchBlocks: int(file, r.batchBlocks ?? 2000, "batchBlocks", 1),
    smtp,
    webhook,
    contacts,
    retry: {
      maxAttempts: int(file, retry.maxAttempts ?? 5, "retry.maxAttempts", 1),
      baseBackoffMs: int(file, retry.baseBackoffMs ?? 500, "retry.baseBackoffMs"),
      maxBackoffMs: int(file, retry.maxBackoffMs ?? 60_000, "retry.maxBackoffMs"),
    },
  };
}

/** Reads and validates a configuration file. */
export function loadConfig(file: string): NotifyConfig {
  if (!fs.existsSync(file)) throw new UserError(`${file}: no such configuration file (see notify.example.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseConfig(raw, file, path.dirname(path.resolve(file)));
}
