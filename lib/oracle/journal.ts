/**
 * The push journal: a JSON file written atomically (temp file + rename) after every transaction is sent
 * and after it is mined, so a run killed at any point knows which transactions may still be in flight.
 * The chain (the oracle's events) stays the source of truth for what was pushed; the journal makes sure
 * an in-flight transaction is settled (mined, failed, dropped or replaced) before the next run decides
 * what is left to send.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface JournalTx {
  /** "" while the transaction is being sent and the node has not returned its hash. */
  hash: string;
  nonce: number;
  /** The sender (older journals lack it: the current operator). */
  from?: string;
  items: number;
  first: string;
  last: string;
  /**
   * sending: handed to the node, hash not known yet; sent: hash known, not mined yet; mined / failed: in a
   * block; dropped: the node forgot it and its nonce is free; replaced: another transaction took its nonce;
   * unknown: sent without a hash and its nonce was used (the chain's events tell what arrived).
   */
  status: "sending" | "sent" | "mined" | "failed" | "dropped" | "replaced" | "unknown";
  gasUsed?: string;
}

export interface Journal {
  version: 1;
  chainId: number;
  oracle: string;
  inputs: Record<string, string>;
  status: "running" | "completed";
  startedAt: string;
  updatedAt: string;
  runs: number;
  txs: JournalTx[];
}

export function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

export function readJournal(file: string): Journal | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Journal;
  } catch {
    // A torn file cannot exist (atomic writes); an unreadable one is treated as absent.
    return undefined;
  }
}

export function writeJournal(file: string, j: Journal): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w");
  fs.writeSync(fd, JSON.stringify({ ...j, updatedAt: new Date().toISOString() }, null, 2) + "\n");
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}
