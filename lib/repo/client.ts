/**
 * Repo book helpers shared by the `repo:*` tasks, the daily cycle, the demo, the bench and the tests:
 * terms from JSON, EIP-712 signatures, revaluation in batches, deal views and the recalculation history.
 */
import { failureText } from "../core/tx";
import fs from "node:fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { ethers, type Signer, type ContractTransactionReceipt, type Log } from "ethers";
import type { RepoBook } from "../../typechain-types";
import { UserError } from "../core/cli";
import { dayToIso, isoToDay } from "../core/dates";
import { readDeployment } from "../core/deployments";
import { suiteAddress } from "../core/suite";
import { DAY_COUNTS, formatAmount, parseAmount } from "../tokens";

export const REPO_STATUSES = [
  "None",
  "Proposed",
  "Signed",
  "Accepted",
  "Active",
  "Repurchased",
  "Terminated",
  "Defaulted",
  "ClosedOut",
  "Cancelled",
] as const;
export const OBLIGATION_STATUSES = ["None", "Open", "Settled", "Cancelled", "Overdue"] as const;
export const REPO_SIDES = ["Borrower", "Lender"] as const;
export const REVALUATION_SKIPS = [
  "Holiday",
  "BeforeStart",
  "NoPrice",
  "NoFxRate",
  "CalendarNotLoaded",
  "OutsideBondLife",
  "MarginPostedLater",
  "DateNotClosed",
  "ValueOutOfRange",
] as const;
export const REPO_ACTION_NAMES = ["None", "BorrowerCall", "LenderReturn"] as const;
export const WAD = 10n ** 18n;
/** Deals per revaluation transaction by default (about 3M gas on ten securities). */
export const DEFAULT_REVALUE_BATCH = 100;

/** The on-chain terms (IRepoBook.Terms). */
export interface RepoTerms {
  borrower: number;
  lender: number;
  borrowerAccount: string;
  lenderAccount: string;
  security: string;
  quantity: bigint;
  currency: string;
  purchasePrice: bigint;
  repoRate: bigint;
  basis: number;
  tradeDate: number;
  startDate: number;
  repurchaseDate: number;
  initialLtv: bigint;
  lowerTrigger: bigint;
  upperTrigger: bigint;
  marginDeadlineDays: number;
  minimumTransfer: bigint;
  cashMarginRate: bigint;
  calendar: string;
  couponDayCount: number;
  /** GMRA margin method: 0 = Method B (LTV corridor), 1 = Method A (margin ratio). */
  marginMethod: number;
  /** Method A margin ratio, WAD (steps of 1e-8); 0 under Method B. */
  marginRatio: bigint;
}

/** Index of a margin method name in `Terms.marginMethod`. */
export const MARGIN_METHODS = ["B", "A"] as const;

export const TERMS_TYPES = {
  Terms: [
    { name: "borrower", type: "uint32" },
    { name: "lender", type: "uint32" },
    { name: "borrowerAccount", type: "address" },
    { name: "lenderAccount", type: "address" },
    { name: "security", type: "address" },
    { name: "quantity", type: "uint96" },
    { name: "currency", type: "bytes3" },
    { name: "purchasePrice", type: "uint128" },
    { name: "repoRate", type: "uint64" },
    { name: "basis", type: "uint16" },
    { name: "tradeDate", type: "uint32" },
    { name: "startDate", type: "uint32" },
    { name: "repurchaseDate", type: "uint32" },
    { name: "initialLtv", type: "uint64" },
    { name: "lowerTrigger", type: "uint64" },
    { name: "upperTrigger", type: "uint64" },
    { name: "marginDeadlineDays", type: "uint8" },
    { name: "minimumTransfer", type: "uint128" },
    { name: "cashMarginRate", type: "uint64" },
    { name: "calendar", type: "bytes4" },
    { name: "couponDayCount", type: "uint8" },
    { name: "marginMethod", type: "uint8" },
    { name: "marginRatio", type: "uint64" },
  ],
};

export const SIGNATURE_TYPES = {
  RepoSignature: [
    { name: "dealId", type: "uint256" },
    { name: "terms", type: "Terms" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  ...TERMS_TYPES,
};

/** Terms in a JSON file: natural units (decimal strings), ISO dates, codes by name. */
export interface RepoTermsJson {
  borrower: number;
  lender: number;
  borrowerAccount: string;
  lenderAccount: string;
  /** Token address of the security. */
  security: string;
  quantity: string | number;
  currency: string;
  purchasePrice: string;
  repoRate: string;
  basis: number;
  tradeDate: string;
  startDate: string;
  repurchaseDate: string;
  initialLtv: string;
  lowerTrigger: string;
  upperTrigger: string;
  marginDeadlineDays: number;
  minimumTransfer: string;
  cashMarginRate: string;
  calendar: string;
  couponDayCount?: string;
  /** "B" (default: the LTV corridor) or "A" (margin ratio; the corridor fields are then omitted or "0"). */
  marginMethod?: string;
  /** Method A margin ratio, e.g. "1.25" for 125%. */
  marginRatio?: string;
}

function bytesCode(code: string, length: number, what: string): string {
  if (!new RegExp(`^[A-Z0-9]{${length}}$`).test(code))
    throw new UserError(`${what} "${code}" is not ${length} upper-case letters or digits`);
  return ethers.hexlify(ethers.toUtf8Bytes(code));
}

/** Text of a bytes3/bytes4 code. */
export function codeText(hex: string): string {
  return ethers.toUtf8String(hex).replace(/\0/g, "");
}

function isoField(value: string, field: string): number {
  try {
    return isoToDay(value);
  } catch {
    throw new UserError(`${field}: "${value}" is not an ISO date (YYYY-MM-DD)`);
  }
}

/** On-chain terms from their JSON form; `cashDecimals` is the deal currency's cash token decimals. */
export function termsFromJson(j: RepoTermsJson, cashDecimals: number): RepoTerms {
  const need = (k: keyof RepoTermsJson) => {
    if (j[k] === undefined || j[k] === null || j[k] === "") throw new UserError(`terms: "${k}" is missing`);
  };
  const method = (MARGIN_METHODS as readonly string[]).indexOf(j.marginMethod ?? "B");
  if (method < 0) throw new UserError(`terms: marginMethod "${j.marginMethod}" is not one of ${MARGIN_METHODS.join(", ")}`);
  const methodA = method === 1;
  if (methodA) need("marginRatio");
  for (const k of [
    "borrower",
    "lender",
    "borrowerAccount",
    "lenderAccount",
    "security",
    "quantity",
    "currency",
    "purchasePrice",
    "repoRate",
    "basis",
    "tradeDate",
    "startDate",
    "repurchaseDate",
    ...(methodA ? [] : ["initialLtv", "lowerTrigger", "upperTrigger"]),
    "marginDeadlineDays",
    "minimumTransfer",
    "cashMarginRate",
    "calendar",
  ] as (keyof RepoTermsJson)[])
    need(k);
  for (const k of ["borrowerAccount", "lenderAccount", "security"] as const) {
    if (!ethers.isAddress(j[k])) throw new UserError(`terms: ${k} "${j[k]}" is not an address`);
  }
  const dayCount = j.couponDayCount ?? "Thirty360BondBasis";
  const dc = (DAY_COUNTS as readonly string[]).indexOf(dayCount);
  if (dc < 0) throw new UserError(`terms: couponDayCount "${dayCount}" is not one of ${DAY_COUNTS.join(", ")}`);
  return {
    borrower: Number(j.borrower),
    lender: Number(j.lender),
    borrowerAccount: ethers.getAddress(j.borrowerAccount),
    lenderAccount: ethers.getAddress(j.lenderAccount),
    security: ethers.getAddress(j.security),
    quantity: parseAmount(String(j.quantity), 0, "quantity"),
    currency: bytesCode(j.currency, 3, "currency"),
    purchasePrice: parseAmount(j.purchasePrice, cashDecimals, "purchasePrice"),
    repoRate: parseAmount(j.repoRate, 18, "repoRate"),
    basis: Number(j.basis),
    tradeDate: isoField(j.tradeDate, "tradeDate"),
    startDate: isoField(j.startDate, "startDate"),
    repurchaseDate: isoField(j.repurchaseDate, "repurchaseDate"),
    initialLtv: parseAmount(j.initialLtv ?? "0", 18, "initialLtv"),
    lowerTrigger: parseAmount(j.lowerTrigger ?? "0", 18, "lowerTrigger"),
    upperTrigger: parseAmount(j.upperTrigger ?? "0", 18, "upperTrigger"),
    marginDeadlineDays: Number(j.marginDeadlineDays),
    minimumTransfer: parseAmount(j.minimumTransfer, cashDecimals, "minimumTransfer"),
    cashMarginRate: parseAmount(j.cashMarginRate, 18, "cashMarginRate"),
    calendar: bytesCode(j.calendar, 4, "calendar"),
    couponDayCount: dc,
    marginMethod: method,
    marginRatio: methodA ? parseAmount(j.marginRatio!, 18, "marginRatio") : 0n,
  };
}

/** Reads a terms file; the cash decimals come from the deal currency's cash token. */
export async function readTermsFile(hre: HardhatRuntimeEnvironment, file: string): Promise<RepoTerms> {
  if (!fs.existsSync(file)) throw new UserError(`terms file ${file} not found`);
  let j: RepoTermsJson;
  try {
    j = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`terms file ${file}: ${(e as Error).message}`);
  }
  const factory = await hre.ethers.getContractAt("TokenFactory", suiteAddress(hre, "TokenFactory"));
  const cash = await factory.cashByCurrency(bytesCode(j.currency ?? "", 3, "currency"));
  if (cash === ethers.ZeroAddress) throw new UserError(`terms: no cash token for currency ${j.currency}`);
  const decimals = Number(await (await hre.ethers.getContractAt("CashToken", cash)).decimals());
  return termsFromJson(j, decimals);
}

export async function repoBookAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<RepoBook> {
  return (await hre.ethers.getContractAt("RepoBook", suiteAddress(hre, "RepoBook"), signer)) as unknown as RepoBook;
}

/** Terms as returned by the contract (ethers Result) as plain values. */
export function termsFromChain(t: Awaited<ReturnType<RepoBook["terms"]>>): RepoTerms {
  return {
    borrower: Number(t.borrower),
    lender: Number(t.lender),
    borrowerAccount: t.borrowerAccount,
    lenderAccount: t.lenderAccount,
    security: t.security,
    quantity: t.quantity,
    currency: t.currency,
    purchasePrice: t.purchasePrice,
    repoRate: t.repoRate,
    basis: Number(t.basis),
    tradeDate: Number(t.tradeDate),
    startDate: Number(t.startDate),
    repurchaseDate: Number(t.repurchaseDate),
    initialLtv: t.initialLtv,
    lowerTrigger: t.lowerTrigger,
    upperTrigger: t.upperTrigger,
    marginDeadlineDays: Number(t.marginDeadlineDays),
    minimumTransfer: t.minimumTransfer,
    cashMarginRate: t.cashMarginRate,
    calendar: t.calendar,
    couponDayCount: Number(t.couponDayCount),
    marginMethod: Number(t.marginMethod),
    marginRatio: t.marginRatio,
  };
}

/** The deal id of a `propose` receipt. */
export function proposedId(book: RepoBook, receipt: ContractTransactionReceipt): bigint {
  for (const log of receipt.logs) {
    const parsed = book.interface.parseLog(log);
    if (parsed?.name === "RepoProposed") return parsed.args.dealId as bigint;
  }
  throw new Error("no RepoProposed event in the receipt");
}

export async function propose(book: RepoBook, terms: RepoTerms): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const receipt = (await (await book.propose(terms)).wait())!;
  return { id: proposedId(book, receipt), receipt };
}

/** A party signer's EIP-712 signature of a deal's terms at its current nonce. */
export async function signTerms(
  book: RepoBook,
  signer: Signer,
  dealId: bigint,
  deadline: bigint,
): Promise<{ signature: string; signer: string; deadline: bigint; nonce: bigint }> {
  const [, name, version, chainId, verifyingContract] = await book.eip712Domain();
  const address = await signer.getAddress();
  const nonce = await book.nonces(address);
  const terms = termsFromChain(await book.terms(dealId));
  const signature = await signer.signTypedData({ name, version, chainId, verifyingContract }, SIGNATURE_TYPES, {
    dealId,
    terms,
    nonce,
    deadline,
  });
  return { signature, signer: address, deadline, nonce };
}

/** One deal's result in a revaluation run, read from the transaction's events. */
export interface RevaluationRow {
  dealId: bigint;
  date: number;
  outcome: "revalued" | "skipped";
  reason?: string;
  ltv?: bigint;
  oldLtv?: bigint;
  action?: string;
  callCash?: bigint;
  callQuantity?: bigint;
}

export interface MarginCallRow {
  dealId: bigint;
  side: string;
  event: "raised" | "resized" | "cancelled";
  date: number;
  dueDate?: number;
  cash?: bigint;
  quantity?: bigint;
}

/** A revaluation batch whose transaction failed: its deals are left for the next run. */
export interface FailedBatch {
  date: number;
  dealIds: bigint[];
  error: string;
}

export interface RevaluationRun {
  rows: RevaluationRow[];
  calls: MarginCallRow[];
  transactions: number;
  gasUsed: bigint;
  /** Batches whose transaction failed (reported; the following batches still ran). */
  failed: FailedBatch[];
}

/** Decodes the revaluation events of a set of logs. */
export function decodeRevaluation(book: RepoBook, logs: readonly Log[]): { rows: RevaluationRow[]; calls: MarginCallRow[] } {
  const rows: RevaluationRow[] = [];
  const calls: MarginCallRow[] = [];
  for (const log of logs) {
    let parsed;
    try {
      parsed = book.interface.parseLog(log);
    } catch {
      continue;
    }
    if (!parsed) continue;
    const a = parsed.args;
    if (parsed.name === "RepoRevalued") {
      rows.push({
        dealId: a.dealId,
        date: Number(a.date),
        outcome: "revalued",
        ltv: a.output.ltv,
        oldLtv: a.inputs.oldLtv,
        action: REPO_ACTION_NAMES[Number(a.output.action)],
        callCash: a.output.callCash,
        callQuantity: a.output.callQuantity,
      });
    } else if (parsed.name === "RepoRevaluationSkipped") {
      rows.push({ dealId: a.dealId, date: Number(a.date), outcome: "skipped", reason: REVALUATION_SKIPS[Number(a.reason)] });
    } else if (parsed.name === "MarginCallRaised") {
      calls.push({
        dealId: a.dealId,
        side: REPO_SIDES[Number(a.side)],
        event: "raised",
        date: Number(a.date),
        dueDate: Number(a.dueDate),
        cash: a.cash,
        quantity: a.quantity,
      });
    } else if (parsed.name === "MarginCallResized") {
      calls.push({
        dealId: a.dealId,
        side: REPO_SIDES[Number(a.side)],
        event: "resized",
        date: Number(a.date),
        cash: a.cash,
        quantity: a.quantity,
      });
    } else if (parsed.name === "MarginCallCancelled") {
      calls.push({ dealId: a.dealId, side: REPO_SIDES[Number(a.side)], event: "cancelled", date: Number(a.date) });
    }
  }
  return { rows, calls };
}

/**
 * Revalues `ids` for `date` in batches of `batchSize` deals per transaction. A batch whose transaction fails
 * (node error, gas, a revert) is reported in `failed` with its error, and the next batch still runs.
 */
export async function revalueInBatches(
  book: RepoBook,
  ids: bigint[],
  date: number,
  batchSize = DEFAULT_REVALUE_BATCH,
): Promise<RevaluationRun> {
  const run: RevaluationRun = { rows: [], calls: [], transactions: 0, gasUsed: 0n, failed: [] };
  for (let i = 0; i < ids.length; i += batchSize) {
    const batch = ids.slice(i, i + batchSize);
    let receipt;
    try {
      receipt = (await (await book.revalue(batch, date)).wait())!;
    } catch (e) {
      run.failed.push({ date, dealIds: batch, error: failureText(e) });
      continue;
    }
    const d = decodeRevaluation(book, receipt.logs);
    run.rows.push(...d.rows);
    run.calls.push(...d.calls);
    run.transactions += 1;
    run.gasUsed += receipt.gasUsed;
  }
  return run;
}

/** Deals opened (RepoOpened) and still Active, grouped by security token address (lower case). */
export async function openDealsBySecurity(book: RepoBook, fromBlock = 0): Promise<Map<string, bigint[]>> {
  const events = await book.queryFilter(book.filters.RepoOpened(), fromBlock);
  const ids = events.map((e) => e.args.dealId);
  const bySecurity = new Map<string, bigint[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const statuses = await book.statusesOf(chunk);
    chunk.forEach((id, k) => {
      if (Number(statuses[k]) !== REPO_STATUSES.indexOf("Active")) return;
      const key = events[i + k].args.security.toLowerCase();
      bySecurity.set(key, [...(bySecurity.get(key) ?? []), id]);
    });
  }
  return bySecurity;
}

/** A WAD ratio as a percentage with two decimals. */
export function pct(wad: bigint): string {
  const bp = (wad * 10000n + WAD / 2n) / WAD;
  return `${bp / 100n}.${String(bp % 100n).padStart(2, "0")}%`;
}

/** One row of a deal's recalculation history (from events). */
export interface HistoryRow {
  date: string;
  event: string;
  cleanPrice?: string;
  fxRate?: string;
  accruedCoupon?: string;
  dirtyPrice?: string;
  quantity?: string;
  repurchasePrice?: string;
  marketValue?: string;
  borrowerCashMargin?: string;
  lenderCashMargin?: string;
  exposure?: string;
  /** Exposure under the deal's margin method, net of its cash margin (positive: the borrower owes). */
  transactionExposure?: string;
  oldLtv?: string;
  ltv?: string;
  lowerTrigger?: string;
  upperTrigger?: string;
  action?: string;
  callCash?: string;
  callQuantity?: string;
  note?: string;
  block: number;
  tx: string;
}

/** The recalculation history of a deal: every revaluation with its inputs and outputs, and every skip. */
export async function repoHistory(book: RepoBook, dealId: bigint, cashDecimals: number, fromBlock = 0): Promise<HistoryRow[]> {
  const t = await book.terms(dealId);
  const rows: HistoryRow[] = [];
  const revalued = await book.queryFilter(book.filters.RepoRevalued(dealId), fromBlock);
  const skipped = await book.queryFilter(book.filters.RepoRevaluationSkipped(dealId), fromBlock);
  const price = (v: bigint) => ethers.formatUnits(v, 18);
  for (const e of revalued) {
    const { inputs, output } = e.args;
    rows.push({
      date: dayToIso(Number(e.args.date)),
      event: "revalued",
      cleanPrice: price(inputs.cleanPrice),
      fxRate: price(inputs.fxRate),
      accruedCoupon: price(output.accruedCoupon),
      dirtyPrice: price(output.dirtyPrice),
      quantity: inputs.quantity.toString(),
      repurchasePrice: formatAmount(output.repurchasePrice, cashDecimals),
      marketValue: formatAmount(output.marketValue, cashDecimals),
      borrowerCashMargin: formatAmount(output.borrowerCashMargin, cashDecimals),
      lenderCashMargin: formatAmount(output.lenderCashMargin, cashDecimals),
      exposure: formatAmount(output.exposure, cashDecimals),
      transactionExposure: formatAmount(output.transactionExposure, cashDecimals),
      oldLtv: ethers.formatUnits(inputs.oldLtv, 18),
      ltv: ethers.formatUnits(output.ltv, 18),
      lowerTrigger: ethers.formatUnits(t.lowerTrigger, 18),
      upperTrigger: ethers.formatUnits(t.upperTrigger, 18),
      action: REPO_ACTION_NAMES[Number(output.action)],
      callCash: formatAmount(output.callCash, cashDecimals),
      callQuantity: output.callQuantity.toString(),
      note: output.belowMinimumTransfer ? "below minimum transfer" : "",
      block: e.blockNumber,
      tx: e.transactionHash,
    });
  }
  for (const e of skipped) {
    rows.push({
      date: dayToIso(Number(e.args.date)),
      event: "skipped",
      note: REVALUATION_SKIPS[Number(e.args.reason)],
      block: e.blockNumber,
      tx: e.transactionHash,
    });
  }
  return rows.sort((a, b) => (a.date === b.date ? a.block - b.block : a.date < b.date ? -1 : 1));
}

export const HISTORY_COLUMNS: (keyof HistoryRow)[] = [
  "date",
  "event",
  "cleanPrice",
  "fxRate",
  "accruedCoupon",
  "dirtyPrice",
  "quantity",
  "repurchasePrice",
  "marketValue",
  "borrowerCashMargin",
  "lenderCashMargin",
  "exposure",
  "transactionExposure",
  "oldLtv",
  "ltv",
  "lowerTrigger",
  "upperTrigger",
  "action",
  "callCash",
  "callQuantity",
  "note",
  "block",
  "tx",
];

/** CSV text of history rows (RFC 4180 quoting). */
export function historyCsv(rows: HistoryRow[]): string {
  const q = (v: unknown) => {
    const s = v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [HISTORY_COLUMNS.join(","), ...rows.map((r) => HISTORY_COLUMNS.map((c) => q(r[c])).join(","))].join("\n") + "\n";
}

/** Decimals of the cash token of a deal currency (`bytes3`), from the suite's token factory. */
export async function cashDecimalsOf(hre: HardhatRuntimeEnvironment, currency: string): Promise<number> {
  const cash = await (
    await hre.ethers.getContractAt("TokenFactory", readDeployment(hre.network.name)!.contracts.TokenFactory)
  ).cashByCurrency(currency);
  return Number(await (await hre.ethers.getContractAt("CashToken", cash)).decimals());
}

/**
 * A deal as `repo:show` shows it: its terms, status and LTV against the corridor (`view`), the open
 * obligations of either side and its last `last` history rows, amounts in the deal currency.
 */
export async function describeDeal(hre: HardhatRuntimeEnvironment, book: RepoBook, id: bigint, last: number) {
  const t = termsFromChain(await book.terms(id));
  const s = await book.dealState(id);
  const decimals = await cashDecimalsOf(hre, t.currency);
  const obligations: Record<string, unknown>[] = [];
  for (const sd of [0, 1]) {
    const o = await book.obligation(id, sd);
    if (Number(o.status) === 0) continue;
    obligations.push({
      side: REPO_SIDES[sd],
      status: OBLIGATION_STATUSES[Number(o.status)],
      raised: dayToIso(Number(o.raisedOn)),
      due: dayToIso(Number(o.dueDate)),
      cash: formatAmount(o.cash, decimals),
      quantity: o.quantity,
    });
  }
  const history = (await repoHistory(book, id, decimals, readDeployment(hre.network.name)?.block ?? 0)).slice(-last);
  const ltv = BigInt(s.ltv);
  const methodA = Number(t.marginMethod) === 1;
  const position =
    ltv === 0n
      ? "not revalued"
      : methodA
        ? "no corridor (Method A: any exposure from the minimum transfer amount is called)"
        : ltv > t.upperTrigger
          ? "above the upper trigger"
          : ltv < t.lowerTrigger
            ? "below the lower trigger"
            : "inside the corridor";
  const view = {
    dealId: id,
    status: REPO_STATUSES[Number(s.status)],
    borrower: t.borrower,
    lender: t.lender,
    security: t.security,
    quantity: t.quantity,
    collateral: s.quantity,
    currency: codeText(t.currency),
    purchasePrice: formatAmount(t.purchasePrice, decimals),
    repoRate: pct(t.repoRate),
    basis: t.basis,
    start: dayToIso(t.startDate),
    repurchase: dayToIso(t.repurchaseDate),
    marginMethod: methodA ? `A (margin ratio ${pct(t.marginRatio)})` : "B (LTV corridor)",
    corridor: methodA ? "" : `${pct(t.lowerTrigger)} ≤ ${pct(t.initialLtv)} ≤ ${pct(t.upperTrigger)}`,
    ltv: ltv === 0n ? "" : pct(ltv),
    position,
    lastRevalued: Number(s.lastRevaluedDate) === 0 ? "" : dayToIso(Number(s.lastRevaluedDate)),
    onChain: s.onChain,
    cashMargins: Number(s.cashMargins),
  };
  return { view, obligations, history };
}
