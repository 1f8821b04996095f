/**
 * The event watcher: follows every suite contract's events from a start block, maps each event to the
 * participants it concerns and sends each of them an e-mail and/or a signed webhook, once across restarts.
 * The deliveries of a block range go into the checkpoint's outbox in the same write that moves the resume
 * point past the range; a queue per endpoint then sends them (timeout per attempt, bounded retries with
 * backoff) and removes each from the outbox once sent, so a hung or failing endpoint delays no other. A
 * delivery that fails its last attempt is kept in the checkpoint's dead letters.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { JsonRpcProvider, type Provider } from "ethers";
import { readDeployment, type DeploymentFile } from "../core/deployments";
import { UserError } from "../core/cli";
import {
  deploymentContracts,
  discoverTokens,
  eventId,
  fetchEvents,
  flattenArgs,
  type FollowedContract,
  type SuiteEvent,
} from "../core/events";
import type { NotifyConfig } from "./config";
import { readCheckpoint, writeCheckpoint, type Checkpoint, type Delivery } from "./checkpoint";
import { createSenders, type Send } from "./channels";
import { EndpointQueues } from "./queue";
import { participantsOf, registryLookup } from "./parties";

export interface WatchStats {
  fromBlock: number;
  /** Last block processed (fromBlock − 1 when nothing was). */
  toBlock: number;
  events: number;
  sent: number;
  /** Deliveries skipped because an earlier run sent or queued them. */
  alreadySent: number;
  /** (event, participant) pairs without any contact. */
  noContact: number;
  /** Deliveries that failed their last attempt in this run (moved to the dead letters). */
  failed: number;
  /** Outbox size at the end: deliveries not yet sent, resumed by the next run. */
  outbox: number;
  /** Dead letters at the end. */
  deadLetters: number;
}

export interface WatcherOptions {
  config: NotifyConfig;
  hre: HardhatRuntimeEnvironment;
  /** Default: `config.rpcUrl`, else the selected network's provider. */
  provider?: Provider;
  /** Default: `deployments/<config.network ?? hre.network.name>.json`. */
  deployment?: DeploymentFile;
  log?: (line: string) => void;
  /** Called after each block range is read and its deliveries are queued and checkpointed. */
  onBatch?: (range: { from: number; to: number }, stats: WatchStats) => void | Promise<void>;
  /** Put the dead letters back in the outbox (attempts reset) before starting. */
  retryDeadLetters?: boolean;
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
  readonly stats: WatchStats = {
    fromBlock: 0,
    toBlock: -1,
    events: 0,
    sent: 0,
    alreadySent: 0,
    noContact: 0,
    failed: 0,
    outbox: 0,
    deadLetters: 0,
  };
  private readonly stopper = new AbortController();
  private readonly log: (line: string) => void;
  private provider!: Provider;
  private deployment!: DeploymentFile;
  private followed = new Map<string, FollowedContract>();
  private checkpoint!: Checkpoint;
  private sent = new Set<string>();
  private senders!: { email?: Send; webhook?: Send; close(): void };
  private queues!: EndpointQueues;
  private participantOf!: (address: string) => Promise<number>;

  constructor(private readonly opts: WatcherOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  /** Asks the loop to stop after the attempts in progress; the checkpoint is written before it returns. */
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
    this.checkpoint = saved ?? { version: 1, chainId, nextBlock: start, sent: [], outbox: [], deadLetters: [], updatedAt: "" };
    this.checkpoint.deadLetters ??= [];
    this.sent = new Set(this.checkpoint.sent);
    this.followed = await deploymentContracts(hre, deployment, config.contracts);
    this.senders = await createSenders(config);
    this.queues = new EndpointQueues({
      senderOf: (d) => (d.channel === "email" ? this.senders.email : this.senders.webhook),
      timeoutMs: (d) => (d.channel === "email" ? (config.smtp?.timeoutMs ?? 30_000) : (config.webhook?.timeoutMs ?? 10_000)),
      retry: config.retry,
      stop: this.stopper.signal,
      on: {
        sent: (d) => {
          this.checkpoint.outbox = this.checkpoint.outbox.filter((x) => x !== d);
          this.stats.sent++;
          this.log(`  sent ${d.channel} to ${d.recipient} (${d.target})`);
          this.save();
        },
        failedAttempt: (d) => {
          this.log(`  ${d.channel} to ${d.target} failed (attempt ${d.attempts}): ${d.lastError}`);
          this.save();
        },
        dead: (d) => {
          this.checkpoint.outbox = this.checkpoint.outbox.filter((x) => x !== d);
          this.checkpoint.deadLetters!.push(d);
          this.stats.failed++;
          this.log(`  dead letter after ${d.attempts} attempt(s): ${d.channel} to ${d.recipient} (${d.target}): ${d.lastError}`);
          this.save();
        },
      },
    });
    if (this.opts.retryDeadLetters && this.checkpoint.deadLetters.length > 0) {
      this.log(`putting ${this.checkpoint.deadLetters.length} dead letter(s) back in the outbox`);
      for (const d of this.checkpoint.deadLetters) this.checkpoint.outbox.push({ ...d, attempts: 0 });
      this.checkpoint.deadLetters = [];
      this.save();
    }
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
    this.stats.deadLetters = this.checkpoint.deadLetters?.length ?? 0;
    writeCheckpoint(this.opts.config.checkpoint, this.checkpoint);
  }

  /** Hands the outbox of an earlier run to the endpoint queues (oldest first). */
  private resumeOutbox(): void {
    if (this.checkpoint.outbox.length === 0) return;
    this.log(`resuming ${this.checkpoint.outbox.length} delivery(ies) from the outbox`);
    for (const d of this.checkpoint.outbox) this.queues.enqueue(d);
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
    const known = new Set([...this.checkpoint.outbox, ...this.checkpoint.deadLetters!].map((d) => d.key));
    const queued: Delivery[] = [];
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
        if (this.sent.has(d.key) || known.has(d.key)) {
          this.stats.alreadySent++;
          continue;
        }
        queued.push(d);
      }
    }
    // One write: the range's deliveries join the outbox as the resume point moves past it, so each is
    // queued exactly once whenever the process stops.
    this.checkpoint.outbox.push(...queued);
    this.checkpoint.nextBlock = to + 1;
    this.sent.clear();
    this.stats.toBlock = to;
    this.save();
    for (const d of queued) this.queues.enqueue(d);
    return true;
  }

  /** Reads every confirmed block up to the head and queues its deliveries; returns when caught up or stopped. */
  async catchUp(): Promise<void> {
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
   * Runs until caught up with every delivery sent or dead (`once`), or until {@link stop}: catch up, wait
   * `pollIntervalMs`, repeat, while the endpoint queues send. The checkpoint is current whenever it returns.
   */
  async run(opts: { once?: boolean } = {}): Promise<WatchStats> {
    await this.init();
    try {
      this.resumeOutbox();
      for (;;) {
        await this.catchUp();
        if (opts.once || this.stopped) break;
        await sleep(this.opts.config.pollIntervalMs, this.stopper);
      }
      await this.queues.idle();
    } finally {
      this.save();
      this.senders?.close();
    }
    return this.stats;
  }
}
