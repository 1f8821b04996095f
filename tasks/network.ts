import { task, types } from "hardhat/config";
import { action, compileIfNeeded } from "../lib/core/task";
import { output, printTable, UserError } from "../lib/core/cli";
import { pickSigner } from "../lib/core/suite";

function parseEnode(enode: string): { id: string; host: string; port: number } {
  const m = /^enode:\/\/([0-9a-fA-F]{128})@([^:]+|\[[^\]]+\]):(\d{1,5})(\?.*)?$/.exec(enode.trim());
  if (!m) throw new UserError(`"${enode}" is not an enode URL (enode://<128 hex>@<host>:<port>)`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new UserError(`port ${port} is out of range`);
  return { id: m[1], host: m[2].replace(/^\[|\]$/g, ""), port };
}

task("network:allow-node", "Admits a member organisation's node (node rules)")
  .addParam("enode", "enode://<id>@<host>:<port>", undefined, types.string)
  .addParam("participant", "Participant id of the organisation running the node", undefined, types.string)
  .addOptionalParam("from", "Node admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { enode: string; participant: string; from?: string; json: boolean }, hre) => {
      const { nodeRulesAt } = await import("../lib/network/contracts");
      const n = parseEnode(a.enode);
      const rules = await nodeRulesAt(hre, await pickSigner(hre, a.from));
      const receipt = await (await rules.allowNode(n.id, n.host, n.port, Number(a.participant))).wait();
      const row = {
        enode: a.enode,
        participant: Number(a.participant),
        allowed: await rules.connectionAllowed(n.id, n.host, n.port),
        txHash: receipt!.hash,
      };
      output(a.json, row, () => printTable([row], undefined, "node admitted"));
    }),
  );

task("network:deny-node", "Removes a node (node rules)")
  .addParam("enode", "enode://<id>@<host>:<port>", undefined, types.string)
  .addOptionalParam("from", "Node admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { enode: string; from?: string; json: boolean }, hre) => {
      const { nodeRulesAt } = await import("../lib/network/contracts");
      const n = parseEnode(a.enode);
      const rules = await nodeRulesAt(hre, await pickSigner(hre, a.from));
      const receipt = await (await rules.denyNode(n.id, n.host, n.port)).wait();
      const row = { enode: a.enode, allowed: await rules.connectionAllowed(n.id, n.host, n.port), txHash: receipt!.hash };
      output(a.json, row, () => printTable([row], undefined, "node removed"));
    }),
  );

task("network:list-nodes", "Lists the admitted nodes")
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { json: boolean }, hre) => {
      const { nodeRulesAt } = await import("../lib/network/contracts");
      const rules = await nodeRulesAt(hre);
      const rows: { participant: number; enode: string; allowedNow: boolean }[] = [];
      for (const n of await rules.nodes()) {
        rows.push({
          participant: Number(n.participantId),
          enode: `enode://${n.enodeId}@${n.host}:${n.port}`,
          allowedNow: await rules.connectionAllowed(n.enodeId, n.host, n.port),
        });
      }
      output(a.json, rows, () => printTable(rows, ["participant", "allowedNow", "enode"], `${rows.length} node(s)`));
    }),
  );

task("network:check-account", "Asks the account rules, through the ingress, exactly as Besu does (eth_call from 0x0)")
  .addParam("account", "Sender address to check", undefined, types.string)
  .addOptionalParam("target", "Transaction target (default: contract creation)", undefined, types.string)
  .addOptionalParam("ingress", "Account ingress address (default: the deployed AccountIngress)", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { account: string; target?: string; ingress?: string; json: boolean }, hre) => {
      const { checkAccount } = await import("../lib/network/besu");
      const { suiteAddress } = await import("../lib/core/suite");
      const ingress = a.ingress ?? suiteAddress(hre, "AccountIngress");
      const result = await checkAccount(hre.ethers.provider, ingress, a.account, a.target);
      output(a.json, result, () => printTable([result as unknown as Record<string, unknown>], undefined, "account permissioning"));
    }),
  );

task("network:check-node", "Asks the node rules, through the ingress, exactly as Besu does (eth_call from 0x0)")
  .addParam("enode", "enode://<id>@<host>:<port>", undefined, types.string)
  .addOptionalParam("ingress", "Node ingress address (default: the deployed NodeIngress)", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { enode: string; ingress?: string; json: boolean }, hre) => {
      const { checkNode } = await import("../lib/network/besu");
      const { suiteAddress } = await import("../lib/core/suite");
      const n = parseEnode(a.enode);
      const ingress = a.ingress ?? suiteAddress(hre, "NodeIngress");
      const result = await checkNode(hre.ethers.provider, ingress, n.id, n.host, n.port);
      output(a.json, result, () => printTable([result as unknown as Record<string, unknown>], undefined, "node permissioning"));
    }),
  );

task("network:genesis-alloc", "Writes the genesis alloc entries (runtime code + storage) of the two ingresses")
  .addParam("admin", "Ingress admin address written into genesis storage", undefined, types.string)
  .addOptionalParam("out", "Output file (default: print)", undefined, types.string)
  .setAction(
    action(async (a: { admin: string; out?: string }, hre) => {
      const { genesisAlloc } = await import("../lib/network/besu");
      await compileIfNeeded(hre);
      const alloc = await genesisAlloc(hre, a.admin);
      const text = JSON.stringify(alloc, null, 2) + "\n";
      if (a.out) {
        (await import("node:fs")).writeFileSync(a.out, text);
        console.log(`wrote ${a.out}`);
      } else console.log(text);
    }),
  );

task(
  "besu:dev-network",
  "Writes node keys, genesis.json (QBFT, ingresses pre-deployed) and config.toml for the 4-validator network in besu/",
)
  .addParam("deployer", "Account funded in genesis and admin of the ingresses", undefined, types.string)
  .addOptionalParam("out", "Output folder", "besu/networkFiles", types.string)
  .addOptionalParam("chainId", "Chain id", 1337, types.int)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { deployer: string; out: string; chainId: number; json: boolean }, hre) => {
      const { writeDevNetwork } = await import("../lib/network/besu-network");
      await compileIfNeeded(hre);
      const { validators, genesisFile } = await writeDevNetwork(hre, { outDir: a.out, deployer: a.deployer, chainId: a.chainId });
      output(a.json, { genesisFile, validators }, () => {
        printTable(
          validators as unknown as Record<string, unknown>[],
          ["name", "address", "enode"],
          `wrote ${a.out} (genesis ${genesisFile})`,
        );
        console.log("\nNext: cd besu && docker compose up -d, then admit the validators' enodes with network:allow-node (see README).");
      });
    }),
  );

/* Local permissioning (Besu 25.6 and later): each node's allowlists follow the registry. */

async function chainSource(hre: import("hardhat/types").HardhatRuntimeEnvironment) {
  const { suiteAddress } = await import("../lib/core/suite");
  const { readDeployment } = await import("../lib/core/deployments");
  return {
    provider: hre.ethers.provider,
    registry: suiteAddress(hre, "ParticipantRegistry"),
    nodeRules: suiteAddress(hre, "NodeRules"),
    fromBlock: readDeployment(hre.network.name)?.block ?? 0,
    timeoutMs: 30_000,
  };
}

task("network:sync-allowlists", "Keeps every member node's account and node allowlists equal to what the registry allows")
  .addParam("nodes", "nodes.json: each node's admin JSON-RPC URL and token, and the protected entries", undefined, types.string)
  .addOptionalParam("checkpoint", "Checkpoint file (default: <nodes file>.<network>.checkpoint.json)", undefined, types.string)
  .addOptionalParam("interval", "Milliseconds between rounds in long-running mode", 5_000, types.int)
  .addFlag("once", "One round (reconcile every node, follow new events), then exit")
  .addFlag("json", "Print the summary as JSON")
  .setAction(
    action(async (a: { nodes: string; checkpoint?: string; interval: number; once: boolean; json: boolean }, hre) => {
      const { AllowlistSync, loadNodesConfig } = await import("../lib/network/allowlists");
      if (!(a.interval > 0)) throw new UserError("--interval must be a positive number of milliseconds");
      const config = loadNodesConfig(a.nodes);
      const checkpoint = a.checkpoint ?? `${a.nodes.replace(/\.json$/, "")}.${hre.network.name}.checkpoint.json`;
      // Progress goes to stderr so that --json leaves stdout to the summary.
      const sync = new AllowlistSync({
        source: await chainSource(hre),
        config,
        checkpoint,
        log: (l) => console.error(`[allowlists] ${l}`),
      });
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        const summary = await sync.run({ once: a.once, intervalMs: a.interval, signal: stop.signal });
        output(a.json, summary, () => {
          printTable(
            summary.changes.map((c) => ({ block: c.block, node: c.node, list: c.list, action: c.action, entries: c.entries })),
            undefined,
            `blocks ${summary.fromBlock}..${summary.toBlock}: ${summary.events} event(s), ${summary.changeCount} change(s)`,
          );
          for (const u of summary.unreachable) console.log(`not reconciled: ${u.error}`);
        });
        if (a.once && summary.unreachable.length > 0) {
          throw new UserError(`${summary.unreachable.length} node(s) not reconciled: ${summary.unreachable.map((u) => u.node).join(", ")}`);
        }
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    }),
  );

task("network:check-allowlists", "Compares every node's allowlists with the registry; exits non-zero on any difference")
  .addParam("nodes", "nodes.json (as for network:sync-allowlists)", undefined, types.string)
  .addFlag("json", "Print the report as JSON")
  .setAction(
    action(async (a: { nodes: string; json: boolean }, hre) => {
      const { checkAllowlists, loadNodesConfig } = await import("../lib/network/allowlists");
      const report = await checkAllowlists(await chainSource(hre), loadNodesConfig(a.nodes));
      output(a.json, report, () => {
        const rows = report.nodes.flatMap((n) =>
          n.error
            ? [{ node: n.node, difference: "unreachable", entry: n.error }]
            : [
                ...n.addAccounts!.map((e) => ({ node: n.node, difference: "account missing", entry: e })),
                ...n.removeAccounts!.map((e) => ({ node: n.node, difference: "account not allowed", entry: e })),
                ...n.addNodes!.map((e) => ({ node: n.node, difference: "node missing", entry: e })),
                ...n.removeNodes!.map((e) => ({ node: n.node, difference: "node not allowed", entry: e })),
              ],
        );
        printTable(rows, ["node", "difference", "entry"], `allowlists against the registry at block ${report.block}`);
      });
      const drift = report.nodes.filter((n) => !n.inSync);
      if (drift.length > 0) throw new UserError(`allowlists differ from the registry on ${drift.map((n) => n.node).join(", ")}`);
    }),
  );

task("network:permissions-file", "Writes the permissions_config.toml a new node starts with, from the registry")
  .addParam("out", "Output file, e.g. permissions_config.toml", undefined, types.string)
  .addOptionalParam("nodes", "nodes.json whose protected accounts and enodes are included", undefined, types.string)
  .addFlag("json", "Print what was written as JSON")
  .setAction(
    action(async (a: { out: string; nodes?: string; json: boolean }, hre) => {
      const { loadNodesConfig, permissionsFile } = await import("../lib/network/allowlists");
      const protectedEntries = a.nodes ? loadNodesConfig(a.nodes).protected : { accounts: [], nodes: [] };
      const { toml, allowed } = await permissionsFile(await chainSource(hre), protectedEntries);
      (await import("node:fs")).writeFileSync(a.out, toml);
      const result = {
        out: a.out,
        block: allowed.block,
        accounts: [...allowed.accounts.keys()],
        nodes: [...allowed.nodes.values()].map((n) => n.url),
      };
      output(a.json, result, () =>
        console.log(`wrote ${a.out}: ${result.accounts.length} account(s), ${result.nodes.length} node(s) at block ${result.block}`),
      );
    }),
  );
