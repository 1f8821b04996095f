/**
 * End to end, with faults injected: the price-push tool against a standalone node (anvil) that keeps its
 * chain in a state file across restarts. Bad files send nothing and name every bad line; a run killed
 * (SIGKILL) while its transaction is pending, a node stopped and restarted without the pending
 * transaction, and a node gone for longer than the retry budget all end, after a re-run where needed,
 * with exactly the file's values on chain, each pushed once.
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { encryptKeystoreJsonSync, JsonRpcProvider, Wallet } from "ethers";
import { HolidayCalendar__factory, PriceOracle__factory } from "../../typechain-types";
import { configureFeeds, loadCalendars } from "../../lib/oracle/admin";
import { PRICE_TABLE, readCalendars, readSecurities, readTable } from "../../lib/oracle/files";
import { assetFeedId, parsePrice } from "../../lib/oracle/ids";
import { readJournal } from "../../lib/oracle/journal";
import { isoToDay } from "../../lib/core/dates";
import { StandaloneNode, startNode } from "../helpers/node";

const ROOT = path.resolve(__dirname, "../..");
const DATA = path.join(ROOT, "data");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli");
const OPERATOR = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

describe("price push end to end, faults injected (standalone node, SIGKILL, node restarts)", function () {
  this.timeout(180_000);
  let node: StandaloneNode | undefined;
  let port: number;
  let url: string;
  let tmp: string;
  let state: string;
  let env: NodeJS.ProcessEnv;
  let oracleAddress: string;
  /** The sample prices split by date into consecutive groups, one per scenario. */
  let groups: string[][];
  let header: string;

  /** Runs `npx hardhat <args>` (the Hardhat CLI directly, so a kill reaches the tool itself). */
  function hardhat(args: string[]): Run {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args, "--network", "localhost"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (b) => (stdout += b));
    child.stderr!.on("data", (b) => (stderr += b));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, stderr: () => stderr, done };
  }

  function provider(): JsonRpcProvider {
    return new JsonRpcProvider(url, undefined, { staticNetwork: true });
  }

  async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
    const p = provider();
    try {
      return await p.send(method, params);
    } finally {
      p.destroy();
    }
  }

  async function accepted(): Promise<{ key: string; price: bigint }[]> {
    const p = provider();
    try {
      const oracle = PriceOracle__factory.connect(oracleAddress, p);
      return (await oracle.queryFilter(oracle.filters.PriceAccepted())).map((e) => ({
        key: `${e.args.feedId.toLowerCase()}:${Number(e.args.date)}`,
        price: e.args.price,
      }));
    } finally {
      p.destroy();
    }
  }

  /** The chain holds each of the file's values exactly once. */
  async function expectOnChainOnce(file: string): Promise<void> {
    const expected = new Map<string, bigint>();
    for (const r of await readTable(file, PRICE_TABLE))
      expected.set(`${assetFeedId(r.fields.isin).toLowerCase()}:${isoToDay(r.fields.date)}`, parsePrice(r.fields.price)!);
    const got = new Map<string, bigint>();
    for (const e of await accepted()) {
      if (!expected.has(e.key)) continue;
      expect(got.has(e.key), `pushed twice: ${e.key}`).to.equal(false);
      got.set(e.key, e.price);
    }
    expect(got).to.deep.equal(expected);
  }

  function writeGroup(name: string, lines: string[]): string {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, [header, ...lines].join("\n") + "\n");
    return f;
  }

  function pushArgs(prices: string, journal: string, extra: string[] = []): string[] {
    return ["oracle:push", "--prices", prices, "--journal", journal, "--from", String(OPERATOR), "--no-revalue", ...extra];
  }

  /** Waits until the journal shows a transaction sent (hash known) and not yet settled. */
  async function waitForSent(journal: string, run: Run): Promise<string> {
    for (;;) {
      const tx = readJournal(journal)?.txs.find((t) => t.status === "sent" && t.hash);
      if (tx) return tx.hash;
      if (run.child.exitCode !== null) throw new Error(`the run ended before sending: ${(await run.done).stderr}`);
      await sleep(20);
    }
  }

  async function waitFor(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  function summaryOf(stdout: string): Record<string, unknown> {
    return JSON.parse(stdout.slice(stdout.indexOf("{")));
  }

  before(async function () {
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "push-faults-e2e-"));
    state = path.join(tmp, "chain-state.json");
    node = await startNode({ state });
    port = node.port;
    url = node.url;
    env = {
      ...process.env,
      LOCALHOST_RPC_URL: url,
      DEPLOYMENTS_DIR: path.join(tmp, "deployments"),
      TS_NODE_TRANSPILE_ONLY: "true",
      ORACLE_KEYSTORE_PASSWORD: "correct horse",
    };
    delete env.HARDHAT_NETWORK;
    const deploy = await hardhat(["suite:deploy"]).done;
    expect(deploy.code, deploy.stderr).to.equal(0);
    const deployment = JSON.parse(fs.readFileSync(path.join(tmp, "deployments/localhost.json"), "utf8"));
    oracleAddress = deployment.contracts.PriceOracle;
    const p = provider();
    const admin = await p.getSigner(0);
    const operator = (await p.getSigner(OPERATOR)).address;
    const oracle = PriceOracle__factory.connect(oracleAddress, admin);
    const calendar = HolidayCalendar__factory.connect(deployment.contracts.HolidayCalendar, admin);
    const { securities, fxPairs } = readSecurities(path.join(DATA, "securities.json"));
    await configureFeeds(oracle, securities, fxPairs);
    await (await oracle.grantRole(await oracle.ORACLE_ROLE(), operator)).wait();
    await loadCalendars(calendar, readCalendars(path.join(DATA, "calendars.json")));
    p.destroy();

    const lines = fs.readFileSync(path.join(DATA, "prices.csv"), "utf8").trim().split("\n");
    header = lines[0];
    const dates = [...new Set(lines.slice(1).map((l) => l.split(",")[0]))].sort();
    const per = Math.ceil(dates.length / 3);
    groups = [0, 1, 2].map((g) => {
      const mine = new Set(dates.slice(g * per, (g + 1) * per));
      return lines.slice(1).filter((l) => mine.has(l.split(",")[0]));
    });
  });

  after(async function () {
    await node?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function restartNode(): Promise<void> {
    node = await startNode({ state, port });
  }

  it("sends nothing for a file with bad lines and names every one of them", async function () {
    const [date, isin] = groups[0][0].split(",");
    const file = writeGroup("bad.csv", [
      groups[0][0],
      `${date},RU000A0JX0J3,100`, // 3: bad check digit
      `${date},${isin},abc`, // 4: not a number (and a second value for the same day)
      `2026-13-01,${isin},100`, // 5: not a date
      groups[0][1],
      `${date},${isin}`, // 7: missing field
    ]);
    const before = (await accepted()).length;
    const r = await hardhat(pushArgs(file, path.join(tmp, "bad.journal.json"))).done;
    expect(r.code).to.equal(1);
    const rel = path.relative(ROOT, file);
    expect(r.stdout).to.include(`${rel}:3: malformed ISIN`);
    expect(r.stdout).to.include(`${rel}:4: price "abc" is not a positive number`);
    expect(r.stdout).to.include(`${rel}:5: date "2026-13-01" is not a date`);
    expect(r.stdout).to.include(`${rel}:7: malformed line: 2 fields, header has 3`);
    expect(r.stdout).to.include("nothing pushed");
    expect(r.stdout).not.to.include(`${rel}:2:`);
    expect((await accepted()).length).to.equal(before);
  });

  it("refuses JSON records of the wrong types with messages that say what is wrong", async function () {
    const [date, isin, price] = groups[0][0].split(",");
    const file = path.join(tmp, "types.json");
    fs.writeFileSync(
      file,
      [
        "[",
        `  {"date": "${date}", "isin": "${isin}", "price": ${price}},`,
        `  {"date": "${date}", "isin": "${isin}", "price": [100]},`,
        "  null,",
        `  {"date": 20260814, "isin": "${isin}", "price": "1"},`,
        `  {"date": "${date}", "isin": true}`,
        "]",
      ].join("\n"),
    );
    const before = (await accepted()).length;
    const r = await hardhat([...pushArgs(file, path.join(tmp, "types.journal.json")), "--json"]).done;
    expect(r.code).to.equal(1);
    const rel = path.relative(ROOT, file);
    expect(summaryOf(r.stdout).rejected).to.deep.equal([
      `${rel}:3: field "price" is an array, expected a number or a decimal string`,
      `${rel}:4: record is null, expected an object with date, isin, price`,
      `${rel}:5: field "date" is a number (20260814), expected a string`,
      `${rel}:6: field "isin" is a boolean (true), expected a string; field "price" is missing`,
    ]);
    expect((await accepted()).length).to.equal(before);
  });

  it("signs with a keystore that holds a mnemonic, and names a wrong password", async function () {
    // ethers writes a random wallet's keystore with its mnemonic: it decrypts to an HDNodeWallet.
    const wallet = Wallet.createRandom();
    const keystore = path.join(tmp, "operator-mnemonic.json");
    // Written as ethers writes it (with the mnemonic), at a low scrypt cost to keep the test quick.
    const account = { address: wallet.address, privateKey: wallet.privateKey, mnemonic: wallet.mnemonic! };
    fs.writeFileSync(keystore, encryptKeystoreJsonSync(account, "correct horse", { scrypt: { N: 1 << 10 } }));
    const file = writeGroup("keystore.csv", groups[0].slice(0, 2));
    const args = ["oracle:push", "--prices", file, "--journal", path.join(tmp, "k.journal.json"), "--keystore", keystore];
    const good = await hardhat([...args, "--dry-run", "--json"]).done;
    expect(good.code, good.stderr).to.equal(0);
    expect(summaryOf(good.stdout)).to.include({ dryRun: true, pushed: 2 });

    const saved = env.ORACLE_KEYSTORE_PASSWORD;
    env.ORACLE_KEYSTORE_PASSWORD = "wrong";
    try {
      const bad = await hardhat([...args, "--dry-run"]).done;
      expect(bad.code).to.equal(1);
      expect(bad.stdout + bad.stderr).to.include("wrong password");
    } finally {
      env.ORACLE_KEYSTORE_PASSWORD = saved;
    }
  });

  it("resumes after a kill -9 while its transaction is pending, and pushes each value once", async function () {
    const file = writeGroup("a.csv", groups[0]);
    const journal = path.join(tmp, "a.journal.json");
    await rpc("evm_setAutomine", [false]);
    const run1 = hardhat(pushArgs(file, journal, ["--batch-size", "100"]));
    const hash = await waitForSent(journal, run1);
    run1.child.kill("SIGKILL");
    expect((await run1.done).signal).to.equal("SIGKILL");
    expect(await rpc("eth_getTransactionReceipt", [hash])).to.equal(null);
    expect(await rpc("eth_getTransactionByHash", [hash])).to.not.equal(null);

    await rpc("evm_setIntervalMining", [1]);
    const run2 = await hardhat([...pushArgs(file, journal, ["--batch-size", "100"]), "--json"]).done;
    await rpc("evm_setIntervalMining", [0]);
    await rpc("evm_setAutomine", [true]);
    expect(run2.code, run2.stderr).to.equal(0);
    const s = summaryOf(run2.stdout);
    expect(s.resumedTransactions).to.equal(1);
    expect(readJournal(journal)!.txs[0]).to.include({ hash, status: "mined" });
    expect(readJournal(journal)!.status).to.equal("completed");
    await expectOnChainOnce(file);
  });

  it("says the node is unreachable while it is down and finishes once it is back without the pending transaction", async function () {
    const file = writeGroup("b.csv", groups[1]);
    const journal = path.join(tmp, "b.journal.json");
    await rpc("evm_setAutomine", [false]);
    const run = hardhat([...pushArgs(file, journal, ["--batch-size", "100", "--rpc-retries", "30", "--rpc-backoff", "200"]), "--json"]);
    const hash = await waitForSent(journal, run);
    await node!.stop();
    await waitFor("the unreachable notice", () => /node unreachable/.test(run.stderr()));
    await restartNode(); // automine again; the pending transaction is gone
    const r = await run.done;
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/node unreachable/);
    expect(r.stderr).to.include(`transaction ${hash}`);
    const txs = readJournal(journal)!.txs;
    expect(txs.find((t) => t.hash === hash)!.status).to.equal("dropped");
    expect(readJournal(journal)!.status).to.equal("completed");
    await expectOnChainOnce(file);
  });

  it("exits non-zero with the journal intact when the node stays away, and the next run resumes", async function () {
    const file = writeGroup("c.csv", groups[2]);
    const journal = path.join(tmp, "c.journal.json");
    await rpc("evm_setAutomine", [false]);
    const run1 = hardhat(pushArgs(file, journal, ["--batch-size", "100", "--rpc-retries", "2", "--rpc-backoff", "200"]));
    const hash = await waitForSent(journal, run1);
    await node!.stop();
    const r1 = await run1.done;
    expect(r1.code).to.equal(1);
    expect(r1.stderr).to.match(/node unreachable .*retry 1\/2/);
    expect(r1.stderr).to.match(/run the same command again to resume/);
    const j = readJournal(journal)!;
    expect(j.status).to.equal("running");
    expect(j.txs.find((t) => t.hash === hash)!.status).to.equal("sent");

    await restartNode();
    const r2 = await hardhat([...pushArgs(file, journal, ["--batch-size", "100"]), "--json"]).done;
    expect(r2.code, r2.stderr).to.equal(0);
    expect(summaryOf(r2.stdout).resumedTransactions).to.equal(1);
    expect(readJournal(journal)!.txs.find((t) => t.hash === hash)!.status).to.equal("dropped");
    await expectOnChainOnce(file);
  });
});
