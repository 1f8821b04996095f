/** The two delivery channels: SMTP e-mail (nodemailer) and an HMAC-signed JSON webhook. */
import crypto from "node:crypto";
import type { Delivery } from "./checkpoint";
import type { NotifyConfig } from "./config";
import type { Send } from "./queue";
import { UserError } from "../core/cli";

export type { Send };

/** `sha256=<hex HMAC-SHA256 of body>`: what the signature header carries. */
export function signBody(body: string, secret: string): string {
  return "sha256=" + crypto.createHmac("sha256", secret).update(body).digest("hex");
}

/** Checks a webhook signature header in constant time (for receivers). */
export function verifySignature(body: string, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header ?? "");
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

function env(name: string | undefined, what: string): string | undefined {
  if (!name) return undefined;
  const v = process.env[name];
  if (v === undefined || v === "") throw new UserError(`${what}: environment variable ${name} is not set`);
  return v;
}

/** A sender per channel, from the configuration (secrets read from the environment now, never logged). */
export async function createSenders(config: NotifyConfig): Promise<{ email?: Send; webhook?: Send; close(): void }> {
  let email: Send | undefined;
  let close = () => undefined as void;
  if (config.smtp) {
    const s = config.smtp;
    const user = env(s.userEnv, "smtp.userEnv");
    const pass = env(s.passEnv, "smtp.passEnv");
    const nodemailer = await import("nodemailer");
    const transport = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure,
      ignoreTLS: s.ignoreTLS,
      auth: user !== undefined ? { user, pass } : undefined,
      // Each attempt ends within the configured time even on a silent server.
      connectionTimeout: s.timeoutMs,
      greetingTimeout: s.timeoutMs,
      socketTimeout: s.timeoutMs,
    });
    close = () => transport.close();
    email = async (d) => {
      await transport.sendMail({ from: s.from, to: d.target, subject: d.subject, text: d.text, headers: { "X-CSD-Event-Id": d.key } });
    };
  }
  let webhook: Send | undefined;
  if (config.webhook) {
    const w = config.webhook;
    const secret = env(w.secretEnv, "webhook.secretEnv")!;
    // The queue aborts `signal` when the attempt's time (webhook.timeoutMs) is up.
    webhook = async (d, signal) => {
      const res = await fetch(d.target, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [w.header ?? "X-CSD-Signature"]: signBody(d.body!, secret),
          "X-CSD-Delivery": d.key,
        },
        body: d.body,
        signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status} from ${d.target}`);
    };
  }
  return { email, webhook, close };
}
