import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { activePledgeFixture, pushPrice } from "../pledge/fixtures";
import { parseConfig, type NotifyConfig } from "../../lib/notify/config";
import { Watcher } from "../../lib/notify/watcher";
import { verifySignature } from "../../lib/notify/channels";
import { readCheckpoint } from "../../lib/notify/checkpoint";
import { startHttpSink, startSmtpSink } from "./sinks";

const SECRET = "notify-test-secret";

/** An active pledge (pledger investor 0, pledgee bank A) and the block after the fixture, where watching starts. */
async function watchedPledgeFixture() {
  const f = await activePledgeFixture();
  return { ...f, startBlock: (await ethers.provider.getBlockNumber()) + 1 };
}

type F = Awaited<ReturnType<typeof watchedPledgeFixture>>;

describe("Watcher (notifications)", function () {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let http: Awaited<ReturnType<typeof startHttpSink>>;
  let dir: string;

  before(async function () {
    process.env.NOTIFY_TEST_SECRET = SECRET;
    smtp = await startSmtpSink();
    http = await startHttpSink();
  });

  after(async function () {
    await smtp?.close();
    await http?.close();
  });

  beforeEach(function () {
    smtp.mails.length = 0;
    http.hooks.length = 0;
    http.refused.length = 0;
    http.hung.length = 0;
    http.setFailures(0);
    for (const route of ["/bank-a", "/investor-0", "/all"]) http.setRoute(route, undefined);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "csd-notify-"));
  });

  function config(f: F, over: Record<string, unknown> = {}): NotifyConfig {
    return parseConfig(
      {
        startBlock: f.startBlock,
        checkpoint: "checkpoint.json",
        pollIntervalMs: 20,
        smtp: { host: "127.0.0.1", port: smtp.port, ignoreTLS: true, from: "csd-ledger <notify@csd.example>" },
        webhook: { url: `${http.url}/all`, secretEnv: "NOTIFY_TEST_SECRET" },
        contacts: {
          [f.ids.bankA]: { email: ["back-office@bank-a.example"], webhook: [`${http.url}/bank-a`] },
          [f.ids.investors[0]]: { email: ["investor0@mail.example"] },
        },
        retry: { maxAttempts: 3, baseBackoffMs: 5 },
        ...over,
      },
      "notify.json",
      dir,
    );
  }

  /** Prices drop to 15.00: the pledge's ratio falls under the 160% warning line. */
  async function valueAtWarning(f: F): Promise<void> {
    await pushPrice(f, f.today, "15");
    await (await f.book.value([f.id], f.today)).wait();
  }

  const lines: string[] = [];
  const watch = (cfg: NotifyConfig, opts: Partial<ConstructorParameters<typeof Watcher>[0]> = {}) =>
    new Watcher({ config: cfg, hre, log: (l) => lines.push(l), ...opts });

  describe("e-mail", function () {
    it("sends each participant an event concerns an e-mail naming the event and contract, with the decoded fields", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      await valueAtWarning(f);
      const stats = await watch(config(f)).run({ once: true });
      expect(stats.failed).to.equal(0);
      const valued = smtp.mails.filter((m) => m.subject === "[csd-ledger] PledgeValued on PledgeBook");
      expect(valued.map((m) => m.to[0]).sort()).to.deep.equal(["back-office@bank-a.example", "investor0@mail.example"]);
      const [m] = valued;
      expect(m.from).to.equal("notify@csd.example");
      expect(m.text).to.match(new RegExp(`^\\s+id\\s+${f.id}$`, "m"));
      expect(m.text).to.match(/^\s+out\.level\s+1$/m);
      expect(m.text).to.match(/^\s+closePrice\s+15000000000000000000$/m);
      expect(m.eventId).to.match(/^0x[0-9a-f]{64}:\d+:p\d+:email$/);
      expect(smtp.mails.some((x) => x.subject === "[csd-ledger] PledgeLevelChanged on PledgeBook")).to.equal(true);
    });
  });

  describe("webhook", function () {
    it("posts every event to the default webhook with a valid HMAC signature of the body", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      await valueAtWarning(f);
      const stats = await watch(config(f)).run({ once: true });
      const all = http.hooks.filter((h) => h.path === "/all");
      expect(all.length).to.equal(stats.events);
      for (const h of all) expect(verifySignature(h.body, h.headers["x-csd-signature"] as string, SECRET), h.body).to.equal(true);
      expect(verifySignature(all[0].body, all[0].headers["x-csd-signature"] as string, "another secret")).to.equal(false);
      const valued = all.map((h) => JSON.parse(h.body)).find((b) => b.event === "PledgeValued");
      expect(valued).to.include({ contract: "PledgeBook", recipient: "default", chainId: 31337 });
      expect(valued.args.id).to.equal(String(f.id));
      expect(valued.args.out.level).to.equal("1");
      expect(valued.participants).to.include.members([f.ids.bankA, f.ids.investors[0]]);
    });

    it("posts to a participant's own webhook only the events that concern it", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      await valueAtWarning(f);
      await (await f.cash.mint(f.actors.investors[1].address, 100n, ethers.encodeBytes32String("deposit"))).wait();
      await watch(config(f)).run({ once: true });
      const mine = http.hooks.filter((h) => h.path === "/bank-a").map((h) => JSON.parse(h.body));
      expect(mine.map((b) => b.event).sort()).to.deep.equal(["PledgeLevelChanged", "PledgeValued"]);
      expect(mine.every((b) => b.recipient === `participant ${f.ids.bankA}`)).to.equal(true);
    });

    it("retries with backoff when the webhook fails the first times, and sends once", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      await valueAtWarning(f);
      http.setFailures(2);
      const stats = await watch(config(f)).run({ once: true });
      expect(http.refused.length).to.equal(2);
      expect(stats.failed).to.equal(0);
      const keys = http.hooks.map((h) => h.headers["x-csd-delivery"]);
      expect(new Set(keys).size).to.equal(keys.length);
      expect(http.hooks.filter((h) => h.path === "/all").length).to.equal(stats.events);
    });

    it("keeps a delivery that failed its last attempt in the dead letters, across restarts, until asked to retry it", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      await valueAtWarning(f);
      http.setFailures(1_000);
      const cfg = config(f, { retry: { maxAttempts: 2, baseBackoffMs: 1 } });
      const first = await watch(cfg).run({ once: true });
      expect(first.failed).to.be.greaterThan(0);
      const saved = readCheckpoint(cfg.checkpoint)!;
      expect(saved.deadLetters!.length).to.equal(first.failed);
      expect(saved.outbox).to.deep.equal([]);
      expect(saved.deadLetters!.every((d) => d.attempts === 2 && d.lastError === `HTTP 503 from ${d.target}`)).to.equal(true);
      http.setFailures(0);
      const again = await watch(cfg).run({ once: true });
      expect(again.sent).to.equal(0);
      expect(again.deadLetters).to.equal(first.failed);
      expect(http.hooks.length).to.equal(0);
      const retried = await watch(cfg, { retryDeadLetters: true }).run({ once: true });
      expect(retried.sent).to.equal(first.failed);
      expect(retried.deadLetters).to.equal(0);
      expect(http.hooks.filter((h) => h.path === "/all").length).to.equal(first.events);
    });
  });

  describe("endpoints", function () {
    it("a hung endpoint and a failing one delay no other: the others receive before the hung attempt times out", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      await valueAtWarning(f);
      http.setRoute("/bank-a", "hang");
      const timeoutMs = 1_500;
      const cfg = config(f, {
        webhook: { url: `${http.url}/all`, secretEnv: "NOTIFY_TEST_SECRET", timeoutMs },
        contacts: {
          [f.ids.bankA]: { webhook: [`${http.url}/bank-a`] },
          [f.ids.investors[0]]: { webhook: [`${http.url}/investor-0`] },
        },
        retry: { maxAttempts: 2, baseBackoffMs: 10 },
      });
      http.setRoute("/investor-0", "500");
      const stats = await watch(cfg).run({ once: true });
      const all = http.hooks.filter((h) => h.path === "/all");
      expect(all.length).to.equal(stats.events);
      expect(http.hung.length).to.be.greaterThan(0);
      expect(Math.max(...all.map((h) => h.at)), "the default webhook got every event before the first hung attempt ended").to.be.lessThan(
        http.hung[0].at + timeoutMs,
      );
      const dead = readCheckpoint(cfg.checkpoint)!.deadLetters!;
      const hung = dead.filter((d) => d.target.endsWith("/bank-a"));
      const refused = dead.filter((d) => d.target.endsWith("/investor-0"));
      expect(hung.length).to.be.greaterThan(0);
      expect(refused.length).to.be.greaterThan(0);
      expect(hung.every((d) => d.lastError === `no answer within ${timeoutMs} ms`)).to.equal(true);
      expect(refused.every((d) => d.lastError === `HTTP 500 from ${d.target}`)).to.equal(true);
      expect(stats.failed).to.equal(dead.length);
      // Each attempt is one request carrying the delivery's idempotency key.
      for (const [requests, letters] of [
        [http.hung, hung],
        [http.refused, refused],
      ] as const) {
        const keys = requests.map((h) => h.headers["x-csd-delivery"]);
        expect(keys.length).to.equal(letters.length * 2);
        for (const d of letters) expect(keys.filter((k) => k === d.key).length).to.equal(2);
      }
    });
  });

  describe("restart", function () {
    it("sends every delivery exactly once when stopped between batches and resumed", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      for (const day of [f.today - 2, f.today - 1, f.today]) {
        await pushPrice(f, day, "15");
        await (await f.book.value([f.id], day)).wait();
      }
      const cfg = config(f, { batchBlocks: 1 });
      const first = watch(cfg, { onBatch: (_r, s) => (s.events > 0 ? first.stop() : undefined) });
      const a = await first.run({ once: true });
      expect(a.toBlock).to.be.lessThan(await ethers.provider.getBlockNumber());
      const sentBefore = http.hooks.length + smtp.mails.length;
      const b = await watch(cfg).run({ once: true });
      expect(b.fromBlock).to.equal(a.toBlock + 1);
      const again = await watch(cfg).run({ once: true });
      expect(again.events).to.equal(0);
      const keys = [...http.hooks.map((h) => h.headers["x-csd-delivery"] as string), ...smtp.mails.map((m) => m.eventId)];
      expect(new Set(keys).size, "no delivery twice").to.equal(keys.length);
      expect(keys.length).to.equal(sentBefore + b.sent);
      expect(http.hooks.filter((h) => h.path === "/all").length, "every event once").to.equal(a.events + b.events);
      expect(smtp.mails.filter((m) => m.subject.includes("PledgeValued")).length).to.equal(6);
    });

    it("resumes the outbox of a run stopped in the middle of its deliveries without sending any twice", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      await valueAtWarning(f);
      const cfg = config(f);
      let n = 0;
      const first = watch(cfg, {});
      // Stop after the third webhook, while deliveries of the only range are still queued.
      http.hooks.length = 0;
      const orig = http.hooks.push.bind(http.hooks);
      http.hooks.push = (...h) => (++n === 3 && first.stop(), orig(...h));
      await first.run({ once: true });
      http.hooks.push = orig;
      const saved = readCheckpoint(cfg.checkpoint)!;
      expect(saved.outbox.length).to.be.greaterThan(0);
      expect(saved.nextBlock).to.equal((await ethers.provider.getBlockNumber()) + 1);
      const second = await watch(cfg).run({ once: true });
      expect(second.sent).to.equal(saved.outbox.length);
      const keys = [...http.hooks.map((h) => h.headers["x-csd-delivery"] as string), ...smtp.mails.map((m) => m.eventId)];
      expect(new Set(keys).size).to.equal(keys.length);
      expect(readCheckpoint(cfg.checkpoint)!.outbox).to.deep.equal([]);
    });
  });

  describe("contacts", function () {
    it("logs a participant without a contact and carries on", async function () {
      const f = await loadFixture(watchedPledgeFixture);
      await (await f.cash.mint(f.actors.investors[3].address, 100n, ethers.encodeBytes32String("deposit"))).wait();
      lines.length = 0;
      const stats = await watch(config(f)).run({ once: true });
      expect(stats.noContact).to.be.greaterThan(0);
      expect(lines.some((l) => l.includes(`participant ${f.ids.investors[3]} has no contact`))).to.equal(true);
      expect(http.hooks.filter((h) => h.path === "/all").length).to.equal(stats.events);
    });
  });

  describe("configuration", function () {
    it("refuses unknown settings and contacts of an unconfigured channel", function () {
      expect(() => parseConfig({ smtpp: {} })).to.throw(/unknown setting "smtpp"/);
      expect(() => parseConfig({ contacts: { 3: { email: ["a@b.example"] } } })).to.throw(/"smtp" is not configured/);
      expect(() => parseConfig({ contacts: { x: {} } })).to.throw(/not a participant id/);
    });

    it("accepts the shipped example", function () {
      const file = path.join(__dirname, "..", "..", "notify.example.json");
      const c = parseConfig(JSON.parse(fs.readFileSync(file, "utf8")), file, path.dirname(file));
      expect(c.webhook?.header).to.equal("X-CSD-Signature");
      expect(Object.keys(c.contacts).length).to.be.greaterThan(0);
    });
  });
});
