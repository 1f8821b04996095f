/**
 * A crowdfunding platform's load client: sends a deterministic stream of quota operations for one
 * platform signer, in windows of transactions in flight, and survives being killed. Before a window is
 * sent it is written to the state file (write-ahead); on restart the pending window is sent again with the
 * same references and parameters, so the registry recognises what was already applied and nothing counts
 * twice.
 *
 * Usage (environment): RPC_URL, PRIVATE_KEY, QUOTA_ADDRESS, STATE_FILE, CLIENT_SEED, OPS, INVESTOR_KEYS
 * (comma-separated), OFFERINGS (comma-separated ids), WINDOW (default 25).
 * Run: node -r ts-node/register/transpile-only scripts/quota/load-client.ts
 */
import fs from "node:fs";
import path from "node:path";
import { ethers } from "ethers";

interface Item {
  op: number;
  ref: string;
  investorKey: string;
  offeringId: number;
  amount: string;
  expiry: string;
}
interface State {
  next: number;
  pending: Item[][] | null;
  sent: number;
  /** Reservation expiries already chosen, so a retry after a restart repeats them exactly. */
  expiries: Record<string, string>;
}

const OP = { Reserve: 0, Confirm: 1, Cancel: 2, Consume: 3, Refund: 4, Expire: 5 };

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  const random = rng(seed);
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
      item = fresh(OP.Reserve);
      ttl = random() < 0.3 ? 2 : 60; // short reservations lapse and get expired
      reservations.push(item);
    } else if (r < 0.5) {
      item = fresh(OP.Consume);
      consumptions.push(item);
    } else if (r < 0.65) {
      item = { ...pick(reservations), op: OP.Confirm };
    } else if (r < 0.72) {
      item = { ...pick(reservations), op: OP.Cancel };
    } else if (r < 0.8) {
      item = { ...pick(reservations), op: OP.Expire };
    } else if (r < 0.85 && consumptions.length > 0) {
      item = { ...pick(consumptions), op: OP.Refund };
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

  const sendWindow = async (txs: Item[][]) => {
    let nonce = await provider.getTransactionCount(wallet.address, "pending");
    const sent = [];
    for (const items of txs) {
      const data = quota.interface.encodeFunctionData("execute", [items, false]);
      sent.push(
        await wallet.sendTransaction({ to: quota.target, data, nonce: nonce++, gasLimit: 300_000n + 120_000n * BigInt(items.length) }),
      );
    }
    for (const tx of sent) await tx.wait();
  };

  if (state.pending) {
    console.log(`client ${seed}: resuming, re-sending pending window at op ${state.next}`);
    await sendWindow(state.pending);
    state.next += state.pending.reduce((n, t) => n + t.length, 0);
    state.sent += state.pending.reduce((n, t) => n + t.length, 0);
    state.pending = null;
    save();
  }
  while (state.next < total) {
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const txs: Item[][] = [];
    let i = state.next;
    while (i < total && txs.length < windowSize) {
      // One transaction in five carries a batch of up to 5 operations.
      const size = random() < 0.2 ? Math.min(5, total - i) : 1;
      const items = stream.slice(i, i + size).map(({ item, ttl }) => {
        if (item.op !== OP.Reserve) return { ...item, expiry: state.expiries[item.ref] ?? item.expiry };
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
    state.sent += txs.reduce((n, t) => n + t.length, 0);
    state.pending = null;
    save();
  }
  console.log(`client ${seed}: done, ${total} operations`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
