import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  eventId: string;
}

/** Decodes the text part of a plain nodemailer message (7bit or quoted-printable). */
function parseMail(raw: string, from: string, to: string[]): Mail {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  let body = raw.slice(split + 4);
  const header = (name: string) => head.match(new RegExp(`^${name}:\\s*(.*)$`, "im"))?.[1] ?? "";
  if (/quoted-printable/i.test(header("Content-Transfer-Encoding"))) {
    body = Buffer.from(
      body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h) => String.fromCharCode(parseInt(h, 16))),
      "latin1",
    ).toString("utf8");
  }
  return { from, to, subject: header("Subject"), text: body.replace(/\r\n/g, "\n"), eventId: header("X-CSD-Event-Id") };
}

/** An in-process SMTP server on a free 127.0.0.1 port that keeps every message it accepts. */
export async function startSmtpSink(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        mails.push(
          parseMail(
            Buffer.concat(chunks).toString("utf8"),
            from,
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface Hook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request was complete. */
  at: number;
}

/** How a path answers: 500 to every request, or never (the request hangs until the client gives up). */
export type Route = "500" | "hang";

/**
 * A node:http listener on a free 127.0.0.1 port that records every POST; `failFirst` requests are
 * answered 503 first (and recorded in `refused`); paths set with `setRoute` answer 500 (recorded in
 * `refused`) or hang (recorded in `hung`).
 */
export async function startHttpSink(opts: { failFirst?: number } = {}) {
  const hooks: Hook[] = [];
  const refused: Hook[] = [];
  const hung: Hook[] = [];
  const routes = new Map<string, Route>();
  let failures = opts.failFirst ?? 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const hook = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      const route = routes.get(hook.path);
      if (route === "hang") {
        hung.push(hook);
        return;
      }
      if (route === "500") {
        refused.push(hook);
        res.writeHead(500).end("internal error");
        return;
      }
      if (failures > 0) {
        failures--;
        refused.push(hook);
        res.writeHead(503).end("busy");
        return;
      }
      hooks.push(hook);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hooks,
    refused,
    hung,
    setFailures(n: number) {
      failures = n;
    },
    setRoute(path: string, route: Route | undefined) {
      if (route) routes.set(path, route);
      else routes.delete(path);
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
