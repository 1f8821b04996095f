/**
 * Delivery queues, one per endpoint (a webhook URL, or the e-mail addresses of one participant). Each queue
 * sends its deliveries in order, one at a time, each attempt under its own timeout, retrying with a bounded
 * exponential backoff; a delivery that fails its last attempt goes to the dead letters. Queues run side by
 * side, so a hung or failing endpoint delays only its own deliveries.
 */
import type { Delivery } from "./checkpoint";
import type { RetryPolicy } from "./config";

/** Sends one delivery once; must give up when `signal` aborts (the attempt's timeout or a stop). */
export type Send = (d: Delivery, signal: AbortSignal) => Promise<void>;

export interface QueueEvents {
  sent(d: Delivery): void;
  failedAttempt(d: Delivery): void;
  dead(d: Delivery): void;
}

export interface QueueOptions {
  /** The sender of a delivery's channel (undefined: the channel is not configured, every attempt fails). */
  senderOf(d: Delivery): Send | undefined;
  /** Time one attempt may take, in ms. */
  timeoutMs(d: Delivery): number;
  retry: RetryPolicy;
  /** Aborted when the watcher stops: no new attempt starts, backoff waits end. */
  stop: AbortSignal;
  on: QueueEvents;
}

/** `<channel> <target>`: deliveries to the same endpoint share a queue. */
export function endpointOf(d: Delivery): string {
  return `${d.channel} ${d.target}`;
}

const sleep = (ms: number, stop: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (stop.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    stop.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/** Delay before attempt number `attempts + 1` (the first attempt has none): base · 2^(attempts−1), capped. */
export function backoffMs(retry: RetryPolicy, attempts: number): number {
  if (attempts <= 0) return 0;
  return Math.min(retry.maxBackoffMs, retry.baseBackoffMs * 2 ** (attempts - 1));
}

interface Queue {
  items: Delivery[];
  running?: Promise<void>;
}

export class EndpointQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly opts: QueueOptions) {}

  /** Adds a delivery at the end of its endpoint's queue and starts the queue if idle. */
  enqueue(d: Delivery): void {
    const key = endpointOf(d);
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { items: [] }));
    q.items.push(d);
    this.start(q);
  }

  private start(queue: Queue): void {
    if (queue.running || this.opts.stop.aborted) return;
    const running: Promise<void> = this.drain(queue).finally(() => {
      if (queue.running !== running) return;
      queue.running = undefined;
      // A delivery added while the queue was finishing.
      if (queue.items.length > 0) this.start(queue);
    });
    queue.running = running;
  }

  /** Deliveries waiting or in progress. */
  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.items.length;
    return n;
  }

  /** Resolves when every queue is empty, or, after a stop, when the attempts in progress have ended. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.queues.values()].map((q) => q.running).filter((r): r is Promise<void> => r !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  private async drain(q: Queue): Promise<void> {
    while (q.items.length > 0 && !this.opts.stop.aborted) {
      const d = q.items[0];
      if (!(await this.deliver(d))) return;
      q.items.shift();
    }
  }

  /** Attempts `d` until sent or out of attempts (true), or until stopped (false: it stays queued). */
  private async deliver(d: Delivery): Promise<boolean> {
    const { retry, stop, on } = this.opts;
    while (d.attempts < retry.maxAttempts) {
      const wait = backoffMs(retry, d.attempts);
      if (wait > 0) await sleep(wait, stop);
      if (stop.aborted) return false;
      d.attempts++;
      try {
        await this.attempt(d);
        delete d.lastError;
        on.sent(d);
        return true;
      } catch (e) {
        d.lastError = (e as Error).message;
        on.failedAttempt(d);
      }
    }
    on.dead(d);
    return true;
  }

  /** One attempt under its timeout. It is over (aborted and settled) before the next one may start. */
  private async attempt(d: Delivery): Promise<void> {
    const send = this.opts.senderOf(d);
    if (!send) throw new Error(`${d.channel} is not configured`);
    const ms = this.opts.timeoutMs(d);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no answer within ${ms} ms`));
    }, ms);
    const sending = send(d, controller.signal);
    const expired = new Promise<never>((_, reject) =>
      controller.signal.addEventListener("abort", () => reject(new Error(`no answer within ${ms} ms`)), { once: true }),
    );
    try {
      await Promise.race([sending, expired]);
    } finally {
      clearTimeout(timer);
      if (timedOut) {
        // A sender that ignores the abort gets one more timeout to give up before the next attempt.
        await Promise.race([sending.catch(() => undefined), new Promise((r) => setTimeout(r, ms))]);
      }
    }
  }
}
