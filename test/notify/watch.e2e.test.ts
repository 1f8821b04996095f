import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { StandaloneNode, startNode } from "../helpers/node";
import { deploymentContracts, discoverTokens, fetchEvents } from "../../lib/core/events";
import type { DeploymentFile } from "../../lib/core/deployments";
import type { ReplayReport } from "../../lib/audit/replay";
import { verifySignature } from "../../lib/notify/channels";
import { startHttpSink, startSmtpSink } from "./sinks";

const ROOT = path.resolve(__dirname, "../..");
const SECRET = "e2e-secret";

/** Runs a Hardhat command as a separate process without blocking this one (the sinks answer meanwhile). */
function run(args: string[], env: NodeJS.ProcessEnv, onStdout?: (chunk: string, kill: (sig: NodeJS.Signals) => void) => void) {
  const child = spawn(path.join(ROOT, "node_modules/.bin/hardhat"), args, {
    cwd: ROOT,
    env: { ...process.env, ...env, HARDHAT_NETWORK: undefined, TS_NODE_TRANSPILE_ONLY: "true" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += String(d);
    onStdout?.(String(d), (sig) => child.kill(sig));
  });
  child.stderr.on("data", (d) => (stderr += String(d)));
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ status: code ?? -1, stdout, stderr })),
  );
}

/**
 * End to end on a standalone node: the demo's story produces the events, `watch` runs as a separate process,
 * is stopped by SIGTERM in the middle and resumed with `--once`; `audit:replay` checks the repo revaluations and
 * pledge valuations.
 */
describe("watch and audit:replay against a standalone node (e2e)", function () {
  let node: StandaloneNode;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let http: Awaited<ReturnType<typeof startHttpSink>>;

  before(async function () {
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    node = await startNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "csd-watch-e2e-"));
    env = { LOCALHOST_RPC_URL: node.url, DEPLOYMENTS_DIR: dir, DEMO_OUTPUT: dir, NOTIFY_E2E_SECRET: SECRET };
    const demo = await run(["run", "scripts/demo.ts", "--network", "localhost"], env);
    expect(demo.status, demo.stderr).to.equal(0);
    smtp = await startSmtpSink();
    http = await startHttpSink();
  });

  after(async function () {
    await smtp?.close();
    await http?.close();
    await node?.stop();
  });

  it("notifies every event exactly once across a SIGTERM in the middle and a resumed run", async function () {
    const deployment = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8")) as DeploymentFile;
    const settings = path.join(dir, "notify.json");
    fs.writeFileSync(
      settings,
      JSON.stringify({
        checkpoint: "watch.checkpoint.json",
        batchBlocks: 5,
        pollIntervalMs: 50,
        smtp: { host: "127.0.0.1", port: smtp.port, ignoreTLS: true, from: "notify@csd.example" },
        webhook: { url: `${http.url}/all`, secretEnv: "NOTIFY_E2E_SECRET" },
        contacts: { 2: { email: ["back-office@bank-a.example"] } },
        retry: { maxAttempts: 3, baseBackoffMs: 10 },
      }),
    );
    let stopped = false;
    const first = await run(["watch", "--network", "localhost", "--notify-config", settings], env, (_c, kill) => {
      if (!stopped && http.hooks.length >= 30) {
        stopped = true;
        kill("SIGTERM");
      }
    });
    expect(first.status, first.stderr).to.equal(0);
    expect(stopped).to.equal(true);
    const checkpoint = JSON.parse(fs.readFileSync(path.join(dir, "watch.checkpoint.json"), "utf8"));
    const head = await node.provider.getBlockNumber();
    expect(checkpoint.nextBlock).to.be.lessThan(head);

    const second = await run(["watch", "--network", "localhost", "--notify-config", settings, "--once", "--json"], env);
    expect(second.status, second.stderr).to.equal(0);

    const followed = await deploymentContracts(hre, deployment);
    await discoverTokens(hre, node.provider, deployment.contracts.TokenFactory, followed, deployment.block, head);
    const events = await fetchEvents(node.provider, followed, deployment.block, head);
    const all = http.hooks.filter((h) => h.path === "/all");
    const ids = all.map((h) => JSON.parse(h.body).id as string);
    expect(new Set(ids).size, "no event twice").to.equal(ids.length);
    expect(ids.length, "every event once").to.equal(events.length);
    for (const h of all) expect(verifySignature(h.body, h.headers["x-csd-signature"] as string, SECRET)).to.equal(true);
    const mails = smtp.mails.map((m) => m.eventId);
    expect(mails.length).to.be.greaterThan(0);
    expect(new Set(mails).size).to.equal(mails.length);
  });

  it("audit:replay finds no mismatch, writes the JSON report and prints the table", async function () {
    const out = path.join(dir, "audit.json");
    const r = await run(["audit:replay", "--network", "localhost", "--out", out], env);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/PledgeBook\s+│\s+PledgeValued\s+│\s+\d+\s+│\s+0 │/);
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as ReplayReport;
    expect(report.mismatches).to.deep.equal([]);
    expect(report.counts.find((c) => c.event === "PledgeValued")!.replayed).to.be.greaterThan(0);
    expect(report.counts.find((c) => c.event === "RepoRevalued")!.replayed).to.be.greaterThan(0);
    expect(report.counts.find((c) => c.event === "RepoClosed")!.replayed).to.equal(1);
  });

  it("the demo leaves the repo's history and chart, its replay report and the deployments file", function () {
    for (const f of ["repo-1-history.csv", "repo-1-ltv.svg", "audit-replay.json", "localhost.json"]) {
      expect(fs.existsSync(path.join(dir, f)), f).to.equal(true);
    }
    const report = JSON.parse(fs.readFileSync(path.join(dir, "audit-replay.json"), "utf8")) as ReplayReport;
    expect(report.replayers).to.include.members(["pledge", "repo"]);
    expect(report.mismatches).to.deep.equal([]);
  });

  it("audit:replay refuses a --from-block after the head", async function () {
    const r = await run(["audit:replay", "--network", "localhost", "--from-block", "99999999"], env);
    expect(r.status).to.not.equal(0);
    expect(r.stderr + r.stdout).to.match(/--from-block 99999999 is after the head/);
  });
});
