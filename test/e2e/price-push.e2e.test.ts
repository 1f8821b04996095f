/**
 * End to end: the price-push tool against a standalone node. The tool is killed (SIGKILL) in the middle
 * of a run, run again, and the chain must then hold exactly the files' values, each pushed once.
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { JsonRpcProvider } from "ethers";
import { HolidayCalendar__factory, PriceOracle__factory } from "../../typechain-types";
import { configureFeeds, loadCalendars } from "../../lib/oracle/admin";
import { FX_TABLE, PRICE_TABLE, readCalendars, readSecurities, readTable } from "../../lib/oracle/files";
import { assetFeedId, calendarToBytes4, fxFeedId, parsePrice } from "../../lib/oracle/ids";
import { readJournal } from "../../lib/oracle/journal";
import { isoToDay } from "../../lib/core/dates";
import { StandaloneNode, startNode } from "../helpers/node";

const ROOT = path.resolve(__dirname, "../..");
const DATA = path.join(ROOT, "data");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("price push end to end (standalone node, SIGKILL, resume)", function () {
  this.timeout(180_000);
  let node: StandaloneNode | undefined;
  let url: string;
  let tmp: string;
  let env: NodeJS.ProcessEnv;

  /** Runs `npx hardhat <args>` (the Hardhat CLI directly, so a kill reaches the tool itself). */
  function hardhat(args: string[]): {
    child: ChildProcess;
    done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  } {
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
    return { child, done };
  }

  before(async function () {
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    node = await startNode();
    url = node.url;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "price-push-e2e-"));
    env = { ...process.env, LOCALHOST_RPC_URL: url, DEPLOYMENTS_DIR: path.join(tmp, "deployments"), HARDHAT_NETWORK: "" };
    delete env.HARDHAT_NETWORK;
    const deploy = await hardhat(["suite:deploy"]).done;
    expect(deploy.code, deploy.stderr).to.equal(0);
  });

  after(async function () {
    await node?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("resumes a killed run and ends with exactly the files on chain, each value pushed once", async function () {
    const deployment = JSON.parse(fs.readFileSync(path.join(tmp, "deployments/localhost.json"), "utf8"));
    const provider = new JsonRpcProvider(url);
    const admin = await provider.getSigner(0);
    const oracle = PriceOracle__factory.connect(deployment.contracts.PriceOracle, admin);
    const calendar = HolidayCalendar__factory.connect(deployment.contracts.HolidayCalendar, admin);
    const { securities, fxPairs } = readSecurities(path.join(DATA, "securities.json"));
    await configureFeeds(oracle, securities, fxPairs);
    await (await oracle.grantRole(await oracle.ORACLE_ROLE(), (await provider.getSigner(8)).address)).wait();
    await (await calendar.grantRole(await calendar.CALENDAR_ROLE(), (await provider.getSigner(8)).address)).wait();
    await loadCalendars(calendar, readCalendars(path.join(DATA, "calendars.json")).slice(0, 1));

    const prices = path.join(tmp, "prices.csv");
    const fx = path.join(tmp, "fx.csv");
    fs.copyFileSync(path.join(DATA, "prices.csv"), prices);
    fs.copyFileSync(path.join(DATA, "fx.csv"), fx);
    const journal = path.join(tmp, "push.journal.json");
    const args = [
      "oracle:push",
      "--prices",
      prices,
      "--fx",
      fx,
      "--calendar",
      path.join(DATA, "calendars.json"),
      "--journal",
      journal,
      "--from",
      "8",
    ];

    // Run 1: killed without warning once a few batches are on their way.
    const run1 = hardhat([...args, "--batch-size", "100", "--pause-ms", "250"]);
    for (;;) {
      const j = readJournal(journal);
      if (j && j.txs.length >= 3) break;
      if (run1.child.exitCode !== null)
        throw new Error(`the first run ended before it could be killed: ${await run1.done.then((r) => r.stderr)}`);
      await sleep(20);
    }
    run1.child.kill("SIGKILL");
    const r1 = await run1.done;
    expect(r1.signal).to.equal("SIGKILL");
    const partial = readJournal(journal)!;
    expect(partial.status).to.equal("running");
    const acceptedAfterKill = (await oracle.queryFilter(oracle.filters.PriceAccepted())).length;
    expect(acceptedAfterKill).to.be.greaterThan(0);

    // Run 2: the same command finishes the job.
    const run2 = await hardhat([...args, "--batch-size", "300", "--json"]).done;
    expect(run2.code, run2.stderr).to.equal(0);
    const summary = JSON.parse(run2.stdout.slice(run2.stdout.indexOf("{")));
    expect(summary.rejected).to.deep.equal([]);
    expect(summary.skipped).to.be.at.least(acceptedAfterKill);

    // The chain holds exactly the files, and nothing was pushed twice.
    const expected = new Map<string, bigint>();
    for (const r of await readTable(prices, PRICE_TABLE))
      expected.set(`${assetFeedId(r.fields.isin)}:${isoToDay(r.fields.date)}`, parsePrice(r.fields.price)!);
    for (const r of await readTable(fx, FX_TABLE))
      expected.set(`${fxFeedId(r.fields.base, r.fields.quote)}:${isoToDay(r.fields.date)}`, parsePrice(r.fields.rate)!);
    const events = await oracle.queryFilter(oracle.filters.PriceAccepted());
    const got = new Map<string, bigint>();
    for (const e of events) {
      const k = `${e.args.feedId.toLowerCase()}:${Number(e.args.date)}`;
      expect(got.has(k), `pushed twice: ${k}`).to.equal(false);
      got.set(k, e.args.price);
    }
    expect(events.length).to.equal(expected.size);
    expect(got).to.deep.equal(expected);
    expect(await oracle.queryFilter(oracle.filters.PriceQuarantined())).to.have.length(0);
    expect(await oracle.queryFilter(oracle.filters.PriceRefused())).to.have.length(0);
    for (const s of securities) {
      const id = assetFeedId(s.isin);
      const last = [...expected]
        .filter(([k]) => k.startsWith(`${id}:`))
        .sort((a, b) => Number(a[0].split(":")[1]) - Number(b[0].split(":")[1]))
        .pop()!;
      const raw = await oracle.latestRaw(id);
      expect([raw.price, `${id}:${raw.date}`]).to.deep.equal([last[1], last[0]]);
    }
    expect(readJournal(journal)!.status).to.equal("completed");
    // Its last step closed every calendar up to the files' last date.
    expect(summary.closed.map((c: { status: string }) => c.status)).to.satisfy(
      (l: string[]) => l.length > 0 && l.every((x) => x === "closed"),
    );
    for (const mic of ["XMOS", "XLON", "XSHG"]) expect(await oracle.lastClosedDate(calendarToBytes4(mic))).to.equal(isoToDay("2026-11-13"));

    // Run 3: nothing left to do.
    const run3 = await hardhat([...args, "--json"]).done;
    expect(run3.code, run3.stderr).to.equal(0);
    const s3 = JSON.parse(run3.stdout.slice(run3.stdout.indexOf("{")));
    expect([s3.pushed, s3.skipped, s3.transactions]).to.deep.equal([0, expected.size, 0]);
    expect(s3.closed.every((c: { status: string }) => c.status === "already closed")).to.equal(true);
    provider.destroy();
  });
});
