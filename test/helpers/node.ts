import { ChildProcess, spawn, spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { JsonRpcProvider } from "ethers";

const ROOT = path.resolve(__dirname, "../..");
const ANVIL = path.join(ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface StandaloneNode {
  url: string;
  port: number;
  process: ChildProcess;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

export interface NodeOptions {
  /** Switches from automine to interval mining. */
  blockTime?: number;
  /** Chain state file: loaded at start if it exists, written when the node stops (blocks and accounts). */
  state?: string;
  /** Port to listen on (default: a free one), e.g. to restart a stopped node where its clients expect it. */
  port?: number;
}

/**
 * Starts a standalone JSON-RPC node (anvil, shipped in the npm package @foundry-rs/anvil) on a free
 * 127.0.0.1 port with the standard development accounts, and waits until it answers.
 * `stop()` ends it by its pid (SIGTERM, so a `state` file is written).
 */
export async function startNode(opts: NodeOptions = {}): Promise<StandaloneNode> {
  const port = opts.port ?? (await freePort());
  const args = ["--host", "127.0.0.1", "--port", String(port), "--accounts", "20", "--silent", "--code-size-limit", "49152"];
  if (opts.blockTime) args.push("--block-time", String(opts.blockTime));
  if (opts.state) args.push("--state", opts.state, "--preserve-historical-states");
  const child = spawn(ANVIL, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${stderr}`);
    try {
      await provider.getBlockNumber();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`anvil did not answer on ${url}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
    process: child,
    provider,
    async stop() {
      provider.destroy();
      if (child.exitCode === null && child.pid) {
        process.kill(child.pid, "SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
    },
  };
}

export interface TaskResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `npx hardhat <args>` as a separate process, as an operator would, against `env`. */
export function hardhat(args: string[], env: NodeJS.ProcessEnv): TaskResult {
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/hardhat"), args, {
    cwd: ROOT,
    env: { ...process.env, ...env, HARDHAT_NETWORK: undefined, TS_NODE_TRANSPILE_ONLY: "true" },
    encoding: "utf8",
    timeout: 240_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON document a `--json` task printed (the output may be preceded by compiler chatter). */
export function jsonOf<T = unknown>(r: TaskResult): T {
  if (r.status !== 0) throw new Error(`task failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const start = r.stdout.search(/^[[{]/m);
  if (start < 0) throw new Error(`no JSON in task output:\n${r.stdout}`);
  return JSON.parse(r.stdout.slice(start)) as T;
}
