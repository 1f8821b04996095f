/**
 * A sequential reference model of `QuotaRegistry`: the same rules, in TypeScript, one operation at a
 * time. Property tests run random sequences through both and compare; the concurrency test replays the
 * chain's events in block order through it and compares the final state.
 */
import {
  committedTree,
  DEFAULT_ISSUER_CAP,
  DEFAULT_RESERVATION_TTL,
  latestExpiryAt,
  periodOf,
  QUOTA_RESULTS,
  regCfWindowStartDay,
  type CommittedItem,
  type QuotaOpName,
  type QuotaResultName,
} from "./client";

export interface ModelOp {
  platformId: number;
  op: QuotaOpName;
  ref: string;
  investorKey: string;
  offeringId: number;
  amount: bigint;
  /** Reservation expiry (UNIX seconds), Reserve only. */
  expiry?: bigint;
}

export interface ModelOutcome {
  result: QuotaResultName;
  /** True when an identical retry was recognised (nothing changed). */
  replay: boolean;
}

type Status = "Reserved" | "Confirmed" | "Cancelled" | "Expired" | "Consumed" | "Refunded";

/** A sequence reference opened by a committed batch: the item, and its status or the result it was refused with. */
export interface SequenceM {
  item: CommittedItem;
  status: Status | "Refused";
  result: QuotaResultName;
  period: number;
}

/** Outcome of a committed batch: `revert` names the error when the whole call is refused. */
export interface BatchOutcome {
  results: QuotaResultName[];
  replay: boolean;
  revert?: "QuotaSequenceConflict" | "QuotaBatchItemFailed";
  /** Sequence reference named by a conflict, or index of the failing item of an atomic batch (whose result is `results[0]`). */
  at?: bigint;
}

/** Follow-ups on a sequence reference (confirm, cancel, refund, expire). */
export type SequenceOpName = "Confirm" | "Cancel" | "Refund" | "Expire";

interface RecordM {
  investorKey: string;
  offeringId: number;
  amount: bigint;
  status: Status;
  period: number;
  expiry: bigint;
}

export interface Usage {
  consumed: bigint;
  reserved: bigint;
}

export interface OfferingM extends Usage {
  cap: bigint;
  perInvestorLimit: bigint;
}

const key = (...parts: (string | number | bigint)[]) => parts.map(String).join(":").toLowerCase();

export class QuotaModel {
  readonly investors = new Map<string, { limit: bigint; category: number }>();
  readonly categories = new Map<number, bigint>();
  readonly offerings = new Map<number, OfferingM>();
  readonly usage = new Map<string, Usage>();
  readonly offeringUsage = new Map<string, Usage>();
  readonly records = new Map<string, RecordM>();
  /** Sequence references by (platform, seqRef), batches by (platform, firstRef). */
  readonly sequences = new Map<string, SequenceM>();
  readonly batches = new Map<string, { root: string; count: number; period: number }>();
  /** Longest reservation lifetime (seconds) and the period rule, as the registry's governance sets them. */
  reservationTtl = DEFAULT_RESERVATION_TTL;
  periodDays = 0;

  setReservationTtl(ttl: bigint): void {
    this.reservationTtl = ttl;
  }

  setPeriodDays(days: number): void {
    this.periodDays = days;
  }

  setQuota(investorKey: string, limit: bigint): void {
    this.investors.set(investorKey.toLowerCase(), { limit, category: 0 });
  }

  setCategory(id: number, limit: bigint): void {
    this.categories.set(id, limit);
  }

  setInvestorCategory(investorKey: string, category: number): void {
    this.investors.set(investorKey.toLowerCase(), { limit: 0n, category });
  }

  registerOffering(id: number, cap: bigint, perInvestorLimit: bigint): void {
    this.offerings.set(id, { cap, perInvestorLimit, consumed: 0n, reserved: 0n });
  }

  limitOf(investorKey: string): bigint | undefined {
    const iv = this.investors.get(investorKey.toLowerCase());
    if (!iv) return undefined;
    return iv.category === 0 ? iv.limit : (this.categories.get(iv.category) ?? 0n);
  }

  usageOf(investorKey: string, period: number): Usage {
    return this.usage.get(key(investorKey, period)) ?? { consumed: 0n, reserved: 0n };
  }

  offeringUsageOf(offeringId: number, investorKey: string): Usage {
    return this.offeringUsage.get(key(offeringId, investorKey)) ?? { consumed: 0n, reserved: 0n };
  }

  /** Applies one operation at block time `now` in period `period`, exactly as the contract would. */
  apply(o: ModelOp, now: bigint, period: number): ModelOutcome {
    const fail = (result: QuotaResultName): ModelOutcome => ({ result, replay: false });
    if (/^0x0{64}$/.test(o.ref)) return fail("ZeroReference");
    if (o.amount === 0n) return fail("ZeroAmount");
    const rk = key(o.platformId, o.ref);
    const rec = this.records.get(rk);
    const same = !!rec && rec.investorKey === o.investorKey.toLowerCase() && rec.offeringId === o.offeringId && rec.amount === o.amount;

    if (o.op === "Reserve" || o.op === "Consume") {
      const isReserve = o.op === "Reserve";
      const expiry = isReserve ? (o.expiry ?? 0n) : 0n;
      if (rec) return same && rec.expiry === expiry ? { result: "Ok", replay: true } : fail("ReferenceConflict");
      const admitted = this.admit(o.investorKey, o.offeringId, o.amount, isReserve, expiry, now, period);
      if (admitted !== "Ok") return fail(admitted);
      this.records.set(rk, {
        investorKey: o.investorKey.toLowerCase(),
        offeringId: o.offeringId,
        amount: o.amount,
        status: isReserve ? "Reserved" : "Consumed",
        period,
        expiry,
      });
      return { result: "Ok", replay: false };
    }

    if (!rec) return fail("UnknownReference");
    if (!same) return fail("ReferenceConflict");
    const step = this.settle(o.op as SequenceOpName, rec.status, rec, now);
    if (step.outcome.result === "Ok" && !step.outcome.replay) rec.status = step.to;
    return step.outcome;
  }

  /**
   * Commits a batch of sequence references `firstRef ..` exactly as `executeCommitted`: an identical retry
   * (same root) is a replay with the stored results; a used sequence reference refuses the whole call.
   */
  commitBatch(platformId: number, firstRef: bigint, items: CommittedItem[], atomic: boolean, now: bigint, period: number): BatchOutcome {
    const root = committedTree(platformId, firstRef, items).root;
    const batch = this.batches.get(key(platformId, firstRef));
    if (batch) {
      if (batch.root !== root) return { results: [], replay: false, revert: "QuotaSequenceConflict", at: firstRef };
      const results = items.map((_, i) => this.sequences.get(key(platformId, firstRef + BigInt(i)))!.result);
      return { results, replay: true };
    }
    // Items in order, as the contract: a used sequence reference or (atomic) a refused item reverts the call.
    const saved = this.saveCounters();
    const results: QuotaResultName[] = [];
    for (const [i, it] of items.entries()) {
      const seq = firstRef + BigInt(i);
      if (this.sequences.has(key(platformId, seq))) {
        this.restoreCounters(saved);
        return { results: [], replay: false, revert: "QuotaSequenceConflict", at: seq };
      }
      const isReserve = it.expiry !== 0n;
      const r = this.admit(it.investorKey, it.offeringId, it.amount, isReserve, it.expiry, now, period);
      if (r !== "Ok" && atomic) {
        this.restoreCounters(saved);
        return { results: [r], replay: false, revert: "QuotaBatchItemFailed", at: BigInt(i) };
      }
      results.push(r);
    }
    items.forEach((it, i) => {
      const ok = results[i] === "Ok";
      this.sequences.set(key(platformId, firstRef + BigInt(i)), {
        item: { ...it, investorKey: it.investorKey.toLowerCase() },
        status: ok ? (it.expiry !== 0n ? "Reserved" : "Consumed") : "Refused",
        result: results[i],
        period,
      });
    });
    this.batches.set(key(platformId, firstRef), { root, count: items.length, period });
    return { results, replay: false };
  }

  /**
   * A follow-up on a sequence reference, as `confirmCommitted` etc. `item` is what the caller proves; a
   * mismatch with the committed item is `ReferenceConflict` (the contract: QuotaInvalidProof), an unknown
   * reference `UnknownReference` (QuotaUnknownSequence).
   */
  settleSequence(platformId: number, op: SequenceOpName, seqRef: bigint, item: CommittedItem, now: bigint): ModelOutcome {
    const seq = this.sequences.get(key(platformId, seqRef));
    if (!seq) return { result: "UnknownReference", replay: false };
    const c = seq.item;
    if (
      c.investorKey !== item.investorKey.toLowerCase() ||
      c.offeringId !== item.offeringId ||
      c.amount !== item.amount ||
      c.expiry !== item.expiry
    ) {
      return { result: "ReferenceConflict", replay: false };
    }
    if (seq.status === "Refused") return { result: "InvalidState", replay: false };
    const rec: RecordM = {
      investorKey: c.investorKey,
      offeringId: c.offeringId,
      amount: c.amount,
      status: seq.status,
      period: seq.period,
      expiry: c.expiry,
    };
    const step = this.settle(op, seq.status, rec, now);
    if (step.outcome.result === "Ok" && !step.outcome.replay) seq.status = step.to;
    return step.outcome;
  }

  /**
   * `settleCommittedBatch` on a committed batch (the caller resends exactly its items): per item of the batch
   * the outcome byte of `QuotaSequencesSettled` (0 not selected, 1 applied, 2 replay, 0x80 | refusal result).
   */
  settleBatch(platformId: number, op: SequenceOpName, firstRef: bigint, mask: bigint, now: bigint): number[] {
    const batch = this.batches.get(key(platformId, firstRef));
    if (!batch) throw new Error(`no committed batch ${firstRef} of platform ${platformId}`);
    return Array.from({ length: batch.count }, (_, i) => {
      if (((mask >> BigInt(i)) & 1n) === 0n) return 0;
      const seqRef = firstRef + BigInt(i);
      const out = this.settleSequence(platformId, op, seqRef, this.sequenceOf(platformId, seqRef)!.item, now);
      return out.replay ? 2 : out.result === "Ok" ? 1 : 0x80 | QUOTA_RESULTS.indexOf(out.result);
    });
  }

  /** A sequence reference's committed item and status, if any. */
  sequenceOf(platformId: number, seqRef: bigint): SequenceM | undefined {
    return this.sequences.get(key(platformId, seqRef));
  }

  /** Checks an opening against every limit and counts it; refusals change nothing. */
  private admit(
    investorKey: string,
    offeringId: number,
    amount: bigint,
    isReserve: boolean,
    expiry: bigint,
    now: bigint,
    period: number,
  ): QuotaResultName {
    if (amount === 0n) return "ZeroAmount";
    if (isReserve && expiry <= now) return "InvalidExpiry";
    if (isReserve && expiry > latestExpiryAt(now, this.reservationTtl, this.periodDays)) return "ReservationTooLong";
    const limit = this.limitOf(investorKey);
    if (limit === undefined) return "UnknownInvestor";
    const off = this.offerings.get(offeringId);
    if (!off) return "UnknownOffering";
    const u = this.usageOf(investorKey, period);
    if (u.consumed + u.reserved + amount > limit) return "InvestorLimitExceeded";
    if (off.consumed + off.reserved + amount > off.cap) return "OfferingCapExceeded";
    const ou = this.offeringUsageOf(offeringId, investorKey);
    if (off.perInvestorLimit !== 0n && ou.consumed + ou.reserved + amount > off.perInvestorLimit) return "OfferingInvestorLimitExceeded";
    const field = isReserve ? "reserved" : "consumed";
    this.usage.set(key(investorKey, period), { ...u, [field]: u[field] + amount });
    off[field] += amount;
    if (off.perInvestorLimit !== 0n) this.offeringUsage.set(key(offeringId, investorKey), { ...ou, [field]: ou[field] + amount });
    return "Ok";
  }

  /** The status change of a follow-up and, when it applies, the counter movement. */
  private settle(op: SequenceOpName | QuotaOpName, from: Status, rec: RecordM, now: bigint): { outcome: ModelOutcome; to: Status } {
    const fail = (result: QuotaResultName) => ({ outcome: { result, replay: false }, to: from });
    let to: Status;
    let allowed: boolean;
    let replay: boolean;
    if (op === "Confirm") {
      to = "Confirmed";
      allowed = from === "Reserved";
      replay = from === to || (from === "Refunded" && rec.expiry !== 0n);
    } else if (op === "Refund") {
      to = "Refunded";
      allowed = from === "Consumed" || from === "Confirmed";
      replay = from === to;
    } else {
      to = op === "Cancel" ? "Cancelled" : "Expired";
      allowed = from === "Reserved";
      replay = from === to;
    }
    if (replay) return { outcome: { result: "Ok", replay: true }, to: from };
    if (!allowed) return fail("InvalidState");
    // A reservation lapses at its expiry or once its period is over (also after a change of the period rule).
    const lapsed = now >= rec.expiry || periodOf(now, this.periodDays) !== rec.period;
    if (op === "Confirm" && lapsed) return fail("ReservationExpired");
    if (op === "Expire" && !lapsed) return fail("ReservationNotExpired");

    const move = (u: Usage): Usage =>
      from === "Reserved"
        ? { reserved: u.reserved - rec.amount, consumed: u.consumed + (to === "Confirmed" ? rec.amount : 0n) }
        : { reserved: u.reserved, consumed: u.consumed - rec.amount };
    this.usage.set(key(rec.investorKey, rec.period), move(this.usageOf(rec.investorKey, rec.period)));
    const off = this.offerings.get(rec.offeringId)!;
    const moved = move(off);
    off.consumed = moved.consumed;
    off.reserved = moved.reserved;
    if (off.perInvestorLimit !== 0n) {
      this.offeringUsage.set(key(rec.offeringId, rec.investorKey), move(this.offeringUsageOf(rec.offeringId, rec.investorKey)));
    }
    return { outcome: { result: "Ok", replay: false }, to };
  }

  private saveCounters() {
    return {
      usage: new Map([...this.usage].map(([k, v]) => [k, { ...v }])),
      offeringUsage: new Map([...this.offeringUsage].map(([k, v]) => [k, { ...v }])),
      offerings: new Map([...this.offerings].map(([k, v]) => [k, { ...v }])),
    };
  }

  private restoreCounters(s: ReturnType<QuotaModel["saveCounters"]>): void {
    for (const [name, m] of [
      ["usage", s.usage],
      ["offeringUsage", s.offeringUsage],
    ] as const) {
      this[name].clear();
      for (const [k, v] of m) this[name].set(k, v);
    }
    for (const [id, o] of s.offerings) Object.assign(this.offerings.get(id)!, o);
  }

  /** Every (investor, period) and offering within its limit; throws naming the first breach. */
  checkInvariant(): void {
    for (const [k, u] of this.usage) {
      const [investorKey, period] = k.split(":");
      const limit = this.limitOf(investorKey) ?? 0n;
      if (u.consumed + u.reserved > limit)
        throw new Error(`investor ${investorKey} over quota in ${period}: ${u.consumed}+${u.reserved} > ${limit}`);
    }
    for (const [id, o] of this.offerings) {
      if (o.consumed + o.reserved > o.cap) throw new Error(`offering ${id} over cap: ${o.consumed}+${o.reserved} > ${o.cap}`);
    }
    for (const [k, u] of this.offeringUsage) {
      const [id, investorKey] = k.split(":");
      const lim = this.offerings.get(Number(id))!.perInvestorLimit;
      if (u.consumed + u.reserved > lim) throw new Error(`investor ${investorKey} over offering ${id} limit`);
    }
  }
}

/** A Reg CF investment (or reservation) as the rolling-window model keeps it: every one, never compacted. */
interface RegCfRecordM {
  investorKey: string;
  offeringId: number;
  amount: bigint;
  status: Status;
  /** Day number (days since 1970-01-01, UTC) at which it counts in the windows. */
  day: number;
  expiry: bigint;
}

/**
 * The Reg CF rules of `QuotaRegistry` (17 CFR 227.100, library `QuotaRegCf`) as a plain model: it keeps every
 * investment and sums, on each operation, those of the investor (and of the issuer) dated from
 * `regCfWindowStartDay(today)` that are reserved, consumed or confirmed. The contract reaches the same sums with
 * per-day entries, a head index and running sums; property tests compare the two.
 */
export class RegCfModel {
  /** Investor quotas (the Reg CF limit the depository set) and the investors marked accredited. */
  readonly investors = new Map<string, bigint>();
  readonly accredited = new Set<string>();
  readonly offerings = new Map<number, OfferingM & { issuerId: number }>();
  readonly offeringUsage = new Map<string, Usage>();
  readonly records = new Map<string, RegCfRecordM>();
  issuerCap = DEFAULT_ISSUER_CAP;
  reservationTtl = DEFAULT_RESERVATION_TTL;

  setQuota(investorKey: string, limit: bigint): void {
    this.investors.set(investorKey.toLowerCase(), limit);
  }

  setAccredited(investorKey: string, accredited: boolean): void {
    if (accredited) this.accredited.add(investorKey.toLowerCase());
    else this.accredited.delete(investorKey.toLowerCase());
  }

  registerOffering(id: number, issuerId: number, cap: bigint, perInvestorLimit: bigint): void {
    this.offerings.set(id, { cap, perInvestorLimit, consumed: 0n, reserved: 0n, issuerId });
  }

  private live(r: RegCfRecordM, startDay: number): boolean {
    return r.day >= startDay && (r.status === "Reserved" || r.status === "Consumed" || r.status === "Confirmed");
  }

  /** Sum of the investor's Reg CF investments and reservations in the window of `day`. */
  investorUsed(investorKey: string, day: number): bigint {
    const start = regCfWindowStartDay(day);
    let sum = 0n;
    for (const r of this.records.values()) if (r.investorKey === investorKey.toLowerCase() && this.live(r, start)) sum += r.amount;
    return sum;
  }

  /** Sum of the issuer's Reg CF sales and reservations in the window of `day`. */
  issuerUsed(issuerId: number, day: number): bigint {
    const start = regCfWindowStartDay(day);
    let sum = 0n;
    for (const r of this.records.values())
      if (this.offerings.get(r.offeringId)?.issuerId === issuerId && this.live(r, start)) sum += r.amount;
    return sum;
  }

  /** Applies one operation on a Reg CF offering at block time `now`, exactly as the contract would. */
  apply(o: ModelOp, now: bigint): ModelOutcome {
    const fail = (result: QuotaResultName): ModelOutcome => ({ result, replay: false });
    if (/^0x0{64}$/.test(o.ref)) return fail("ZeroReference");
    if (o.amount === 0n) return fail("ZeroAmount");
    const day = Number(now / 86400n);
    const rk = key(o.platformId, o.ref);
    const rec = this.records.get(rk);
    const investor = o.investorKey.toLowerCase();
    const same = !!rec && rec.investorKey === investor && rec.offeringId === o.offeringId && rec.amount === o.amount;
    if (o.op === "Reserve" || o.op === "Consume") {
      const isReserve = o.op === "Reserve";
      const expiry = isReserve ? (o.expiry ?? 0n) : 0n;
      if (rec) return same && rec.expiry === expiry ? { result: "Ok", replay: true } : fail("ReferenceConflict");
      if (isReserve && expiry <= now) return fail("InvalidExpiry");
      if (isReserve && expiry > now + this.reservationTtl) return fail("ReservationTooLong");
      const limit = this.investors.get(investor);
      if (limit === undefined) return fail("UnknownInvestor");
      if (!this.accredited.has(investor) && this.investorUsed(investor, day) + o.amount > limit) return fail("InvestorLimitExceeded");
      const off = this.offerings.get(o.offeringId);
      if (!off) return fail("UnknownOffering");
      if (off.consumed + off.reserved + o.amount > off.cap) return fail("OfferingCapExceeded");
      if (this.issuerUsed(off.issuerId, day) + o.amount > this.issuerCap) return fail("IssuerLimitExceeded");
      const ou = this.offeringUsage.get(key(o.offeringId, investor)) ?? { consumed: 0n, reserved: 0n };
      if (off.perInvestorLimit !== 0n) {
        if (ou.consumed + ou.reserved + o.amount > off.perInvestorLimit) return fail("OfferingInvestorLimitExceeded");
        if (isReserve) ou.reserved += o.amount;
        else ou.consumed += o.amount;
        this.offeringUsage.set(key(o.offeringId, investor), ou);
      }
      if (isReserve) off.reserved += o.amount;
      else off.consumed += o.amount;
      this.records.set(rk, {
        investorKey: investor,
        offeringId: o.offeringId,
        amount: o.amount,
        status: isReserve ? "Reserved" : "Consumed",
        day,
        expiry,
      });
      return { result: "Ok", replay: false };
    }
    if (!rec) return fail("UnknownReference");
    if (!same) return fail("ReferenceConflict");
    const to: Status = o.op === "Confirm" ? "Confirmed" : o.op === "Refund" ? "Refunded" : o.op === "Cancel" ? "Cancelled" : "Expired";
    const replay = rec.status === to || (o.op === "Confirm" && rec.status === "Refunded" && rec.expiry !== 0n);
    if (replay) return { result: "Ok", replay: true };
    const allowed = o.op === "Refund" ? rec.status === "Consumed" || rec.status === "Confirmed" : rec.status === "Reserved";
    if (!allowed) return fail("InvalidState");
    const lapsed = now >= rec.expiry;
    if (o.op === "Confirm" && lapsed) return fail("ReservationExpired");
    if (o.op === "Expire" && !lapsed) return fail("ReservationNotExpired");
    const off = this.offerings.get(rec.offeringId)!;
    const ou = this.offeringUsage.get(key(rec.offeringId, investor)) ?? { consumed: 0n, reserved: 0n };
    if (rec.status === "Reserved") {
      off.reserved -= rec.amount;
      ou.reserved -= rec.amount;
      if (to === "Confirmed") {
        off.consumed += rec.amount;
        ou.consumed += rec.amount;
      }
    } else {
      off.consumed -= rec.amount;
      ou.consumed -= rec.amount;
    }
    if (off.perInvestorLimit !== 0n) this.offeringUsage.set(key(rec.offeringId, investor), ou);
    rec.status = to;
    return { result: "Ok", replay: false };
  }
}
