/**
 * A crowdfunding platform's load client: sends a deterministic stream of quota operations for one
 * platform signer, in windows of transactions in flight, and survives being killed. Before a window is
 * sent it is written to the state file (write-ahead); on restart the pending window is sent again with the
 * same references and parameters, so the registry recognises what was already applied and nothing counts
 * twice.
 *
 * Besides the stream, a window may carry a committed batch (`executeCommitted`) of fresh reservations and
 * consumptions under the client's sequence references, an identical retry of an earlier one, or a follow-up
 * (confirm, cancel, refund, expire) on one of its items with a Merkle proof. These are extra operations:
 * OPS counts the stream only.
 *
 * Usage (environment): RPC_URL, PRIVATE_KEY, QUOTA_ADDRESS, STATE_FILE, CLIENT_SEED, OPS, INVESTOR_KEYS
 * (comma-separated), OFFERINGS (comma-separated ids), WINDOW (default 25), COMMITTED (share of windows
 * that carry committed-batch work, default 0).
 * Run: node -r ts-node/register/transpile-only scripts/quota/load-client.ts
 */
import fs from "node:fs";
import path from "node:path";
import { ethers } from "ethers";
import { committedTree, QUOTA_OPS, type CommittedItem, type QuotaOpName } from "../../lib/quota";
import { seededRandom } from "../../lib/core/random";

interface Item {
  op: number;
  ref: string;
  investorKey: string;
  offeringId: number;
  amount: string;
  expiry: string;
}
/** A committed batch as kept in the state file (amounts and expiries as strings). */
interface Committed {
  firstRef: string;
  items: { investorKey: string; offeringId: number; amount: string; expiry: string }[];
}
/** One transaction of a window: a batch of stream items, a committed batch, or a follow-up with a proof. */
type Tx = Item[] | { committed: Committed } | { follow: { op: string; seqRef: string; batch: Committed } };

interface State {
  next: number;
  pending: Tx[] | null;
  sent: number;
  /** Reservation expiries already chosen, so a retry after a restart repeats them exactly. */
  expiries: Record<string, string>;
  /** Committed batches sent so far and the next free sequence reference. */
  batches?: Committed[];
  nextSeq?: string;
}

/** Index of a `QuotaOp` by name. */
const opIndex = (name: QuotaOpName): number => QUOTA_OPS.indexOf(name);

async function main(): Promise<void> {
  const env = (k: string) => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set`);
    return v;
  };
  const provider = new ethers.JsonRpcProvider(env("RPC_URL"), undefined, { polling: true, pollingInterval: 200, batchMaxCount: 1 });
  const wallet = new ethers.Wallet(env("PRIVATE_KEY"), provider);
  const artifact = JSON.parse(
    fs.readFileSync(path.join(__dirname, "../../artifacts/contracts/quota/QuotaRegistry.sol/QuotaRegistry.json"), "utf8"),
  );
  const quota = new ethers.Contract(env("QUOTA_ADDRESS"), artifact.abi, wallet);
  const stateFile = env("STATE_FILE");
  const seed = Number(env("CLIENT_SEED"));
  const total = Number(env("OPS"));
  const windowSize = Number(process.env.WINDOW ?? 25);
  const investors = env("INVESTOR_KEYS").split(",");
  const offerings = env("OFFERINGS").split(",").map(Number);

  // Operations are generated from the seed alone, so a restarted client regenerates the same stream.
  const random = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const history: Item[] = [];
  const reservations: Item[] = [];
  const consumptions: Item[] = [];
  const stream: { item: Item; ttl: number }[] = [];
  for (let i = 0; i < total; i++) {
    const r = random();
    let item: Item;
    let ttl = 0;
    const fresh = (op: number): Item => ({
      op,
      ref: ethers.id(`client-${seed}-op-${i}`),
      investorKey: pick(investors),
      offeringId: pick(offerings),
      amount: String(50 + Math.floor(random() * 350)),
      expiry: "0",
    });
    if (r < 0.3 || reservations.length === 0) {
      item = fresh(opIndex("Reserve"));
      ttl = random() < 0.3 ? 2 : 60; // short reservations lapse and get expired
      reservations.push(item);
    } else if (r < 0.5) {
      item = fresh(opIndex("Consume"));
      consumptions.push(item);
    } else if (r < 0.65) {
      item = { ...pick(reservations), op: opIndex("Confirm") };
    } else if (r < 0.72) {
      item = { ...pick(reservations), op: opIndex("Cancel") };
    } else if (r < 0.8) {
      item = { ...pick(reservations), op: opIndex("Expire") };
    } else if (r < 0.85 && consumptions.length > 0) {
      item = { ...pick(consumptions), op: opIndex("Refund") };
    } else if (r < 0.95 && history.length > 0) {
      item = { ...pick(history) }; // an identical retry of an earlier operation
    } else {
      const base = pick(history.length > 0 ? history : reservations);
      item = { ...base, amount: String(Number(base.amount) + 1) }; // same reference, other parameters
    }
    history.push(item);
    stream.push({ item, ttl });
  }

  const state: State = fs.existsSync(stateFile)
    ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as State)
    : { next: 0, pending: null, sent: 0, expiries: {} };
  const save = () => {
    const tmp = `${stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, stateFile);
  };

  const platformId = Number(env("PLATFORM_ID"));
  const itemsOf = (c: Committed): CommittedItem[] => c.items.map((x) => ({ ...x, amount: BigInt(x.amount), expiry: BigInt(x.expiry) }));
  const sendWindow = async (txs: Tx[]) => {
    let nonce = await provider.getTransactionCount(wallet.address, "pending");
    const sent = [];
    for (const t of txs) {
      let data: string;
      let gasLimit = 400_000n;
      if (Array.isArray(t)) {
        data = quota.interface.encodeFunctionData("execute", [t, false]);
        gasLimit = 300_000n + 120_000n * BigInt(t.length);
      } else if ("committed" in t) {
        data = quota.interface.encodeFunctionData("executeCommitted", [BigInt(t.committed.firstRef), itemsOf(t.committed), false]);
      } else {
        const items = itemsOf(t.follow.batch);
        const first = BigInt(t.follow.batch.firstRef);
        const index = Number(BigInt(t.follow.seqRef) - first);
        const proof = committedTree(platformId, first, items).proof(index);
        const args = [BigInt(t.follow.seqRef), first, items[index], proof];
        data =
          t.follow.op === "expire"
            ? quota.interface.encodeFunctionData("expireCommitted", [platformId, ...args])
            : quota.interface.encodeFunctionData(`${t.follow.op}Committed`, args);
      }
      sent.push({
        tx: await wallet.sendTransaction({ to: quota.target, data, nonce: nonce++, gasLimit }),
        follow: !Array.isArray(t) && "follow" in t,
      });
    }
    for (const { tx, follow } of sent) {
      // A follow-up the item's status does not allow (e.g. confirming a lapsed reservation) reverts: that is fine.
      await tx.wait().catch((err) => {
        if (!follow) throw err;
      });
    }
  };

  if (state.pending) {
    console.log(`client ${seed}: resuming, re-sending pending window at op ${state.next}`);
    await sendWindow(state.pending);
    const streamed = state.pending.reduce((n, t) => n + (Array.isArray(t) ? t.length : 0), 0);
    state.next += streamed;
    state.sent += streamed;
    state.pending = null;
    save();
  }
  const committedShare = Number(process.env.COMMITTED ?? 0);
  const extra = seededRandom(seed + 1000);
  state.batches ??= [];
  state.nextSeq ??= "0";
  while (state.next < total) {
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const txs: Tx[] = [];
    if (extra() < committedShare) {
      const r = extra();
      if (r < 0.5 || state.batches.length === 0) {
        const size = 2 + Math.floor(extra() * 5);
        const c: Committed = {
          firstRef: state.nextSeq,
          items: Array.from({ length: size }, () => ({
            investorKey: pick(investors),
            offeringId: pick(offerings),
            amount: String(50 + Math.floor(extra() * 350)),
            expiry: extra() < 0.5 ? "0" : String(now + (extra() < 0.3 ? 2n : 60n)),
          })),
        };
        state.nextSeq = String(BigInt(state.nextSeq) + BigInt(size));
        state.batches.push(c);
        txs.push({ committed: c });
      } else if (r < 0.6) {
        txs.push({ committed: state.batches[Math.floor(extra() * state.batches.length)] }); // an identical retry
      } else {
        const batch = state.batches[Math.floor(extra() * state.batches.length)];
        const index = Math.floor(extra() * batch.items.length);
        const reserved = batch.items[index].expiry !== "0";
        const op = reserved ? (["confirm", "confirm", "cancel", "expire"] as const)[Math.floor(extra() * 4)] : "refund";
        txs.push({ follow: { op, seqRef: String(BigInt(batch.firstRef) + BigInt(index)), batch } });
      }
    }
    let i = state.next;
    while (i < total && txs.length < windowSize) {
      // One transaction in five carries a batch of up to 5 operations.
      const size = random() < 0.2 ? Math.min(5, total - i) : 1;
      const items = stream.slice(i, i + size).map(({ item, ttl }) => {
        if (item.op !== opIndex("Reserve")) return { ...item, expiry: state.expiries[item.ref] ?? item.expiry };
        const known = state.expiries[item.ref];
        const expiry = known ?? String(now + BigInt(ttl));
        if (!known) state.expiries[item.ref] = expiry;
        return { ...item, expiry };
      });
      txs.push(items);
      i += size;
    }
    state.pending = txs;
    save();
    await sendWindow(txs);
    state.next = i;
    state.sent += txs.reduce((n, t) => n + (Array.isArray(t) ? t.length : 0), 0);
    state.pending = null;
    save();
  }
  console.log(`client ${seed}: done, ${total} operations`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
