/**
 * The watcher's checkpoint: where to resume, the outbox of deliveries of processed blocks not yet sent (with
 * their attempts so far), and the dead letters (deliveries that failed their last attempt). Written atomically.
 */
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../core/cli";

/** A delivery ready to send: everything needed without reading the chain again. */
export interface Delivery {
  /** `<txHash>:<logIndex>:<recipient>:<channel>:<target>`: sent at most once. */
  key: string;
  block: number;
  /** `participant <id>` or `default`. */
  recipient: string;
  channel: "email" | "webhook";
  /** E-mail addresses (comma-separated) or webhook URL. */
  target: string;
  subject?: string;
  text?: string;
  /** Webhook body, exactly as signed and sent. */
  body?: string;
  attempts: number;
  lastError?: string;
}

export interface Checkpoint {
  version: 1;
  chainId: number;
  /** First block not yet fully processed. */
  nextBlock: number;
  /** Keys sent of blocks ≥ nextBlock (written by earlier versions, which sent while reading a range; now empty). */
  sent: string[];
  /** Deliveries of blocks < nextBlock waiting for their endpoint, oldest first. */
  outbox: Delivery[];
  /** Deliveries that failed every attempt; sent again only on request (`watch --retry-dead-letters`). */
  deadLetters?: Delivery[];
  updatedAt: string;
}

export function readCheckpoint(file: string): Checkpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const c = JSON.parse(fs.readFileSync(file, "utf8")) as Checkpoint;
    if (c.version !== 1 || !Number.isInteger(c.nextBlock)) throw new Error("unknown layout");
    return c;
  } catch (e) {
    throw new UserError(`checkpoint ${file} is unreadable (${(e as Error).message}); move it away to start again from the start block`);
  }
}

/** Temp file + rename: a killed process leaves the old or the new checkpoint, never a torn one. */
export function writeCheckpoint(file: string, c: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ ...c, updatedAt: new Date().toISOString() }, null, 2) + "\n");
  fs.renameSync(tmp, file);
}
