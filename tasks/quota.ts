import { task, types } from "hardhat/config";
import { action } from "../lib/core/task";
import { output, printTable, UserError } from "../lib/core/cli";
import { pickSigner } from "../lib/core/suite";

// Amounts on the command line are currency units with up to 2 decimals ("2500", "1,250.50"); on chain they
// are the smallest unit (cents). Investors are given by key (0x…32 bytes) or real-name id + --salt.

function positiveInt(v: string, what: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UserError(`${what} "${v}" is not a positive integer`);
  return Number(v);
}

const INVESTOR_COLUMNS = ["investor", "period", "category", "quota", "consumed", "reserved", "available"];

const WINDOW_COLUMNS = ["investor", "accredited", "limit", "used", "available", "days", "windowFrom"];

task("quota:category", "Shows the category table, defines a category, or puts an investor in one (quota admin)")
  .addOptionalParam("id", "Category id (1..255)", undefined, types.string)
  .addOptionalParam("name", "Category label when defining, e.g. retail", undefined, types.string)
  .addOptionalParam("limit", "Category quota per period in currency units, or 'unlimited'", undefined, types.string)
  .addOptionalParam(
    "investor",
    "Investor key, or real-name id with --salt: assign to --id, or classify from finances",
    undefined,
    types.string,
  )
  .addOptionalParam("salt", "Depository salt for real-name ids (default env QUOTA_SALT)", undefined, types.string)
  .addOptionalParam("income", "Annual income (classify by Reg CF)", undefined, types.string)
  .addOptionalParam("netWorth", "Net worth without primary residence (classify by Reg CF)", undefined, types.string)
  .addFlag("accredited", "Accredited investor (classify: unlimited)")
  .addFlag("defaults", "Define the default table: 1 retail 2,500; 2 qualified 124,000; 3 accredited unlimited")
  .addOptionalParam("from", "Quota admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(
      async (
        a: {
          id?: string;
          name?: string;
          limit?: string;
          investor?: string;
          salt?: string;
          income?: string;
          netWorth?: string;
          accredited: boolean;
          defaults: boolean;
          from?: string;
          json: boolean;
        },
        hre,
      ) => {
        const Q = await import("../lib/quota");
        const q = await Q.quotaAt(hre, await pickSigner(hre, a.from));
        let note = "";
        if (a.defaults) {
          for (const c of Q.DEFAULT_CATEGORIES) await (await q.setCategory(c.id, c.limit, Q.labelBytes(c.name))).wait();
          note = "default category table defined";
        } else if (a.investor) {
          const key = Q.resolveInvestor(a.investor, a.salt);
          let id: number;
          if (a.id) id = positiveInt(a.id, "--id");
          else {
            if (!a.accredited && (a.income === undefined || a.netWorth === undefined)) {
              throw new UserError("give --id, or --income and --net-worth (or --accredited) to classify by the Reg CF rule");
            }
            const s = Q.suggestCategory({
              income: Q.parseAmount(a.income ?? "0", 2, "--income"),
              netWorth: Q.parseAmount(a.netWorth ?? "0", 2, "--net-worth"),
              accredited: a.accredited,
            });
            id = Q.DEFAULT_CATEGORIES.find((c) => c.name === s.category)!.id;
            note = `Reg CF: ${s.category}, personal limit ${Q.formatAmount(s.regCfLimit)}; `;
          }
          await (await q.setInvestorCategory(key, id)).wait();
          const row = await Q.investorRow(q, key);
          output(a.json, row, () => printTable([row], INVESTOR_COLUMNS, `${note}investor placed in category ${id}`));
          return;
        } else if (a.id && a.limit) {
          const id = positiveInt(a.id, "--id");
          await (await q.setCategory(id, Q.parseAmount(a.limit, 2, "--limit", true), Q.labelBytes(a.name ?? `category-${id}`))).wait();
          note = `category ${id} set`;
        }
        const rows: Record<string, unknown>[] = [];
        for (let id = 1; id <= 16; id++) {
          try {
            const [limit, name] = await q.category(id);
            rows.push({ id, name: Q.labelText(name), quota: Q.formatAmount(limit) });
          } catch {
            /* undefined category */
          }
        }
        output(a.json, rows, () => printTable(rows, ["id", "name", "quota"], note || "category table"));
      },
    ),
  );

task("quota:set", "Sets an investor's quota per period directly, or from income and net worth by the Reg CF rule (quota admin)")
  .addParam("investor", "Investor key, or real-name id with --salt", undefined, types.string)
  .addOptionalParam("salt", "Depository salt for real-name ids (default env QUOTA_SALT)", undefined, types.string)
  .addOptionalParam("limit", "Quota in currency units, or 'unlimited'", undefined, types.string)
  .addFlag("fromIncome", "Compute the quota with the Reg CF rule from --income, --net-worth, --accredited")
  .addOptionalParam("income", "Annual income in currency units", undefined, types.string)
  .addOptionalParam("netWorth", "Net worth without primary residence, in currency units", undefined, types.string)
  .addFlag("accredited", "Accredited investor: unlimited")
  .addOptionalParam("from", "Quota admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(
      async (
        a: {
          investor: string;
          salt?: string;
          limit?: string;
          fromIncome: boolean;
          income?: string;
          netWorth?: string;
          accredited: boolean;
          from?: string;
          json: boolean;
        },
        hre,
      ) => {
        const Q = await import("../lib/quota");
        const key = Q.resolveInvestor(a.investor, a.salt);
        let limit: bigint;
        if (a.fromIncome) {
          if (!a.accredited && (a.income === undefined || a.netWorth === undefined)) {
            throw new UserError("--from-income needs --income and --net-worth (or --accredited)");
          }
          limit = Q.regCfLimit({
            income: Q.parseAmount(a.income ?? "0", 2, "--income"),
            netWorth: Q.parseAmount(a.netWorth ?? "0", 2, "--net-worth"),
            accredited: a.accredited,
          });
        } else if (a.limit !== undefined) limit = Q.parseAmount(a.limit, 2, "--limit", true);
        else throw new UserError("give --limit or --from-income");
        const q = await Q.quotaAt(hre, await pickSigner(hre, a.from));
        const receipt = await (await q.setQuota(key, limit)).wait();
        const row = { ...(await Q.investorRow(q, key)), txHash: receipt!.hash };
        output(a.json, row, () => printTable([row], INVESTOR_COLUMNS, `quota set (tx ${receipt!.hash})`));
      },
    ),
  );

task("quota:offering", "Registers an offering with its cap across platforms (quota admin), or shows one")
  .addOptionalParam("id", "Show this offering", undefined, types.string)
  .addOptionalParam("cap", "Cap across all platforms in currency units", undefined, types.string)
  .addOptionalParam("perInvestor", "Per-investor limit in currency units (default none)", "0", types.string)
  .addOptionalParam("name", "Label (≤ 31 bytes)", "", types.string)
  .addOptionalParam(
    "issuer",
    "Register under Reg CF for this issuer id (its participant id or an id the depository assigns)",
    undefined,
    types.string,
  )
  .addOptionalParam("from", "Quota admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(
      async (a: { id?: string; cap?: string; perInvestor: string; name: string; issuer?: string; from?: string; json: boolean }, hre) => {
        const Q = await import("../lib/quota");
        const signer = await pickSigner(hre, a.from);
        const q = await Q.quotaAt(hre, signer);
        const r = await Q.regCfAt(hre, signer);
        let id: number;
        if (a.cap) {
          const cap = Q.parseAmount(a.cap, 2, "--cap");
          const per = Q.parseAmount(a.perInvestor, 2, "--per-investor");
          const label = Q.labelBytes(a.name);
          if (a.issuer !== undefined) {
            const issuer = positiveInt(a.issuer, "--issuer");
            await (await r.registerRegCfOffering(issuer, cap, per, label)).wait();
            id = Number(await q.offeringCount()) + Q.REG_CF_OFFERING;
          } else {
            await (await q.registerOffering(cap, per, label)).wait();
            id = Number(await q.offeringCount());
          }
        } else if (a.id) id = positiveInt(a.id, "--id");
        else throw new UserError("give --cap to register, or --id to show");
        const regCf = Q.isRegCfOffering(id);
        let o;
        let issuer: number | string = "-";
        if (regCf) {
          const [off, iss] = await r.regCfOffering(id);
          o = off;
          issuer = Number(iss);
        } else o = await q.offering(id);
        const row = {
          offering: id,
          regime: regCf ? "Reg CF" : "periods",
          issuer,
          cap: Q.formatAmount(o.cap),
          perInvestor: o.perInvestorLimit === 0n ? "none" : Q.formatAmount(o.perInvestorLimit),
          consumed: Q.formatAmount(o.consumed),
          reserved: Q.formatAmount(o.reserved),
          available: Q.formatAmount(o.cap - o.consumed - o.reserved),
        };
        output(a.json, row, () => printTable([row], undefined, a.cap ? `offering ${id} registered` : undefined));
      },
    ),
  );

task("quota:accredited", "Marks an investor as accredited under Rule 501 (no Reg CF investor limit), or removes the mark (quota admin)")
  .addParam("investor", "Investor key, or real-name id with --salt", undefined, types.string)
  .addOptionalParam("salt", "Depository salt for real-name ids (default env QUOTA_SALT)", undefined, types.string)
  .addFlag("unmark", "Remove the mark")
  .addOptionalParam("from", "Quota admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { investor: string; salt?: string; unmark: boolean; from?: string; json: boolean }, hre) => {
      const Q = await import("../lib/quota");
      const signer = await pickSigner(hre, a.from);
      const q = await Q.quotaAt(hre, signer);
      const r = await Q.regCfAt(hre, signer);
      const key = Q.resolveInvestor(a.investor, a.salt);
      const receipt = await (await r.setAccredited(key, !a.unmark)).wait();
      const row = { ...(await Q.investorWindowRow(hre, key)), txHash: receipt!.hash };
      output(a.json, row, () => printTable([row], WINDOW_COLUMNS, `${a.unmark ? "unmarked" : "marked"} accredited (tx ${receipt!.hash})`));
    }),
  );

task("quota:issuer-cap", "Shows the Reg CF issuer limit (a)(1), or sets it (quota admin)")
  .addOptionalParam("cap", "New cap in currency units (default in force: 5,000,000.00)", undefined, types.string)
  .addOptionalParam("from", "Quota admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { cap?: string; from?: string; json: boolean }, hre) => {
      const Q = await import("../lib/quota");
      const signer = await pickSigner(hre, a.from);
      const q = await Q.quotaAt(hre, signer);
      const r = await Q.regCfAt(hre, signer);
      let txHash: string | undefined;
      if (a.cap !== undefined) {
        const cap = Q.parseAmount(a.cap, 2, "--cap");
        txHash = (await (await r.setIssuerCap(cap)).wait())!.hash;
      }
      const row = { issuerCap: Q.formatAmount(await r.issuerCap()), ...(txHash ? { txHash } : {}) };
      output(a.json, row, () => printTable([row], ["issuerCap"], txHash ? `issuer cap set (tx ${txHash})` : undefined));
    }),
  );

task("quota:window", "Shows an investor's or an issuer's Reg CF usage over the preceding twelve months")
  .addOptionalParam("investor", "Investor key, or real-name id with --salt", undefined, types.string)
  .addOptionalParam("salt", "Depository salt for real-name ids (default env QUOTA_SALT)", undefined, types.string)
  .addOptionalParam("issuer", "Issuer id", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { investor?: string; salt?: string; issuer?: string; json: boolean }, hre) => {
      const Q = await import("../lib/quota");
      if (a.issuer !== undefined) {
        const row = await Q.issuerWindowRow(hre, positiveInt(a.issuer, "--issuer"));
        output(a.json, row, () => printTable([row]));
        return;
      }
      if (!a.investor) throw new UserError("give --investor or --issuer");
      const row = await Q.investorWindowRow(hre, Q.resolveInvestor(a.investor, a.salt));
      output(a.json, row, () => printTable([row], WINDOW_COLUMNS));
    }),
  );

for (const [name, method, help] of [
  ["reserve", "reserve", "Reserves quota at checkout until an expiry (platform)"],
  ["confirm", "confirm", "Confirms a reservation into consumption (platform)"],
  ["cancel", "cancel", "Cancels a reservation (platform)"],
  ["consume", "consume", "Consumes quota directly (platform)"],
  ["refund", "refund", "Gives back consumed quota after a cancelled investment (platform)"],
] as const) {
  task(`quota:${name}`, `${help}; idempotent on --ref`)
    .addParam("ref", "The platform's reference (text, hashed; or 0x + 64 hex)", undefined, types.string)
    .addParam("investor", "Investor key, or real-name id with --salt", undefined, types.string)
    .addParam("offering", "Offering id", undefined, types.string)
    .addParam("amount", "Amount in currency units", undefined, types.string)
    .addOptionalParam("salt", "Depository salt for real-name ids (default env QUOTA_SALT)", undefined, types.string)
    .addOptionalParam(
      "ttl",
      "reserve: seconds until the reservation may be expired (at most the registry's lifetime and the rest of the period)",
      "900",
      types.string,
    )
    .addOptionalParam("from", "Platform signer: account index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(
      action(
        async (
          a: { ref: string; investor: string; offering: string; amount: string; salt?: string; ttl: string; from?: string; json: boolean },
          hre,
        ) => {
          const Q = await import("../lib/quota");
          const q = await Q.quotaAt(hre, await pickSigner(hre, a.from));
          const key = Q.resolveInvestor(a.investor, a.salt);
          const ref = Q.referenceBytes(a.ref);
          const offering = positiveInt(a.offering, "--offering");
          const amount = Q.parseAmount(a.amount, 2, "--amount");
          // The signer simulates first: a refusal is reported with the contract's named error and nothing is sent.
          let tx;
          const regCf = Q.isRegCfOffering(offering);
          if (method === "reserve") {
            const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
            const expiry = BigInt(now) + BigInt(positiveInt(a.ttl, "--ttl"));
            // A reservation lives at most the registry's lifetime and ends with its period (under Reg CF, the
            // lifetime alone): refuse here, unsent.
            const latest = regCf ? BigInt(now + 1) + (await q.reservationTtl()) : await q.latestExpiryAt(now + 1);
            if (expiry > latest) {
              throw new UserError(
                `--ttl ${a.ttl} would run the reservation past ${latest} (now ${now}): reservations live at most ` +
                  `${await q.reservationTtl()} s and end with their period; give --ttl ${latest - BigInt(now) - 1n} or less`,
              );
            }
            tx = await q.reserve(ref, key, offering, amount, expiry);
          } else {
            tx = await q[method](ref, key, offering, amount);
          }
          const receipt = await tx.wait();
          const replayed = receipt!.logs.some((l) => q.interface.parseLog(l)?.name === "QuotaReplayed");
          const result = replayed ? "replay (no change)" : name;
          // A Reg CF offering counts in the investor's twelve-month window, the others in the period.
          const row = { ...(regCf ? await Q.investorWindowRow(hre, key) : await Q.investorRow(q, key)), result, txHash: receipt!.hash };
          const columns = [...(regCf ? WINDOW_COLUMNS : INVESTOR_COLUMNS), "result"];
          output(a.json, row, () => printTable([row], columns, `${name} ${a.ref} (tx ${receipt!.hash})`));
        },
      ),
    );
}

task("quota:show", "Shows an investor's quota and usage, or an offering's totals")
  .addOptionalParam("investor", "Investor key, or real-name id with --salt", undefined, types.string)
  .addOptionalParam("salt", "Depository salt for real-name ids (default env QUOTA_SALT)", undefined, types.string)
  .addOptionalParam("period", "Period id (default the current one, e.g. 2026)", undefined, types.string)
  .addOptionalParam("offering", "Offering id", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { investor?: string; salt?: string; period?: string; offering?: string; json: boolean }, hre) => {
      const Q = await import("../lib/quota");
      const q = await Q.quotaAt(hre);
      if (a.offering) {
        await hre.run("quota:offering", { id: a.offering, perInvestor: "0", name: "", json: a.json });
        return;
      }
      if (!a.investor) throw new UserError("give --investor or --offering");
      const row = await Q.investorRow(q, Q.resolveInvestor(a.investor, a.salt), a.period ? positiveInt(a.period, "--period") : undefined);
      output(a.json, row, () => printTable([row], INVESTOR_COLUMNS));
    }),
  );

function sequenceRef(v: string, what: string): bigint {
  if (!/^\d+$/.test(v) || BigInt(v) >= 1n << 64n) throw new UserError(`${what} "${v}" is not a sequence reference (0 .. 2^64-1)`);
  return BigInt(v);
}

task("quota:batch", "Commits a batch of reservations and consumptions under sequence references (platform); idempotent on --first-ref")
  .addParam(
    "file",
    "JSON array of { investor, offering, amount, expiry? } (expiry: UNIX seconds = reserve; none = consume)",
    undefined,
    types.string,
  )
  .addParam("firstRef", "Sequence reference of the first item; item i gets firstRef + i", undefined, types.string)
  .addFlag("atomic", "All or nothing: the first refused item reverts the whole batch")
  .addOptionalParam("salt", "Depository salt for real-name ids (default env QUOTA_SALT)", undefined, types.string)
  .addOptionalParam("from", "Platform signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { file: string; firstRef: string; atomic: boolean; salt?: string; from?: string; json: boolean }, hre) => {
      const fs = await import("node:fs");
      const Q = await import("../lib/quota");
      if (!fs.existsSync(a.file)) throw new UserError(`batch file ${a.file} does not exist`);
      const items = Q.parseCommittedItems(fs.readFileSync(a.file, "utf8"), a.salt);
      const firstRef = sequenceRef(a.firstRef, "--first-ref");
      const signer = await pickSigner(hre, a.from);
      const q = await Q.quotaAt(hre, signer);
      const platformId = await Q.platformIdOf(hre, q, await signer.getAddress());
      const tree = Q.committedTree(platformId, firstRef, items);
      // A new batch whose reservations would outlive the lifetime or the period is refused here, unsent (a retry
      // of a batch already committed is recognised as such by the registry, whatever the time now).
      if ((await q.committedBatchOf(platformId, firstRef)).root === hre.ethers.ZeroHash) {
        const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
        const latest = await q.latestExpiryAt(now + 1);
        const late = items.findIndex((it) => it.expiry > latest);
        if (late >= 0) {
          throw new UserError(
            `item ${late}: expiry ${items[late].expiry} is past the latest allowed now (${latest}): reservations live at ` +
              `most ${await q.reservationTtl()} s and end with their period`,
          );
        }
      }
      const receipt = await (await q.executeCommitted(firstRef, items, a.atomic)).wait();
      const logs = receipt!.logs.map((l) => q.interface.parseLog(l)).filter((l) => l !== null);
      const replay = logs.some((l) => l.name === "QuotaBatchReplayed");
      const results = replay
        ? await Promise.all(items.map(async (_, i) => Number((await q.sequenceStatusOf(platformId, firstRef + BigInt(i)))[1])))
        : Q.unpackCommittedItems(firstRef, logs.find((l) => l.name === "QuotaBatchCommitted")!.args.items).map((x) => x.result);
      const rows = items.map((it, i) => ({
        seqRef: String(firstRef + BigInt(i)),
        op: it.expiry === 0n ? "consume" : "reserve",
        investor: `${it.investorKey.slice(0, 18)}…`,
        offering: it.offeringId,
        amount: Q.formatAmount(it.amount),
        expiry: it.expiry === 0n ? "" : String(it.expiry),
        result: Q.QUOTA_RESULTS[results[i]],
      }));
      const ok = results.filter((r) => r === 0).length;
      output(a.json, { platformId, firstRef: String(firstRef), root: tree.root, replay, txHash: receipt!.hash, items: rows }, () =>
        printTable(
          rows,
          undefined,
          `${replay ? "replay (no change) of" : "committed"} batch ${firstRef}..${firstRef + BigInt(items.length) - 1n} of platform ` +
            `${platformId}: ${ok} applied, ${items.length - ok} refused; root ${tree.root} (tx ${receipt!.hash})`,
        ),
      );
    }),
  );

task("quota:seq", "Shows, confirms, cancels, refunds or expires an item of a committed batch by its sequence reference; proves it")
  .addParam("seq", "Sequence reference of the item", undefined, types.string)
  .addOptionalParam("action", "show | confirm | cancel | refund | expire (expire: anyone, after the expiry)", "show", types.string)
  .addOptionalParam(
    "batchFirst",
    "First sequence reference of the item's batch (default: found in the registry's events)",
    undefined,
    types.string,
  )
  .addOptionalParam("platform", "Platform participant id (default: the signer's platform)", undefined, types.string)
  .addOptionalParam("from", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { seq: string; action: string; batchFirst?: string; platform?: string; from?: string; json: boolean }, hre) => {
      const Q = await import("../lib/quota");
      const actions = ["show", "confirm", "cancel", "refund", "expire"];
      if (!actions.includes(a.action)) throw new UserError(`--action "${a.action}" is not one of ${actions.join(", ")}`);
      const signer = await pickSigner(hre, a.from);
      const q = await Q.quotaAt(hre, signer);
      const platformId = a.platform ? positiveInt(a.platform, "--platform") : await Q.platformIdOf(hre, q, await signer.getAddress());
      const seq = sequenceRef(a.seq, "--seq");
      const batch = await Q.committedBatch(q, platformId, seq, a.batchFirst ? sequenceRef(a.batchFirst, "--batch-first") : undefined);
      const index = Number(seq - batch.firstRef);
      const item = batch.items[index];
      const proof = Q.committedTree(platformId, batch.firstRef, batch.items).proof(index);
      let txHash: string | undefined;
      let note = `sequence reference ${seq} of platform ${platformId} (batch ${batch.firstRef})`;
      if (a.action !== "show") {
        const send = {
          confirm: () => q.confirmCommitted(seq, batch.firstRef, item, proof),
          cancel: () => q.cancelCommitted(seq, batch.firstRef, item, proof),
          refund: () => q.refundCommitted(seq, batch.firstRef, item, proof),
          expire: () => q.expireCommitted(platformId, seq, batch.firstRef, item, proof),
        }[a.action as "confirm"];
        const receipt = await (await send()).wait();
        txHash = receipt!.hash;
        const replayed = receipt!.logs.some((l) => q.interface.parseLog(l)?.name === "QuotaSequenceReplayed");
        note = `${a.action} ${replayed ? "replay (no change)" : "done"}: ${note} (tx ${txHash})`;
      }
      const [status, refusal] = await q.sequenceStatusOf(platformId, seq);
      const row = {
        seqRef: String(seq),
        batch: String(batch.firstRef),
        op: item.expiry === 0n ? "consume" : "reserve",
        investor: `${item.investorKey.slice(0, 18)}…`,
        investorKey: item.investorKey,
        offering: item.offeringId,
        amount: Q.formatAmount(item.amount),
        period: batch.period,
        status: Q.QUOTA_STATUSES[Number(status)] + (Number(status) === 7 ? ` (${Q.QUOTA_RESULTS[Number(refusal)]})` : ""),
        proof: proof.length,
        ...(txHash ? { txHash } : {}),
      };
      output(a.json, row, () =>
        printTable([row], ["seqRef", "batch", "op", "investor", "offering", "amount", "period", "status", "proof"], note),
      );
    }),
  );

/** Parses "all", "1000-1009,1020" into the batch's indexes (each reference must lie in the batch). */
function selectSequences(text: string, firstRef: bigint, count: number): number[] {
  if (text.trim() === "all") return Array.from({ length: count }, (_, i) => i);
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new UserError(`--seqs part "${part}" is not a sequence reference or a range a-b`);
    const from = BigInt(m[1]);
    const to = BigInt(m[2] ?? m[1]);
    for (let s = from; s <= to; s++) {
      if (s < firstRef || s >= firstRef + BigInt(count))
        throw new UserError(`sequence reference ${s} is not in batch ${firstRef} (${count} items)`);
      out.add(Number(s - firstRef));
    }
  }
  return [...out].sort((x, y) => x - y);
}

task("quota:seq-batch", "Confirms, cancels, refunds or expires many items of one committed batch in one transaction (platform)")
  .addParam("batchFirst", "First sequence reference of the batch", undefined, types.string)
  .addParam("action", "confirm | cancel | refund | expire (expire: items past their expiry)", undefined, types.string)
  .addOptionalParam("seqs", 'Sequence references: "all", or a list of references and ranges, e.g. "1000-1009,1020"', "all", types.string)
  .addOptionalParam("from", "Platform signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { batchFirst: string; action: string; seqs: string; from?: string; json: boolean }, hre) => {
      const Q = await import("../lib/quota");
      const ops: Record<string, number> = Object.fromEntries(
        (["Confirm", "Cancel", "Refund", "Expire"] as const).map((name) => [name.toLowerCase(), Q.QUOTA_OPS.indexOf(name)]),
      );
      if (!(a.action in ops)) throw new UserError(`--action "${a.action}" is not one of ${Object.keys(ops).join(", ")}`);
      const signer = await pickSigner(hre, a.from);
      const q = await Q.quotaAt(hre, signer);
      const platformId = await Q.platformIdOf(hre, q, await signer.getAddress());
      const first = sequenceRef(a.batchFirst, "--batch-first");
      const batch = await Q.committedBatch(q, platformId, first, first);
      const selected = selectSequences(a.seqs, first, batch.items.length);
      const mask = selected.reduce((m, i) => m | (1n << BigInt(i)), 0n);
      const receipt = await (await q.settleCommittedBatch(ops[a.action], first, batch.items, mask)).wait();
      const ev = receipt!.logs.map((l) => q.interface.parseLog(l)).find((l) => l?.name === "QuotaSequencesSettled")!;
      const outcomes = [...hre.ethers.getBytes(ev.args.outcomes)];
      const rows = selected.map((i) => {
        const it = batch.items[i];
        const o = outcomes[i];
        return {
          seqRef: String(first + BigInt(i)),
          op: it.expiry === 0n ? "consume" : "reserve",
          investor: `${it.investorKey.slice(0, 18)}…`,
          offering: it.offeringId,
          amount: Q.formatAmount(it.amount),
          outcome: o === 1 ? a.action : o === 2 ? "replay (no change)" : `refused: ${Q.QUOTA_RESULTS[o & 0x7f]}`,
        };
      });
      const applied = outcomes.filter((o) => o === 1).length;
      output(a.json, { platformId, batchFirst: String(first), action: a.action, applied, txHash: receipt!.hash, items: rows }, () =>
        printTable(rows, undefined, `${a.action}: ${applied} of ${selected.length} items of batch ${first} (tx ${receipt!.hash})`),
      );
    }),
  );
