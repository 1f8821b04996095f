/**
 * Crowdfunding quota helpers shared by tasks, the demo, the benchmark and the tests: investor keys,
 * the US Reg CF investor limit (DOMAIN.md §3), enum names and amount parsing, and the reads of the deployed
 * registry the tasks show. Amounts are bigints in the smallest unit of the quota currency (e.g. cents).
 */
import { AbiCoder, ethers, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { IQuotaRegCf, QuotaRegistry } from "../../typechain-types";
import { UserError } from "../core/cli";
import { dayToIso, daysInMonth, toDate, toDay } from "../core/dates";
import { suiteAddress } from "../core/suite";

/** Names of `QuotaOp`, in enum order. */
export const QUOTA_OPS = ["Reserve", "Confirm", "Cancel", "Consume", "Refund", "Expire"] as const;
/** Names of `QuotaResult`, in enum order. */
export const QUOTA_RESULTS = [
  "Ok",
  "UnknownInvestor",
  "UnknownOffering",
  "ZeroAmount",
  "ZeroReference",
  "InvalidExpiry",
  "InvestorLimitExceeded",
  "OfferingCapExceeded",
  "OfferingInvestorLimitExceeded",
  "ReferenceConflict",
  "UnknownReference",
  "InvalidState",
  "ReservationExpired",
  "ReservationNotExpired",
  "ReservationTooLong",
  "IssuerLimitExceeded",
] as const;
/** Names of `QuotaRecordStatus`, in enum order. */
export const QUOTA_STATUSES = ["None", "Reserved", "Confirmed", "Cancelled", "Expired", "Consumed", "Refunded", "Refused"] as const;

export type QuotaOpName = (typeof QUOTA_OPS)[number];
export type QuotaResultName = (typeof QUOTA_RESULTS)[number];

/** The quota meaning "no limit" (type(uint128).max). */
export const UNLIMITED = (1n << 128n) - 1n;
/** Offering amounts (cap, per-investor limit, totals) stay below 2^64. */
export const MAX_OFFERING_AMOUNT = (1n << 64n) - 1n;

/**
 * The investor key the chain knows: keccak256(abi.encode(salt, realNameId)). The salt is the depository's
 * secret (32 bytes); the real-name id never leaves the depository.
 */
export function investorKey(salt: string, realNameId: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new UserError(`salt must be 32 bytes of hex (0x + 64 hex digits), got "${salt}"`);
  if (realNameId.trim() === "") throw new UserError("the real-name id is empty");
  return ethers.keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "string"], [salt, realNameId.trim()]));
}

/** A platform reference: 32-byte hex taken as is, any other text hashed with keccak256. */
export function referenceBytes(ref: string): string {
  if (/^0x[0-9a-fA-F]{64}$/.test(ref)) return ref.toLowerCase();
  if (ref.trim() === "") throw new UserError("the reference is empty");
  return ethers.keccak256(ethers.toUtf8Bytes(ref));
}

/** Short labels (categories, offerings) as bytes32. */
export function labelBytes(label: string): string {
  if (ethers.toUtf8Bytes(label).length > 31) throw new UserError(`label "${label}" is longer than 31 bytes`);
  return ethers.encodeBytes32String(label);
}

export function labelText(b: string): string {
  try {
    return ethers.decodeBytes32String(b);
  } catch {
    return b;
  }
}

/**
 * Parses a money amount written in currency units with up to `decimals` decimals ("2500", "2,500.50")
 * into the smallest unit; "unlimited" gives UNLIMITED when allowed.
 */
export function parseAmount(text: string, decimals = 2, what = "amount", allowUnlimited = false): bigint {
  const s = String(text).replace(/[,_ ]/g, "");
  if (allowUnlimited && /^unlimited$/i.test(s)) return UNLIMITED;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m || (m[2] && m[2].length > decimals))
    throw new UserError(`${what} "${text}" is not a non-negative number with at most ${decimals} decimals`);
  return BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt((m[2] ?? "").padEnd(decimals, "0") || "0");
}

/** Formats a smallest-unit amount in currency units; UNLIMITED prints as "unlimited". */
export function formatAmount(v: bigint, decimals = 2): string {
  if (v === UNLIMITED) return "unlimited";
  const neg = v < 0n;
  const a = neg ? -v : v;
  const unit = 10n ** BigInt(decimals);
  const whole = (a / unit).toLocaleString("en-US");
  const frac = decimals > 0 ? "." + (a % unit).toString().padStart(decimals, "0") : "";
  return (neg ? "-" : "") + whole + frac;
}

/** Reg CF thresholds (17 CFR 227.100(a)(2), 2022 inflation adjustment), in whole currency units. */
export interface RegCfParams {
  threshold: bigint;
  floor: bigint;
  ceiling: bigint;
  /** Percentages below and at/above the threshold. */
  lowPercent: bigint;
  highPercent: bigint;
}

export const REG_CF_2022: RegCfParams = { threshold: 124_000n, floor: 2_500n, ceiling: 124_000n, lowPercent: 5n, highPercent: 10n };

export interface InvestorFinances {
  /** Annual income, smallest unit. */
  income: bigint;
  /** Net worth excluding the primary residence, smallest unit. */
  netWorth: bigint;
  accredited: boolean;
}

/**
 * The Reg CF 12-month investment limit of a purchaser, in the smallest unit (`decimals` per currency unit):
 * accredited → unlimited; income or net worth below the threshold → max(floor, 5% × max(income, NW));
 * both at or above it → min(10% × max(income, NW), ceiling). Percentages round down (the limit is a cap).
 */
export function regCfLimit(f: InvestorFinances, decimals = 2, p: RegCfParams = REG_CF_2022): bigint {
  if (f.income < 0n || f.netWorth < 0n) throw new UserError("income and net worth must not be negative");
  if (f.accredited) return UNLIMITED;
  const unit = 10n ** BigInt(decimals);
  const threshold = p.threshold * unit;
  const greater = f.income > f.netWorth ? f.income : f.netWorth;
  if (f.income < threshold || f.netWorth < threshold) {
    const pct = (greater * p.lowPercent) / 100n;
    const floor = p.floor * unit;
    return pct > floor ? pct : floor;
  }
  const pct = (greater * p.highPercent) / 100n;
  const ceiling = p.ceiling * unit;
  return pct < ceiling ? pct : ceiling;
}

/** The default category table the tooling proposes (limits in the smallest unit, 2 decimals). */
export const DEFAULT_CATEGORIES: { id: number; name: string; limit: bigint }[] = [
  { id: 1, name: "retail", limit: 2_500_00n },
  { id: 2, name: "qualified", limit: 124_000_00n },
  { id: 3, name: "accredited", limit: UNLIMITED },
];

/** Category suggested by the Reg CF rule: accredited investors are unlimited, others retail or qualified. */
export function suggestCategory(f: InvestorFinances, decimals = 2): { category: string; regCfLimit: bigint } {
  const limit = regCfLimit(f, decimals);
  if (limit === UNLIMITED) return { category: "accredited", regCfLimit: limit };
  const unit = 10n ** BigInt(decimals);
  const both = f.income >= REG_CF_2022.threshold * unit && f.netWorth >= REG_CF_2022.threshold * unit;
  return { category: both ? "qualified" : "retail", regCfLimit: limit };
}

/**
 * Period id under the on-chain rule: periodDays 0 → calendar year (UTC) of the timestamp, else
 * 10000 + dayNumber / periodDays.
 */
export function periodOf(timestampSeconds: bigint | number, periodDays = 0): number {
  const day = Number(BigInt(timestampSeconds) / 86400n);
  if (periodDays === 0) return new Date(day * 86400 * 1000).getUTCFullYear();
  return 10_000 + Math.floor(day / periodDays);
}

/**
 * First second after the period of a timestamp (when that period ends): 1 January of the next year (UTC)
 * under the calendar-year rule, else the start of the next window of `periodDays` days.
 */
export function periodEndOf(timestampSeconds: bigint | number, periodDays = 0): bigint {
  const day = BigInt(timestampSeconds) / 86400n;
  if (periodDays === 0) {
    const year = new Date(Number(day) * 86400 * 1000).getUTCFullYear();
    return BigInt(Date.UTC(year + 1, 0, 1) / 1000);
  }
  const n = BigInt(periodDays);
  return (day / n + 1n) * n * 86400n;
}

/** Bit 31 of an offering id marks an offering under Reg CF (ids 2^31 + n). */
export const REG_CF_OFFERING = 2 ** 31;
/** Reg CF issuer limit (a)(1) when governance has not set one: USD 5,000,000.00 in cents. */
export const DEFAULT_ISSUER_CAP = 500_000_000n;

/** Whether an offering id names an offering under Reg CF. */
export function isRegCfOffering(offeringId: number | bigint): boolean {
  return (BigInt(offeringId) & BigInt(REG_CF_OFFERING)) !== 0n;
}

/**
 * First day number (days since 1970-01-01, UTC) whose Reg CF investments count on `day`: the day after the
 * same calendar day one year earlier, that day being the month's last when it is shorter (29 Feb → 28 Feb).
 */
export function regCfWindowStartDay(day: number): number {
  const d = toDate(day);
  const dim = daysInMonth(d.year - 1, d.month);
  return toDay(d.year - 1, d.month, Math.min(d.day, dim)) + 1;
}

/** Longest reservation lifetime when governance has not set one (seconds), and the bounds of the setting. */
export const DEFAULT_RESERVATION_TTL = 7n * 86400n;
export const MIN_RESERVATION_TTL = 60n;
export const MAX_RESERVATION_TTL = 90n * 86400n;

/** Latest expiry of a reservation made at `timestamp`: min(timestamp + ttl, end of its period). */
export function latestExpiryAt(timestampSeconds: bigint | number, ttl: bigint = DEFAULT_RESERVATION_TTL, periodDays = 0): bigint {
  const byTtl = BigInt(timestampSeconds) + ttl;
  const end = periodEndOf(timestampSeconds, periodDays);
  return byTtl < end ? byTtl : end;
}

/** The investor key from a task argument: 32-byte hex as is, else a real-name id hashed with the salt. */
export function resolveInvestor(investor: string, salt?: string): string {
  if (/^0x[0-9a-fA-F]{64}$/.test(investor)) return investor.toLowerCase();
  const s = salt ?? process.env.QUOTA_SALT;
  if (!s)
    throw new UserError(`"${investor}" is not an investor key: give the 32-byte key, or the real-name id with --salt (or QUOTA_SALT)`);
  return investorKey(s, investor);
}

/* COMMITTED BATCHES (sequence references) */

/** One item of a committed batch, as `IQuotaRegistry.CommittedItem`: an expiry reserves until then, 0 consumes. */
export interface CommittedItem {
  investorKey: string;
  offeringId: number;
  amount: bigint;
  expiry: bigint;
}

/** An item of a `QuotaBatchCommitted` event: the item and the result it got. */
export interface CommittedOutcome extends CommittedItem {
  seqRef: bigint;
  result: number;
}

const coder = AbiCoder.defaultAbiCoder();

/** The operation of a committed item: Reserve (0) when it has an expiry, else Consume (3). */
export function committedOp(it: { expiry: bigint }): number {
  return it.expiry === 0n ? QUOTA_OPS.indexOf("Consume") : QUOTA_OPS.indexOf("Reserve");
}

/** The Merkle leaf of an item: keccak256(abi.encode(platformId, seqRef, op, investorKey, offeringId, amount, expiry)). */
export function committedLeaf(platformId: number | bigint, seqRef: bigint, it: CommittedItem): string {
  return ethers.keccak256(
    coder.encode(
      ["uint32", "uint64", "uint8", "bytes32", "uint32", "uint128", "uint40"],
      [platformId, seqRef, committedOp(it), it.investorKey, it.offeringId, it.amount, it.expiry],
    ),
  );
}

/** Hash of a pair of nodes in sorted order (OpenZeppelin `Hashes.commutativeKeccak256`). */
function nodeHash(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? ethers.keccak256(ethers.concat([a, b])) : ethers.keccak256(ethers.concat([b, a]));
}

/** The Merkle tree of a committed batch, as the registry builds it: pairs hashed in sorted order, an odd last node carried up. */
export interface CommittedTree {
  root: string;
  leaves: string[];
  /** Proof of the item at `index` (0-based in the batch). */
  proof(index: number): string[];
}

export function committedTree(platformId: number | bigint, firstRef: bigint, items: CommittedItem[]): CommittedTree {
  if (items.length === 0) throw new UserError("a committed batch needs at least one item");
  const leaves = items.map((it, i) => committedLeaf(platformId, firstRef + BigInt(i), it));
  const levels: string[][] = [leaves];
  while (levels[levels.length - 1].length > 1) {
    const cur = levels[levels.length - 1];
    const next: string[] = [];
    for (let j = 0; j + 1 < cur.length; j += 2) next.push(nodeHash(cur[j], cur[j + 1]));
    if (cur.length % 2 === 1) next.push(cur[cur.length - 1]);
    levels.push(next);
  }
  return {
    root: levels[levels.length - 1][0],
    leaves,
    proof(index: number): string[] {
      if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new UserError(`item ${index} is not in the batch`);
      const out: string[] = [];
      let i = index;
      for (const level of levels.slice(0, -1)) {
        const sibling = i ^ 1;
        if (sibling < level.length) out.push(level[sibling]);
        i >>= 1;
      }
      return out;
    },
  };
}

/** Checks a proof the way the registry does (OpenZeppelin `MerkleProof.verify`). */
export function verifyCommittedProof(leaf: string, proof: string[], root: string): boolean {
  return proof.reduce((h, p) => nodeHash(h, p), leaf) === root;
}

/** Bytes per item in `QuotaBatchCommitted.items`. */
export const PACKED_ITEM_BYTES = 58;

/** Decodes `QuotaBatchCommitted.items`: per item result, investorKey, offeringId, amount, expiry (big-endian). */
export function unpackCommittedItems(firstRef: bigint, packed: string): CommittedOutcome[] {
  const b = ethers.getBytes(packed);
  if (b.length % PACKED_ITEM_BYTES !== 0) throw new Error(`packed items of ${b.length} bytes are not a multiple of ${PACKED_ITEM_BYTES}`);
  const out: CommittedOutcome[] = [];
  for (let i = 0; i * PACKED_ITEM_BYTES < b.length; i++) {
    const at = i * PACKED_ITEM_BYTES;
    const num = (from: number, len: number) => BigInt(ethers.hexlify(b.slice(at + from, at + from + len)));
    out.push({
      seqRef: firstRef + BigInt(i),
      result: b[at],
      investorKey: ethers.hexlify(b.slice(at + 1, at + 33)),
      offeringId: Number(num(33, 4)),
      amount: num(37, 16),
      expiry: num(53, 5),
    });
  }
  return out;
}

/**
 * Items of a committed batch from a JSON file: an array of `{ "investor", "offering", "amount", "expiry"? }`
 * (investor: key or real-name id with the salt; amount in currency units; expiry in UNIX seconds for a
 * reservation, absent or 0 for a direct consumption). Expiries are absolute so that a retry of the same
 * file commits the same items (same root) and is recognised.
 */
export function parseCommittedItems(text: string, salt?: string): CommittedItem[] {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (e) {
    throw new UserError(`the batch file is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(rows) || rows.length === 0) throw new UserError("the batch file must hold a non-empty array of items");
  return rows.map((row, i) => {
    const r = row as Record<string, unknown>;
    const where = `item ${i}`;
    if (typeof r !== "object" || r === null) throw new UserError(`${where} is not an object`);
    if (typeof r.investor !== "string") throw new UserError(`${where}: "investor" is missing`);
    const offering = Number(r.offering);
    if (!Number.isInteger(offering) || offering < 1 || offering > 0xffffffff)
      throw new UserError(`${where}: "offering" is not an offering id`);
    if (r.amount === undefined) throw new UserError(`${where}: "amount" is missing`);
    const expiry = r.expiry === undefined ? 0n : BigInt(String(r.expiry));
    if (expiry < 0n || expiry >= 1n << 40n) throw new UserError(`${where}: "expiry" is not a UNIX time in seconds`);
    return {
      investorKey: resolveInvestor(r.investor, salt),
      offeringId: offering,
      amount: parseAmount(String(r.amount), 2, `${where} amount`),
      expiry,
    };
  });
}

/* ---------------------------------------------------------------- the deployed registry */

/** The deployed QuotaRegistry of the selected network. */
export async function quotaAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<QuotaRegistry> {
  return (await hre.ethers.getContractAt("QuotaRegistry", suiteAddress(hre, "QuotaRegistry"), signer)) as unknown as QuotaRegistry;
}

/** The registry's Reg CF functions ({IQuotaRegCf}, served at the registry's address). */
export async function regCfAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<IQuotaRegCf> {
  return (await hre.ethers.getContractAt("IQuotaRegCf", suiteAddress(hre, "QuotaRegistry"), signer)) as unknown as IQuotaRegCf;
}

/** An investor's quota and usage in a period (default the current one), amounts formatted. */
export async function investorRow(q: QuotaRegistry, key: string, period?: number) {
  const p = period ?? Number(await q.currentPeriod());
  const [limit, category, known] = await q.quotaOf(key);
  const [consumed, reserved] = await q.usageOf(key, p);
  const available = await q.availableOf(key, p);
  return {
    investor: `${key.slice(0, 18)}…`,
    investorKey: key,
    period: p,
    known,
    category: Number(category) || "direct",
    quota: formatAmount(limit),
    consumed: formatAmount(consumed),
    reserved: formatAmount(reserved),
    available: formatAmount(available),
  };
}

/** An investor's Reg CF window: what counts from `windowFrom` (the day after the same day one year earlier). */
export async function investorWindowRow(hre: HardhatRuntimeEnvironment, key: string) {
  const r = await regCfAt(hre);
  const w = await r.investorWindowOf(key);
  const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
  return {
    investor: `${key.slice(0, 18)}…`,
    investorKey: key,
    accredited: w.accredited,
    limit: w.limit === UNLIMITED ? "unlimited" : formatAmount(w.limit),
    used: formatAmount(w.used),
    available: w.limit === UNLIMITED ? "unlimited" : formatAmount(w.available),
    days: Number(w.dayCount),
    windowFrom: dayToIso(Number(await r.windowStartOf(now))),
  };
}

/** An issuer's Reg CF window (the issuer limit (a)(1) over the preceding twelve months), amounts formatted. */
export async function issuerWindowRow(hre: HardhatRuntimeEnvironment, issuerId: number) {
  const r = await regCfAt(hre);
  const w = await r.issuerWindowOf(issuerId);
  const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
  return {
    issuer: issuerId,
    cap: formatAmount(w.cap),
    used: formatAmount(w.used),
    available: formatAmount(w.available),
    days: Number(w.dayCount),
    windowFrom: dayToIso(Number(await r.windowStartOf(now))),
  };
}

/** The platform participant id of a signer (sequence references are per platform). */
export async function platformIdOf(hre: HardhatRuntimeEnvironment, q: QuotaRegistry, address: string): Promise<number> {
  const registry = await hre.ethers.getContractAt("ParticipantRegistry", await q.registry());
  const [id] = await registry.signerOf(address);
  if (Number(id) === 0) throw new UserError(`${address} is not a signer of any participant`);
  return Number(id);
}

/** The committed batch holding `seqRef` (or starting at `batchFirst`), read from the registry's events. */
export async function committedBatch(q: QuotaRegistry, platformId: number, seqRef: bigint, batchFirst?: bigint) {
  const logs = await q.queryFilter(q.filters.QuotaBatchCommitted(platformId, batchFirst));
  for (const log of logs) {
    const first = log.args.firstRef;
    if (seqRef >= first && seqRef < first + log.args.count) {
      const outcomes = unpackCommittedItems(first, log.args.items);
      const items = outcomes.map(({ investorKey, offeringId, amount, expiry }) => ({ investorKey, offeringId, amount, expiry }));
      return { firstRef: first, items, period: Number(log.args.period), root: log.args.root };
    }
  }
  throw new UserError(`no committed batch of platform ${platformId} holds sequence reference ${seqRef}`);
}
