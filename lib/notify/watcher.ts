/**
 * The event watcher: follows every suite contract's events from a start block, maps each event to the
 * participants it concerns and sends each of them an e-mail and/or a signed webhook, exactly once across
 * restarts (a delivery key per transaction hash, log index, recipient and channel, recorded in the
 * checkpoint only after success). Deliveries that fail every attempt stay in the checkpoint's outbox and
 * are retried first on the next run.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { JsonRpcProvider, type Provider } from "ethers";
import { readDeployment, type DeploymentFile } from "../deployments";
import { UserError } from "../cli";
import { deploymentContracts, discoverTokens, eventId, fetchEvents, flattenArgs, type FollowedContract, type SuiteEvent } from "../events";
import type { NotifyConfig } from "./config";
import { readCheckpoint, writeCheckpoint, type Checkpoint, type Delivery } from "./checkpoint";
import { createSenders, type Send } from "./channels";
import { participantsOf, registryLookup } from "./parties";

export interface WatchStats {
  fromBlock: number;
  /** Last block processed (fromBlock − 1 when nothing was). */
  toBlock: number;
  events: number;
  sent: number;
  /** Deliveries skipped because an earlier run sent them. */
  alreadySent: number;
  /** (event, participant) pairs without any contact. */
  noContact: number;
  /** Deliveries that failed every attempt in this run (kept in the outbox). */
  failed: number;
  /** Outbox size at the end. */
  outbox: number;
}

export interface WatcherOptions {
  config: NotifyConfig;
  hre: HardhatRuntimeEnvironment;
  /** Default: `config.rpcUrl`, else the selected network's provider. */
  provider?: Provider;
  /** Default: `deployments/<config.network ?? hre.network.name>.json`. */
  deployment?: DeploymentFile;
  log?: (line: string) => void;
  /** Called after each block range is fully processed and checkpointed. */
  onBatch?: (range: { from: number; to: number }, stats: WatchStats) => void | Promise<void>;
}

/** The webhook body of an event for one recipient. */
export function webhookBody(ev: SuiteEvent, chainId: number, participants: number[], recipient: string): string {
  return JSON.stringify({
    id: eventId(ev),
    chainId,
    contract: ev.contract,
    address: ev.address,
    event: ev.event,
    signature: ev.signature,
    blockNumber: ev.blockNumber,
    blockHash: ev.blockHash,
    txHash: ev.txHash,
    logIndex: ev.logIndex,
    args: ev.args,
    participants,
    recipient,
  });
}

/** The e-mail of an event: subject naming the event and the contract, body with every decoded field. */
export function emailOf(ev: SuiteEvent, participants: number[]): { subject: string; text: string } {
  const fields = flattenArgs(ev.args);
  const width = Math.max(0, ...Object.keys(fields).map((k) => k.length));
  return {
    subject: `[csd-ledger] ${ev.event} on ${ev.contract}`,
    text: [
      `${ev.event} on ${ev.contract} (${ev.address})`,
      `block ${ev.blockNumber}, transaction ${ev.txHash}, log ${ev.logIndex}`,
      `participants concerned: ${participants.join(", ")}`,
      "",
      ...Object.entries(fields).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
      "",
      `event id ${eventId(ev)}`,
    ].join("\n"),
  };
}

const sleep = (ms: number, stop?: { signal: AbortSignal }) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    stop?.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

export class Watcher {
  readonly stats: WatchStats = { fromBlock: 0, toBlock: -1, events: 0, sent: 0, alreadySent: 0, noContact: 0, failed: 0, outbox: 0 };
  private readonly stopper = new AbortController();
  private readonly log: (line: string) => void;
  private provider!: Provider;
  private deployment!: DeploymentFile;
  private followed = new Map<string, FollowedContract>();
  private checkpoint!: Checkpoint;
  private sent = new Set<string>();
  private senders!: { email?: Send; webhook?: Send; close(): void };
  private participantOf!: (address: string) => Promise<number>;

  constructor(private readonly opts: WatcherOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  /** Asks the loop to stop after the delivery in progress; the checkpoint is written before it returns. */
  stop(): void {
    this.stopper.abort();
  }

  get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private async init(): Promise<void> {
    const { config, hre } = this.opts;
    this.provider = this.opts.provider ?? (config.rpcUrl ? new JsonRpcProvider(config.rpcUrl) : hre.ethers.provider);
    const network = config.network ?? hre.network.name;
    const deployment = this.opts.deployment ?? readDeployment(network);
    if (!deployment) throw new UserError(`no deployment file for "${network}": run \`npx hardhat suite:deploy --network ${network}\``);
    this.deployment = deployment;
    const registry = deployment.contracts.ParticipantRegistry;
    if (!registry) throw new UserError(`the deployment of "${network}" has no ParticipantRegistry`);
    for (const name of config.contracts ?? []) {
      if (!deployment.contracts[name]) throw new UserError(`contract "${name}" is not in the deployment of "${network}"`);
    }
    this.participantOf = registryLookup(this.provider, registry);
    const chainId = Number((await this.provider.getNetwork()).chainId);
    const start = config.startBlock ?? deployment.block;
    const saved = readCheckpoint(config.checkpoint);
    if (saved && saved.chainId !== chainId) {
      throw new UserError(`checkpoint ${config.checkpoint} belongs to chain ${saved.chainId}, not ${chainId}`);
    }
    this.checkpoint = saved ?? { version: 1, chainId, nextBlock: start, sent: [], outbox: [], updatedAt: "" };
    this.sent = new Set(this.checkpoint.sent);
    this.followed = await deploymentContracts(hre, deployment, config.contracts);
    this.senders = await createSenders(config);
    this.stats.fromBlock = this.checkpoint.nextBlock;
    this.stats.toBlock = this.checkpoint.nextBlock - 1;
    this.log(`watching ${this.followed.size} contract(s) of "${network}" (chain ${chainId}) from block ${this.checkpoint.nextBlock}`);
    // Tokens issued before the resume point: discovered from the suite's first block, whatever the start block.
    if (config.followTokens && !config.contracts) {
      const head = await this.provider.getBlockNumber();
      const until = Math.min(head, this.checkpoint.nextBlock - 1);
      const found = await discoverTokens(hre, this.provider, deployment.contracts.TokenFactory, this.followed, deployment.block, until);
      if (found.length > 0) this.log(`following ${found.length} issued token(s): ${found.join(", ")}`);
    }
  }

  private save(): void {
    this.checkpoint.sent = [...this.sent];
    this.stats.outbox = this.checkpoint.outbox.length;
    writeCheckpoint(this.opts.config.checkpoint, this.checkpoint);
  }

  /** Sends one delivery with exponential backoff; true on success. */
  private async attempt(d: Delivery): Promise<boolean> {
    const send = d.channel === "email" ? this.senders.email : this.senders.webhook;
    if (!send) {
      d.lastError = `${d.channel} is not configured`;
      return false;
    }
    const { maxAttempts, baseBackoffMs } = this.opts.config.retry;
    for (let i = 0; i < maxAttempts; i++) {
      if (i > 0) await sleep(baseBackoffMs * 2 ** (i - 1));
      d.attempts++;
      try {
        await send(d);
        return true;
      } catch (e) {
        d.lastError = (e as Error).message;
        this.log(`  ${d.channel} to ${d.target} failed (attempt ${d.attempts}): ${d.lastError}`);
      }
    }
    return false;
  }

  private async deliver(d: Delivery): Promise<void> {
    if (await this.attempt(d)) {
      this.sent.add(d.key);
      this.stats.sent++;
      this.log(`  sent ${d.channel} to ${d.recipient} (${d.target})`);
    } else {
      this.checkpoint.outbox.push(d);
      this.stats.failed++;
      this.log(`  kept in the outbox after ${d.attempts} attempt(s): ${d.channel} to ${d.recipient} (${d.target}): ${d.lastError}`);
    }
    this.save();
  }

  /** Retries the outbox of earlier runs (oldest first). */
  private async flushOutbox(): Promise<void> {
    const pending = this.checkpoint.outbox;
    if (pending.length === 0) return;
    this.log(`retrying ${pending.length} delivery(ies) from the outbox`);
    for (const d of [...pending]) {
      if (this.stopped) return;
      const ok = await this.attempt(d);
      if (ok) {
        this.checkpoint.outbox = this.checkpoint.outbox.filter((x) => x.key !== d.key);
        // Its block may be in the range being resumed: remember it so the range does not send it again.
        this.sent.add(d.key);
        this.stats.sent++;
        this.log(`  sent ${d.channel} to ${d.recipient} (${d.target}) from the outbox`);
      }
      this.save();
    }
  }

  private deliveriesOf(ev: SuiteEvent, chainId: number, participants: number[]): Delivery[] {
    const { config } = this.opts;
    const out: Delivery[] = [];
    const base = { block: ev.blockNumber, attempts: 0 };
    const id = eventId(ev);
    const mail = emailOf(ev, participants);
    for (const p of participants) {
      const contact = config.contacts[String(p)];
      const recipient = `participant ${p}`;
      if (!contact || ((contact.email ?? []).length === 0 && (contact.webhook ?? []).length === 0)) {
        this.stats.noContact++;
        this.log(`  participant ${p} has no contact: ${ev.event} ${id} not sent to it`);
        continue;
      }
      if (contact.email && contact.email.length > 0) {
        const target = contact.email.join(", ");
        out.push({ ...base, key: `${id}:p${p}:email`, recipient, channel: "email", target, ...mail });
      }
      for (const url of contact.webhook ?? []) {
        out.push({
          ...base,
          key: `${id}:p${p}:webhook:${url}`,
          recipient,
          channel: "webhook",
          target: url,
          body: webhookBody(ev, chainId, participants, recipient),
        });
      }
    }
    if (config.webhook?.url) {
      const url = config.webhook.url;
      out.push({
        ...base,
        key: `${id}:default:webhook:${url}`,
        recipient: "default",
        channel: "webhook",
        target: url,
        body: webhookBody(ev, chainId, participants, "default"),
      });
    }
    return out;
  }

  /** Processes [from, to]; false when stopped before the end (the range is then resumed next time). */
  private async processRange(from: number, to: number): Promise<boolean> {
    const { config, hre } = this.opts;
    if (config.followTokens && !config.contracts) {
      const found = await discoverTokens(hre, this.provider, this.deployment.contracts.TokenFactory, this.followed, from, to);
      if (found.length > 0) this.log(`following new token(s): ${found.join(", ")}`);
    }
    const events = await fetchEvents(this.provider, this.followed, from, to);
    const outboxKeys = new Set(this.checkpoint.outbox.map((d) => d.key));
    for (const ev of events) {
      if (this.stopped) return false;
      const participants = await participantsOf(ev, {
        provider: this.provider,
        deployment: this.deployment,
        participantOf: this.participantOf,
      });
      this.stats.events++;
      this.log(
        `${ev.event} on ${ev.contract} (block ${ev.blockNumber}, log ${ev.logIndex}) → participants ${participants.join(", ") || "none"}`,
      );
      for (const d of this.deliveriesOf(ev, this.checkpoint.chainId, participants)) {
        if (this.sent.has(d.key) || outboxKeys.has(d.key)) {
          this.stats.alreadySent++;
          continue;
        }
        if (this.stopped) return false;
        await this.deliver(d);
      }
    }
    this.checkpoint.nextBlock = to + 1;
    // Every key sent so far is of a block ≤ to, and blocks before nextBlock are never read again.
    this.sent.clear();
    this.stats.toBlock = to;
    this.save();
    return true;
  }

  /** Processes every confirmed block up to the head; returns when caught up or stopped. */
  async catchUp(): Promise<void> {
    await this.flushOutbox();
    for (;;) {
      if (this.stopped) return;
      const head = (await this.provider.getBlockNumber()) - this.opts.config.confirmations;
      const from = this.checkpoint.nextBlock;
      if (from > head) return;
      const to = Math.min(head, from + this.opts.config.batchBlocks - 1);
      if (!(await this.processRange(from, to))) return;
      await this.opts.onBatch?.({ from, to }, this.stats);
    }
  }

  /**
   * Runs until caught up (`once`) or until {@link stop}: catch up, wait `pollIntervalMs`, repeat. The
   * checkpoint is current whenever it returns.
   */
  async run(opts: { once?: boolean } = {}): Promise<WatchStats> {
    await this.init();
    try {
      for (;;) {
        await this.catchUp();
        if (opts.once || this.stopped) break;
        await sleep(this.opts.config.pollIntervalMs, this.stopper);
      }
    } finally {
      this.save();
      this.senders.close();
    }
    return this.stats;
  }
}
