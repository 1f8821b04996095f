/**
 * Pledge helpers shared by the pledge tasks, the demo, the benchmarks and the tests: terms, the EIP-712
 * request signature, decoding a stored pledge, reading valuation events, and the daily-cycle revaluation.
 */
import { failureText } from "../core/tx";
import { ethers } from "ethers";
import type { ContractTransactionReceipt, Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { PledgeBook } from "../../typechain-types";
import { DAY_COUNTS } from "../tokens";
import { PLEDGE_LEVELS, PledgeLevel, PledgeValuationOutput } from "./calc";
import { suiteAddress } from "../core/suite";

export const PLEDGE_STATUSES = ["None", "Requested", "Active", "Released", "Enforced", "Cancelled"] as const;
export type PledgeStatusName = (typeof PLEDGE_STATUSES)[number];

/** Largest pledge batch one `value` call takes in the daily cycle (≈ 2.5M gas). */
export const VALUATION_BATCH = 100;

/** The terms both sides agree to (`IPledgeBook.Terms`). Zero lines and target mean the defaults. */
export interface PledgeTerms {
  pledger: string;
  pledgee: string;
  security: string;
  cashToken: string;
  quantity: bigint;
  principal: bigint;
  interestRate: bigint;
  dayCount: number;
  startDate: number;
  maturityDate: number;
  warningLine: bigint;
  liquidationLine: bigint;
  restoreTarget: bigint;
  topUpDays: number;
  calendarId: string;
  /** Cap on the initial pledge rate, WAD (0 = 60%). */
  maxInitialRate: bigint;
  /** A top-up is due from the Warning level (false: from Liquidation). */
  topUpAtWarning: boolean;
  /** Repayments reduce principal first, interest staying accrued and owed (false: interest first). */
  principalFirst: boolean;
}

export const TERMS_TYPES = {
  Terms: [
    { name: "pledger", type: "address" },
    { name: "pledgee", type: "address" },
    { name: "security", type: "address" },
    { name: "cashToken", type: "address" },
    { name: "quantity", type: "uint256" },
    { name: "principal", type: "uint256" },
    { name: "interestRate", type: "uint256" },
    { name: "dayCount", type: "uint8" },
    { name: "startDate", type: "uint256" },
    { name: "maturityDate", type: "uint256" },
    { name: "warningLine", type: "uint256" },
    { name: "liquidationLine", type: "uint256" },
    { name: "restoreTarget", type: "uint256" },
    { name: "topUpDays", type: "uint256" },
    { name: "calendarId", type: "bytes4" },
    { name: "maxInitialRate", type: "uint256" },
    { name: "topUpAtWarning", type: "bool" },
    { name: "principalFirst", type: "bool" },
  ],
};

export const REQUEST_TYPES = {
  PledgeRequest: [
    { name: "terms", type: "Terms" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  ...TERMS_TYPES,
};

/**
 * Default terms around the required fields: ACT/365 Fixed, default lines and cap, 2 business days, no calendar,
 * top-up due from Liquidation, repayments interest first.
 */
export function buildTerms(
  t: Partial<PledgeTerms> &
    Pick<PledgeTerms, "pledger" | "pledgee" | "security" | "cashToken" | "quantity" | "principal" | "startDate" | "maturityDate">,
): PledgeTerms {
  return {
    interestRate: 0n,
    dayCount: DAY_COUNTS.indexOf("Act365Fixed"),
    warningLine: 0n,
    liquidationLine: 0n,
    restoreTarget: 0n,
    topUpDays: 2,
    calendarId: "0x00000000",
    maxInitialRate: 0n,
    topUpAtWarning: false,
    principalFirst: false,
    ...t,
  };
}

/** A side's EIP-712 signature of `PledgeRequest(terms, nonce = nonces(pledger), deadline)`. */
export async function signPledgeRequest(
  book: PledgeBook,
  signer: Signer,
  terms: PledgeTerms,
  deadline: bigint,
  nonce?: bigint,
): Promise<string> {
  const [, name, version, chainId, verifyingContract] = await book.eip712Domain();
  const n = nonce ?? (await book.nonces(terms.pledger));
  return signer.signTypedData({ name, version, chainId, verifyingContract }, REQUEST_TYPES, { terms, nonce: n, deadline });
}

/** A stored pledge (`IPledgeBook.Pledge`), decoded from its packed storage words. */
export interface StoredPledge {
  id: bigint;
  security: string;
  status: PledgeStatusName;
  level: PledgeLevel;
  pledgerConsent: boolean;
  pledgeeConsent: boolean;
  inputsChanged: boolean;
  valuedDate: number;
  topUpDue: number;
  shares: bigint;
  pledgedCash: bigint;
  cashDecimals: number;
  dayCount: number;
  principal: bigint;
  interest: bigint;
  accruedTo: number;
  interestRate: bigint;
  warningLine: bigint;
  liquidationLine: bigint;
  restoreTarget: bigint;
  pledger: string;
  /** Start date while Requested or Cancelled (the accrued-to date until registration); 0 once registered: the book
   * keeps the start date until registration only (it stays in the terms of `PledgeRequested`). */
  startDate: number;
  maturityDate: number;
  topUpDays: number;
  pledgee: string;
  calendarId: string;
  cashToken: string;
  /** Cap on the initial pledge rate, WAD, while Requested or Cancelled (the pledge's own or the default); 0 once
   * registered: the book keeps it until registration only (it stays in the terms of `PledgeRequested`). */
  maxInitialRate: bigint;
  topUpAtWarning: boolean;
  principalFirst: boolean;
}

function bits(word: bigint, from: number, width: number): bigint {
  return (word >> BigInt(from)) & ((1n << BigInt(width)) - 1n);
}

/** Default cap on the initial pledge rate (`PledgeBook.DEFAULT_MAX_INITIAL_RATE`), 60 %. */
const DEFAULT_MAX_INITIAL_RATE = 6n * 10n ** 17n;

/**
 * Decodes `pledgeWords(id)`: the five packed words of `IPledgeBook.Pledge` (solidity packing: the first field
 * of each slot in its low bytes) and the pledger, pledgee, cash token and security addresses their indexes name.
 */
export function decodePledge(id: bigint, words: readonly string[], accounts: readonly string[]): StoredPledge {
  const w = words.map((x) => BigInt(x));
  const flags = Number(bits(w[0], 48, 8));
  const account = (a: string | undefined) => (a === undefined || BigInt(a) === 0n ? ethers.ZeroAddress : ethers.getAddress(a));
  const status = PLEDGE_STATUSES[Number(bits(w[0], 32, 8))];
  const accruedTo = Number(bits(w[1], 208, 24));
  const requested = status === "Requested" || status === "Cancelled";
  return {
    id,
    security: account(accounts[3]),
    status,
    level: PLEDGE_LEVELS[Number(bits(w[0], 40, 8))],
    pledgerConsent: (flags & 1) !== 0,
    pledgeeConsent: (flags & 2) !== 0,
    inputsChanged: (flags & 4) !== 0,
    valuedDate: Number(bits(w[0], 56, 24)),
    topUpDue: Number(bits(w[0], 80, 24)),
    topUpDays: Number(bits(w[0], 104, 8)),
    cashDecimals: Number(bits(w[0], 112, 8)),
    dayCount: Number(bits(w[0], 120, 8)),
    calendarId: ethers.toBeHex(bits(w[0], 128, 32), 4),
    pledger: account(accounts[0]),
    pledgee: account(accounts[1]),
    cashToken: account(accounts[2]),
    shares: bits(w[1], 0, 96),
    principal: bits(w[1], 96, 112),
    accruedTo,
    maturityDate: Number(bits(w[1], 232, 24)),
    interestRate: bits(w[2], 0, 64),
    warningLine: bits(w[2], 64, 64),
    liquidationLine: bits(w[2], 128, 64),
    restoreTarget: bits(w[2], 192, 64),
    interest: bits(w[3], 0, 112),
    pledgedCash: bits(w[3], 112, 128),
    startDate: requested ? accruedTo : 0,
    maxInitialRate: !requested ? 0n : (flags & 128) !== 0 ? bits(w[4], 0, 64) : DEFAULT_MAX_INITIAL_RATE,
    topUpAtWarning: (flags & 32) !== 0,
    principalFirst: (flags & 64) !== 0,
  };
}

export async function readPledge(book: PledgeBook, id: bigint | number): Promise<StoredPledge> {
  const [words, accounts] = await book.pledgeWords(id);
  return decodePledge(BigInt(id), words, accounts);
}

export async function readAllPledges(book: PledgeBook): Promise<StoredPledge[]> {
  const n = Number(await book.pledgeCount());
  const out: StoredPledge[] = [];
  for (let i = 1; i <= n; i++) out.push(await readPledge(book, i));
  return out;
}

/** One `PledgeValued` event: the valuation inputs and outputs (`IPledgeBook.Valuation`). */
export interface PledgeValuation {
  id: bigint;
  date: number;
  closePrice: bigint;
  shares: bigint;
  pledgedCash: bigint;
  out: PledgeValuationOutput;
}

/** The `PledgeValued` events of a receipt, in order. */
export function valuationsOf(book: PledgeBook, receipt: ContractTransactionReceipt | null): PledgeValuation[] {
  const out: PledgeValuation[] = [];
  for (const log of receipt?.logs ?? []) {
    let parsed;
    try {
      parsed = book.interface.parseLog(log);
    } catch {
      continue;
    }
    if (parsed?.name !== "PledgeValued") continue;
    const o = parsed.args.out;
    out.push({
      id: parsed.args.id,
      date: Number(parsed.args.date),
      closePrice: parsed.args.closePrice,
      shares: parsed.args.shares,
      pledgedCash: parsed.args.pledgedCash,
      out: {
        principalOutstanding: o.principalOutstanding,
        interestUnpaid: o.interestUnpaid,
        amountPayable: o.amountPayable,
        shareValue: o.shareValue,
        collateralValue: o.collateralValue,
        ratio: o.ratio,
        level: PLEDGE_LEVELS[Number(o.level)],
        topUpShares: o.topUpShares,
        topUpCash: o.topUpCash,
        topUpRepayment: o.topUpRepayment,
        warningPrice: o.warningPrice,
        liquidationPrice: o.liquidationPrice,
      },
    });
  }
  return out;
}

/**
 * The figures of a pledge the book published in its events: the initial price and pledge rate at registration
 * ({PledgeRegistered}) and the last valuation ({PledgeValued} at `valuedDate`: line prices, top-up sizes).
 */
export async function pledgeFigures(
  book: PledgeBook,
  p: StoredPledge,
): Promise<{ initialPrice?: bigint; initialRate?: bigint; boardLot: bigint; valuation?: PledgeValuation }> {
  const boardLot = await book.boardLotOf(p.security);
  const registered = await book.queryFilter(book.filters.PledgeRegistered(p.id));
  const reg = registered.at(-1);
  let valuation: PledgeValuation | undefined;
  if (p.valuedDate !== 0) {
    const logs = await book.queryFilter(book.filters.PledgeValued(p.id, p.valuedDate));
    const last = logs.at(-1);
    if (last) valuation = valuationsOf(book, { logs: [last] } as unknown as ContractTransactionReceipt)[0];
  }
  return { initialPrice: reg?.args.initialPrice, initialRate: reg?.args.initialRate, boardLot, valuation };
}

/** A readable row of the figures of {@link pledgeFigures}. */
export function describeFigures(f: Awaited<ReturnType<typeof pledgeFigures>>, cashDecimals: number): Record<string, unknown> {
  const money = (x: bigint) => formatMoney(x, cashDecimals);
  const v = f.valuation?.out;
  return {
    initialPrice: f.initialPrice === undefined ? "" : ethers.formatUnits(f.initialPrice, 18),
    initialRate: f.initialRate === undefined ? "" : ratioText(f.initialRate),
    boardLot: f.boardLot,
    ratio: v === undefined ? "" : v.ratio === ethers.MaxUint256 ? "∞" : ratioText(v.ratio),
    warningPrice: v === undefined ? "" : ethers.formatUnits(v.warningPrice, 18),
    liquidationPrice: v === undefined ? "" : ethers.formatUnits(v.liquidationPrice, 18),
    topUpShares: v === undefined ? "" : v.topUpShares,
    topUpCash: v === undefined ? "" : money(v.topUpCash),
    topUpRepayment: v === undefined ? "" : money(v.topUpRepayment),
  };
}

/** The id of the pledge a `request` / `requestSigned` receipt created. */
export function requestedId(book: PledgeBook, receipt: ContractTransactionReceipt | null): bigint {
  for (const log of receipt?.logs ?? []) {
    try {
      const p = book.interface.parseLog(log);
      if (p?.name === "PledgeRequested") return p.args.id;
    } catch {
      /* another contract's log */
    }
  }
  throw new Error("no PledgeRequested event in the receipt");
}

export async function pledgeBookAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<PledgeBook> {
  const address = suiteAddress(hre, "PledgeBook");
  return (await hre.ethers.getContractAt("PledgeBook", address, signer)) as unknown as PledgeBook;
}

/** A valuation batch whose transaction failed: its pledges are left for the next run. */
export interface FailedValuationBatch {
  date: number;
  ids: bigint[];
  error: string;
}

/**
 * Values `ids` at `date` in batches; returns the valuations and the top-up obligations opened. A batch whose
 * transaction fails (node error, gas, a revert) is reported in `failed` with its error, and the next batch
 * still runs.
 */
export async function valueInBatches(
  book: Pick<PledgeBook, "value" | "interface">,
  ids: bigint[],
  date: number,
  batchSize = VALUATION_BATCH,
): Promise<{ valued: PledgeValuation[]; topUps: number; gasUsed: bigint; failed: FailedValuationBatch[] }> {
  const valued: PledgeValuation[] = [];
  const failed: FailedValuationBatch[] = [];
  let topUps = 0;
  let gasUsed = 0n;
  for (let i = 0; i < ids.length; i += batchSize) {
    const batch = ids.slice(i, i + batchSize);
    let receipt;
    try {
      receipt = await (await book.value(batch, date)).wait();
    } catch (e) {
      failed.push({ date, ids: batch, error: failureText(e) });
      continue;
    }
    gasUsed += receipt?.gasUsed ?? 0n;
    valued.push(...valuationsOf(book as PledgeBook, receipt));
    for (const log of receipt?.logs ?? []) {
      try {
        if (book.interface.parseLog(log)?.name === "PledgeTopUpCalled") topUps++;
      } catch {
        /* another contract's log */
      }
    }
  }
  return { valued, topUps, gasUsed, failed };
}

/**
 * The pledge book's part of the daily cycle: after a push, every active pledge on an updated security is
 * valued at each pushed date (in date order, batches of {@link VALUATION_BATCH}).
 */
export async function revaluePledges(
  hre: HardhatRuntimeEnvironment,
  signer: Signer,
  updated: { feedId: string; date: number }[],
): Promise<{ revalued: number; marginCalls: number; note?: string }> {
  let book: PledgeBook;
  try {
    book = await pledgeBookAt(hre, signer);
  } catch {
    return { revalued: 0, marginCalls: 0, note: "no pledge book deployed" };
  }
  const pledges = (await readAllPledges(book)).filter((p) => p.status === "Active");
  if (pledges.length === 0) return { revalued: 0, marginCalls: 0 };
  const isinOf = new Map<string, string>();
  for (const p of pledges) {
    if (!isinOf.has(p.security)) {
      const token = await hre.ethers.getContractAt("SecurityToken", p.security);
      isinOf.set(p.security, (await token.isin()).toLowerCase());
    }
  }
  const dates = [...new Set(updated.map((u) => u.date))].sort((a, b) => a - b);
  let revalued = 0;
  let marginCalls = 0;
  const failed: FailedValuationBatch[] = [];
  for (const date of dates) {
    const feeds = new Set(updated.filter((u) => u.date === date).map((u) => u.feedId.toLowerCase()));
    const ids = pledges.filter((p) => feeds.has(isinOf.get(p.security)!)).map((p) => p.id);
    if (ids.length === 0) continue;
    const r = await valueInBatches(book, ids, date);
    revalued += r.valued.length;
    marginCalls += r.topUps;
    failed.push(...r.failed);
  }
  if (failed.length === 0) return { revalued, marginCalls };
  const note = failed.map((b) => `pledge batch of ${b.ids.length} on day ${b.date} failed: ${b.error}`).join("; ");
  return { revalued, marginCalls, note };
}

function ratioText(x: bigint): string {
  return `${(Number((x * 10000n) / 10n ** 18n) / 100).toFixed(2)}%`;
}

/** A readable row of a stored pledge. */
export function describePledge(p: StoredPledge): Record<string, unknown> {
  // Exact decimal text from the integer amount: money never goes through floating point.
  const money = (x: bigint) => formatMoney(x, p.cashDecimals);
  const day = (d: number) => (d === 0 ? "" : new Date(d * 86_400_000).toISOString().slice(0, 10));
  return {
    id: p.id,
    status: p.status,
    level: p.level,
    pledger: p.pledger,
    pledgee: p.pledgee,
    security: p.security,
    shares: p.shares,
    pledgedCash: money(p.pledgedCash),
    principal: money(p.principal),
    interestToAccruedTo: money(p.interest),
    accruedTo: day(p.accruedTo),
    rate: ratioText(p.interestRate),
    lines: `${ratioText(p.warningLine)} / ${ratioText(p.liquidationLine)} / ${p.restoreTarget === 0n ? "initial" : ratioText(p.restoreTarget)}`,
    maxInitialRate: p.maxInitialRate === 0n ? "" : ratioText(p.maxInitialRate),
    topUpFrom: p.topUpAtWarning ? "Warning" : "Liquidation",
    repayments: p.principalFirst ? "principal first" : "interest first",
    start: day(p.startDate),
    maturity: day(p.maturityDate),
    valued: day(p.valuedDate),
    topUpDue: day(p.topUpDue),
  };
}

/** Exact decimal text of an integer money amount (no floating point, no grouping). */
function formatMoney(x: bigint, decimals: number): string {
  const unit = 10n ** BigInt(decimals);
  const sign = x < 0n ? "-" : "";
  const a = x < 0n ? -x : x;
  return decimals === 0 ? `${sign}${a}` : `${sign}${a / unit}.${(a % unit).toString().padStart(decimals, "0")}`;
}

/** A readable row of one valuation. */
export function describeValuation(v: PledgeValuation, cashDecimals: number): Record<string, unknown> {
  const money = (x: bigint) => formatMoney(x, cashDecimals);
  return {
    id: v.id,
    date: new Date(v.date * 86_400_000).toISOString().slice(0, 10),
    close: ethers.formatUnits(v.closePrice, 18),
    payable: money(v.out.amountPayable),
    collateral: money(v.out.collateralValue),
    ratio: v.out.ratio === ethers.MaxUint256 ? "∞" : ratioText(v.out.ratio),
    level: v.out.level,
    warningPrice: ethers.formatUnits(v.out.warningPrice, 18),
    liquidationPrice: ethers.formatUnits(v.out.liquidationPrice, 18),
    topUpShares: v.out.topUpShares,
    topUpCash: money(v.out.topUpCash),
    topUpRepayment: money(v.out.topUpRepayment),
  };
}
