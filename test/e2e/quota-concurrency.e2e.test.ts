import { expect } from "chai";
import hre from "hardhat";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers } from "ethers";
import { investorKey, periodOf, QUOTA_OPS, QUOTA_RESULTS, UNLIMITED, unpackCommittedItems, QuotaModel } from "../../lib/quota";
import { StandaloneNode, startNode } from "../helpers/node";

// Every platform sees one quota in real time: 4 platform clients send 2,000 random operations at once to
// a standalone node with interval mining; one client is killed mid-run and restarted. The final on-chain
// state must equal the sequential model fed with the chain's events in block order.

const ROOT = path.resolve(__dirname, "../..");
const MNEMONIC = "test test test test test test test test test test test junk";
const PLATFORM_ACCOUNTS = [6, 7, 16, 17];
const TOTAL_OPS = 2000;
const INVESTORS = 200;

const wallet = (i: number, provider: ethers.Provider) =>
  ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);

function abi(contract: string, dir: string): ethers.InterfaceAbi {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts/contracts", dir, `${contract}.sol`, `${contract}.json`), "utf8")).abi;
}

describe("QuotaRegistry concurrency against a standalone node", function () {
  this.timeout(600_000);
  let node: StandaloneNode | undefined;
  let tmp: string;
  let rpc: string;

  before(async function () {
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "csd-quota-e2e-"));
    node = await startNode({ blockTime: 1 });
    rpc = node.url;
    await hre.run("compile", { quiet: true });
    execFileSync("npx", ["hardhat", "suite:deploy", "--network", "localhost", "--json"], {
      cwd: ROOT,
      env: { ...process.env, LOCALHOST_RPC_URL: rpc, DEPLOYMENTS_DIR: tmp },
      stdio: "ignore",
    });
  });

  after(async function () {
    await node?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("keeps one consistent quota for 4 platforms, 2,000 operations, a killed client and retries", async function () {
    const deployment = JSON.parse(fs.readFileSync(path.join(tmp, "localhost.json"), "utf8"));
    const provider = new ethers.JsonRpcProvider(rpc, undefined, { pollingInterval: 200 });
    const admin = new ethers.NonceManager(wallet(0, provider));
    const registry = new ethers.Contract(deployment.contracts.ParticipantRegistry, abi("ParticipantRegistry", "access"), admin);
    const quota = new ethers.Contract(deployment.contracts.QuotaRegistry, abi("QuotaRegistry", "quota"), admin);

    // Setup: 4 platforms, 200 investors with contended quotas, 3 offerings (one with a tight cap, one with a
    // per-investor limit). Everything is sent at once and mined in a few blocks.
    const model = new QuotaModel();
    const pending: Promise<ethers.TransactionResponse>[] = [];
    for (const [i, account] of PLATFORM_ACCOUNTS.entries()) {
      pending.push(registry.addParticipant(4, ethers.id(`e2e-platform-${i}`), "0x434e", [wallet(account, provider).address]));
    }
    const salt = ethers.id("e2e-salt");
    const keys = Array.from({ length: INVESTORS }, (_, i) => investorKey(salt, `e2e-investor-${i}`));
    keys.forEach((k, i) => {
      const limit = i % 50 === 49 ? UNLIMITED : BigInt(600 + (i % 7) * 100);
      model.setQuota(k, limit);
      pending.push(quota.setQuota(k, limit));
    });
    const offerings: [bigint, bigint][] = [
      [10n ** 12n, 0n],
      [60_000n, 0n],
      [10n ** 12n, 500n],
    ];
    offerings.forEach(([cap, per], i) => {
      model.registerOffering(i + 1, cap, per);
      pending.push(quota.registerOffering(cap, per, ethers.encodeBytes32String(`e2e-${i + 1}`)));
    });
    const sent = await Promise.all(pending);
    await Promise.all(sent.map((t) => t.wait()));
    const platformIds = new Map<string, number>();
    for (const account of PLATFORM_ACCOUNTS) {
      const w = wallet(account, provider);
      platformIds.set(w.address, Number((await registry.signerOf(w.address))[0]));
    }
    const startBlock = await provider.getBlockNumber();

    // Four platform clients, each its own process and signer, 500 operations each.
    const perClient = TOTAL_OPS / PLATFORM_ACCOUNTS.length;
    const runClient = (index: number) => {
      const w = wallet(PLATFORM_ACCOUNTS[index], provider);
      return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts/quota/load-client.ts")], {
        cwd: ROOT,
        env: {
          ...process.env,
          RPC_URL: rpc,
          PRIVATE_KEY: w.privateKey,
          QUOTA_ADDRESS: deployment.contracts.QuotaRegistry,
          STATE_FILE: path.join(tmp, `client-${index}.json`),
          CLIENT_SEED: String(index + 1),
          OPS: String(perClient),
          INVESTOR_KEYS: keys.join(","),
          OFFERINGS: "1,2,3",
          WINDOW: "25",
          PLATFORM_ID: String(platformIds.get(w.address)),
          COMMITTED: "0.6",
        },
        stdio: ["ignore", "inherit", "inherit"],
      });
    };
    const exited = (c: ChildProcess) =>
      new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once("exit", (code) => resolve(code))));
    const started = Date.now();
    const clients = PLATFORM_ACCOUNTS.map((_, i) => runClient(i));

    // Kill client 2 once it has sent part of its stream, then start it again.
    const stateFile = path.join(tmp, "client-2.json");
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (!fs.existsSync(stateFile)) continue;
      const st = JSON.parse(fs.readFileSync(stateFile, "utf8"));
      if (st.next >= 100 && st.pending) break; // a window is in flight
    }
    await new Promise((r) => setTimeout(r, 150));
    expect(fs.existsSync(stateFile), "client 2 made progress before the kill").to.equal(true);
    clients[2].kill("SIGKILL");
    await exited(clients[2]);
    const atKill = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    const progressAtKill = atKill.next;
    expect(atKill.pending, "killed with a window in flight").to.not.equal(null);
    expect(progressAtKill).to.be.lessThan(perClient);
    clients[2] = runClient(2);

    const codes = await Promise.all(clients.map(exited));
    expect(codes).to.deep.equal([0, 0, 0, 0]);
    const seconds = (Date.now() - started) / 1000;

    // Replay every event in block order through the sequential model.
    const endBlock = await provider.getBlockNumber();
    const logs = await provider.getLogs({ address: deployment.contracts.QuotaRegistry, fromBlock: startBlock + 1, toBlock: endBlock });
    const iface = quota.interface;
    const times = new Map<number, bigint>();
    const counts: Record<string, number> = {};
    let items = 0;
    let committedItems = 0;
    const settledOp: Record<string, "Confirm" | "Cancel" | "Expire" | "Refund"> = {
      "2": "Confirm",
      "3": "Cancel",
      "4": "Expire",
      "6": "Refund",
    };
    for (const log of logs) {
      const ev = iface.parseLog(log)!;
      counts[ev.name] = (counts[ev.name] ?? 0) + 1;
      if (!times.has(log.blockNumber)) times.set(log.blockNumber, BigInt((await provider.getBlock(log.blockNumber))!.timestamp));
      const now = times.get(log.blockNumber)!;
      const opName = ev.name.replace(/^Quota/, "");
      const map: Record<string, string> = {
        Reserved: "Reserve",
        Consumed: "Consume",
        Confirmed: "Confirm",
        Cancelled: "Cancel",
        Expired: "Expire",
        Refunded: "Refund",
      };
      if (ev.name === "QuotaBatchCommitted") {
        // A committed batch: the model applies the packed items and must give every item the same result.
        const outcomes = unpackCommittedItems(ev.args.firstRef, ev.args.items);
        expect(Number(ev.args.period)).to.equal(periodOf(now));
        const got = model.commitBatch(
          Number(ev.args.platformId),
          ev.args.firstRef,
          outcomes.map(({ investorKey, offeringId, amount, expiry }) => ({ investorKey, offeringId, amount, expiry })),
          false,
          now,
          Number(ev.args.period),
        );
        expect(got, `batch ${ev.args.firstRef} in block ${log.blockNumber}`).to.deep.equal({
          results: outcomes.map((o) => QUOTA_RESULTS[o.result]),
          replay: false,
        });
        committedItems += outcomes.length;
        continue;
      }
      if (ev.name === "QuotaSequenceSettled") {
        const pid = Number(ev.args.platformId);
        const known = model.sequenceOf(pid, ev.args.seqRef);
        expect(known, `sequence ${ev.args.seqRef} was committed before`).to.not.equal(undefined);
        const outcome = model.settleSequence(
          pid,
          settledOp[String(ev.args.status)],
          ev.args.seqRef,
          { investorKey: ev.args.investorKey, offeringId: Number(ev.args.offeringId), amount: ev.args.amount, expiry: known!.item.expiry },
          now,
        );
        expect(outcome, `${ev.name} ${ev.args.seqRef} in block ${log.blockNumber}`).to.deep.equal({ result: "Ok", replay: false });
        committedItems++;
        continue;
      }
      if (ev.name === "QuotaBatchReplayed" || ev.name === "QuotaSequenceReplayed") continue;
      if (ev.name === "QuotaReplayed" || ev.name === "QuotaItemRejected") {
        items++;
        continue;
      }
      const op = map[opName];
      if (!op) continue;
      items++;
      const a = ev.args;
      expect(Number(a.period)).to.equal(op === "Reserve" || op === "Consume" ? periodOf(now) : Number(a.period));
      const outcome = model.apply(
        {
          platformId: Number(a.platformId),
          op: op as (typeof QUOTA_OPS)[number],
          ref: a.ref,
          investorKey: a.investorKey,
          offeringId: Number(a.offeringId),
          amount: a.amount,
          expiry: op === "Reserve" ? a.expiry : undefined,
        },
        now,
        Number(a.period),
      );
      expect(outcome, `${ev.name} ${a.ref} in block ${log.blockNumber}`).to.deep.equal({ result: "Ok", replay: false });
    }
    model.checkInvariant();

    // The chain's state equals the model's, for every investor and offering.
    const periods = new Set<number>([...model.usage.keys()].map((k) => Number(k.split(":")[1])));
    for (const period of periods) {
      for (const k of keys) {
        const u = model.usageOf(k, period);
        const [consumed, reserved] = await quota.usageOf(k, period);
        expect([consumed, reserved], `investor ${k} in ${period}`).to.deep.equal([u.consumed, u.reserved]);
        const [limit] = await quota.quotaOf(k);
        expect(consumed + reserved <= limit).to.equal(true);
      }
    }
    for (let id = 1; id <= offerings.length; id++) {
      const o = model.offerings.get(id)!;
      const onChain = await quota.offering(id);
      expect([onChain.consumed, onChain.reserved]).to.deep.equal([o.consumed, o.reserved]);
      expect(onChain.consumed + onChain.reserved <= onChain.cap).to.equal(true);
    }
    // Every operation of every client reached the chain at least once (the restarted one re-sent its window).
    expect(items).to.be.at.least(TOTAL_OPS);
    const resent = items - TOTAL_OPS;
    expect(counts.QuotaReplayed ?? 0, "identical retries recognised").to.be.greaterThan(0);
    expect(counts.QuotaItemRejected ?? 0, "contended operations refused").to.be.greaterThan(0);
    expect(counts.QuotaExpired ?? 0, "reservations expired").to.be.greaterThan(0);
    expect(counts.QuotaBatchCommitted ?? 0, "committed batches").to.be.greaterThan(0);
    console.log(
      `      ${items} operations in ${seconds.toFixed(1)} s (${(items / seconds).toFixed(1)} ops/s) over ${endBlock - startBlock} blocks; ` +
        `client 2 killed after ${progressAtKill} operations ` +
        `with a window in flight, ${resent} operations re-sent after its restart; ${committedItems} committed items and ` +
        `follow-ups besides; events: ${JSON.stringify(counts)}`,
    );
    provider.destroy();
  });
});
