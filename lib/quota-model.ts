/**
 * A sequential reference model of `QuotaRegistry`: the same rules, in TypeScript, one operation at a
 * time. Property tests run random sequences through both and compare; the concurrency test replays the
 * chain's events in block order through it and compares the final state.
 */
import type { QuotaOpName, QuotaResultName } from "./quota";

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

const key = (...parts: (string | number)[]) => parts.map(String).join(":").toLowerCase();

export class QuotaModel {
  readonly investors = new Map<string, { limit: bigint; category: number }>();
  readonly categories = new Map<number, bigint>();
  readonly offerings = new Map<number, OfferingM>();
  readonly usage = new Map<string, Usage>();
  readonly offeringUsage = new Map<string, Usage>();
  readonly records = new Map<string, RecordM>();

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
      if (isReserve && expiry <= now) return fail("InvalidExpiry");
      const limit = this.limitOf(o.investorKey);
      if (limit === undefined) return fail("UnknownInvestor");
      const off = this.offerings.get(o.offeringId);
      if (!off) return fail("UnknownOffering");
      const u = this.usageOf(o.investorKey, period);
      if (u.consumed + u.reserved + o.amount > limit) return fail("InvestorLimitExceeded");
      if (off.consumed + off.reserved + o.amount > off.cap) return fail("OfferingCapExceeded");
      const ou = this.offeringUsageOf(o.offeringId, o.investorKey);
      if (off.perInvestorLimit !== 0n && ou.consumed + ou.reserved + o.amount > off.perInvestorLimit) {
        return fail("OfferingInvestorLimitExceeded");
      }
      const field = isReserve ? "reserved" : "consumed";
      this.usage.set(key(o.investorKey, period), { ...u, [field]: u[field] + o.amount });
      off[field] += o.amount;
      if (off.perInvestorLimit !== 0n) this.offeringUsage.set(key(o.offeringId, o.investorKey), { ...ou, [field]: ou[field] + o.amount });
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
    const from = rec.status;
    let to: Status;
    let allowed: boolean;
    let replay: boolean;
    if (o.op === "Confirm") {
      to = "Confirmed";
      allowed = from === "Reserved";
      replay = from === to || (from === "Refunded" && rec.expiry !== 0n);
    } else if (o.op === "Refund") {
      to = "Refunded";
      allowed = from === "Consumed" || from === "Confirmed";
      replay = from === to;
    } else {
      to = o.op === "Cancel" ? "Cancelled" : "Expired";
      allowed = from === "Reserved";
      replay = from === to;
    }
    if (replay) return { result: "Ok", replay: true };
    if (!allowed) return fail("InvalidState");
    if (o.op === "Confirm" && now >= rec.expiry) return fail("ReservationExpired");
    if (o.op === "Expire" && now < rec.expiry) return fail("ReservationNotExpired");

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
    rec.status = to;
    return { result: "Ok", replay: false };
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
