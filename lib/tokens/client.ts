/**
 * Token helpers shared by the token tasks, the demo, the benchmarks and the tests: instrument data,
 * currency and amount parsing, issuing through the factory, resolving tokens, reading holders and
 * encumbrances, and DvP trade terms and signatures.
 */
import { ethers } from "ethers";
import type { ContractTransactionReceipt, Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { CashToken, DvPSettlement, SecurityToken, TokenFactory } from "../../typechain-types";
import { UserError } from "../core/cli";
import { isinProblem } from "../core/isin";
import { dayToIso, isoToDay } from "../core/dates";
import { parseEnum } from "../core/enums";
import { DAY_COUNT_CONVENTIONS } from "../math/daycount";
import { suiteAddress } from "../core/suite";

export const INSTRUMENT_KINDS = ["None", "Equity", "Bond"] as const;
/** `DayCountConvention` names, in enum order (defined once, with the calculator). */
export const DAY_COUNTS = DAY_COUNT_CONVENTIONS;
export const TOKEN_TYPES = ["None", "Security", "Cash"] as const;
export const TRADE_STATUSES = ["None", "Instructed", "Matched", "Settled", "Cancelled"] as const;
export const WAD = 10n ** 18n;

/** Role ids of the token contracts. */
export const TOKEN_ROLES = {
  AGENT_ROLE: ethers.id("AGENT_ROLE"),
  PAUSER_ROLE: ethers.id("PAUSER_ROLE"),
  LOCK_OPERATOR_ROLE: ethers.id("LOCK_OPERATOR_ROLE"),
  SETTLEMENT_ROLE: ethers.id("SETTLEMENT_ROLE"),
  ISSUER_ROLE: ethers.id("ISSUER_ROLE"),
} as const;

/** The on-chain `ISecurityToken.Instrument` struct. */
export interface Instrument {
  isin: string;
  kind: number;
  currency: string;
  faceValue: bigint;
  couponRate: bigint;
  couponFrequency: number;
  issueDate: number;
  maturityDate: number;
  dayCount: number;
}

/** Instrument data as people write it. */
export interface InstrumentInput {
  isin: string;
  kind: string;
  currency: string;
  /** Bonds: nominal of one whole token in the currency, e.g. "1000". */
  faceValue?: string;
  /** Bonds: annual coupon rate in percent, e.g. "8.5". */
  couponPercent?: string;
  couponFrequency?: number;
  /** Bonds: ISO dates. */
  issueDate?: string;
  maturityDate?: string;
  dayCount?: string;
}

/** ISO 4217 code → bytes3 hex. */
export function currencyBytes(code: string): string {
  if (!/^[A-Za-z]{3}$/.test(code)) throw new UserError(`currency "${code}" is not an ISO 4217 code (3 letters)`);
  return ethers.hexlify(ethers.toUtf8Bytes(code.toUpperCase()));
}

export function bytesToText(hex: string): string {
  return ethers.toUtf8String(hex).replace(/\0+$/, "");
}

/** ISIN → bytes12 hex, with the reason when it is invalid. */
export function isinBytes(isin: string): string {
  const problem = isinProblem(isin.toUpperCase());
  if (problem) throw new UserError(`invalid ISIN: ${problem}`);
  return ethers.hexlify(ethers.toUtf8Bytes(isin.toUpperCase()));
}

/** A decimal text ("12.5") → token units with `decimals`, refusing more precision than the token has. */
export function parseAmount(value: string, decimals: number | bigint, what = "amount"): bigint {
  try {
    const v = ethers.parseUnits(value.trim(), Number(decimals));
    if (v < 0n) throw new Error("negative");
    return v;
  } catch {
    throw new UserError(`${what} "${value}" is not a non-negative number with at most ${decimals} decimals`);
  }
}

export function formatAmount(units: bigint, decimals: number | bigint): string {
  const s = ethers.formatUnits(units, Number(decimals));
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

/** Builds and checks the on-chain instrument struct (the contract checks it again). */
export function buildInstrument(i: InstrumentInput): Instrument {
  const kind = parseEnum(INSTRUMENT_KINDS, i.kind, "instrument kind");
  const base = { isin: isinBytes(i.isin), kind, currency: currencyBytes(i.currency) };
  if (kind === 1) {
    return { ...base, faceValue: 0n, couponRate: 0n, couponFrequency: 0, issueDate: 0, maturityDate: 0, dayCount: 0 };
  }
  if (!i.faceValue || !i.issueDate || !i.maturityDate) throw new UserError("a bond needs a face value, an issue date and a maturity date");
  const wrap = (f: () => number, what: string) => {
    try {
      return f();
    } catch (e) {
      throw new UserError(`${what}: ${(e as Error).message}`);
    }
  };
  const issueDate = wrap(() => isoToDay(i.issueDate!), "issue date");
  const maturityDate = wrap(() => isoToDay(i.maturityDate!), "maturity date");
  if (maturityDate <= issueDate) throw new UserError(`maturity ${i.maturityDate} is not after issue ${i.issueDate}`);
  const couponRate = parseAmount(i.couponPercent ?? "0", 16, "coupon rate (percent)");
  const couponFrequency = i.couponFrequency ?? 2;
  if (![0, 1, 2, 4, 12].includes(couponFrequency)) throw new UserError(`coupon frequency ${couponFrequency} is not 0, 1, 2, 4 or 12`);
  return {
    ...base,
    faceValue: parseAmount(i.faceValue, 18, "face value"),
    couponRate,
    couponFrequency,
    issueDate,
    maturityDate,
    dayCount: parseEnum(DAY_COUNTS, i.dayCount ?? "Thirty360BondBasis", "day-count convention", true),
  };
}

function eventArg(receipt: ContractTransactionReceipt, iface: ethers.Interface, name: string, arg: string): string {
  for (const log of receipt.logs) {
    try {
      const p = iface.parseLog(log);
      if (p?.name === name) return p.args[arg] as string;
    } catch {
      /* another contract's log */
    }
  }
  throw new Error(`${name} event missing from receipt`);
}

export async function issueSecurity(
  factory: TokenFactory,
  p: { name: string; symbol: string; decimals: number; instrument: Instrument },
): Promise<{ address: string; receipt: ContractTransactionReceipt }> {
  const receipt = (await (await factory.issueSecurity(p.name, p.symbol, p.decimals, p.instrument)).wait())!;
  return { address: eventArg(receipt, factory.interface as unknown as ethers.Interface, "SecurityIssued", "token"), receipt };
}

export async function issueCash(
  factory: TokenFactory,
  p: { name: string; symbol: string; decimals: number; currency: string },
): Promise<{ address: string; receipt: ContractTransactionReceipt }> {
  const receipt = (await (await factory.issueCash(p.name, p.symbol, p.decimals, currencyBytes(p.currency))).wait())!;
  return { address: eventArg(receipt, factory.interface as unknown as ethers.Interface, "CashIssued", "token"), receipt };
}

export async function factoryAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<TokenFactory> {
  return (await hre.ethers.getContractAt("TokenFactory", suiteAddress(hre, "TokenFactory"), signer)) as unknown as TokenFactory;
}

export async function dvpAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<DvPSettlement> {
  return (await hre.ethers.getContractAt("DvPSettlement", suiteAddress(hre, "DvPSettlement"), signer)) as unknown as DvPSettlement;
}

export interface ResolvedToken {
  address: string;
  type: "Security" | "Cash";
  /** Typed as SecurityToken; a cash token has the same compliance API (instrument getters excepted). */
  token: SecurityToken;
  decimals: number;
  symbol: string;
}

/** Resolves a token given as an address, an ISIN or a currency code through the factory. */
export async function resolveToken(hre: HardhatRuntimeEnvironment, ref: string, signer?: Signer): Promise<ResolvedToken> {
  const factory = await factoryAt(hre);
  let address: string;
  if (ethers.isAddress(ref)) address = ethers.getAddress(ref);
  else if (/^[A-Za-z]{3}$/.test(ref)) address = await factory.cashByCurrency(currencyBytes(ref));
  else if (/^[A-Za-z]{2}[A-Za-z0-9]{9}[0-9]$/.test(ref)) address = await factory.securityByIsin(isinBytes(ref));
  else throw new UserError(`--token "${ref}" is not an address, an ISIN or a currency code`);
  if (address === ethers.ZeroAddress) throw new UserError(`no token issued for "${ref}"`);
  const type = TOKEN_TYPES[Number(await factory.tokenType(address))];
  if (type !== "Security" && type !== "Cash") throw new UserError(`${address} was not issued by the token factory`);
  const contract = type === "Security" ? "SecurityToken" : "CashToken";
  const token = (await hre.ethers.getContractAt(contract, address, signer)) as unknown as SecurityToken;
  return { address, type, token, decimals: Number(await token.decimals()), symbol: await token.symbol() };
}

export interface HolderRow {
  holder: string;
  balance: bigint;
  encumbered: bigint;
  free: bigint;
  frozen: boolean;
}

export interface EncumbranceRow {
  holder: string;
  locker: string;
  dealId: bigint;
  amount: bigint;
}

/** Holders (from Transfer events) with balances, and the live encumbrances by purpose (from events). */
export async function holdingsOf(
  token: SecurityToken | CashToken,
  fromBlock = 0,
): Promise<{ holders: HolderRow[]; encumbrances: EncumbranceRow[] }> {
  const t = token as SecurityToken;
  const addresses = new Set<string>();
  for (const ev of await t.queryFilter(t.filters.Transfer(), fromBlock)) {
    if (ev.args.to !== ethers.ZeroAddress) addresses.add(ev.args.to);
  }
  const holders: HolderRow[] = [];
  for (const holder of addresses) {
    const [balance, encumbered, frozen] = await Promise.all([t.balanceOf(holder), t.totalEncumbered(holder), t.isFrozen(holder)]);
    if (balance === 0n && !frozen) continue;
    // A freeze above the balance (ERC-7943) leaves nothing free.
    holders.push({ holder, balance, encumbered, free: balance > encumbered ? balance - encumbered : 0n, frozen });
  }
  const purposes = new Map<string, [string, string, bigint]>();
  for (const ev of await t.queryFilter(t.filters.Encumbered(), fromBlock)) {
    purposes.set(`${ev.args.holder}/${ev.args.locker}/${ev.args.dealId}`, [ev.args.holder, ev.args.locker, ev.args.dealId]);
  }
  for (const ev of await t.queryFilter(t.filters.EncumbranceMoved(), fromBlock)) {
    if (ev.args.keptEncumbered)
      purposes.set(`${ev.args.to}/${ev.args.locker}/${ev.args.dealId}`, [ev.args.to, ev.args.locker, ev.args.dealId]);
  }
  const encumbrances: EncumbranceRow[] = [];
  for (const [holder, locker, dealId] of purposes.values()) {
    const amount = await t.encumbered(holder, locker, dealId);
    if (amount > 0n) encumbrances.push({ holder, locker, dealId, amount });
  }
  return { holders, encumbrances };
}

/* DvP */

export interface Trade {
  security: string;
  quantity: bigint;
  cash: string;
  amount: bigint;
  seller: string;
  buyer: string;
  settlementDate: number;
  tradeRef: string;
}

export const TRADE_TYPES = {
  Trade: [
    { name: "security", type: "address" },
    { name: "quantity", type: "uint256" },
    { name: "cash", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "seller", type: "address" },
    { name: "buyer", type: "address" },
    { name: "settlementDate", type: "uint32" },
    { name: "tradeRef", type: "bytes32" },
  ],
};

export const INSTRUCTION_TYPES = {
  Instruction: [
    { name: "trade", type: "Trade" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  ...TRADE_TYPES,
};

/** A trade reference: 0x + 64 hex taken as is, else the text as bytes32 (≤ 31 characters). */
export function tradeRefBytes(ref: string): string {
  if (/^0x[0-9a-fA-F]{64}$/.test(ref)) return ref;
  if (ref.length > 31) throw new UserError(`trade reference "${ref}" is longer than 31 characters`);
  return ethers.encodeBytes32String(ref);
}

/** The counterparty signer's EIP-712 signature of an instruction for `dvp.instructWithSignature`. */
export async function signInstruction(dvp: DvPSettlement, signer: Signer, trade: Trade, deadline: bigint): Promise<string> {
  const [, name, version, chainId, verifyingContract] = await dvp.eip712Domain();
  const nonce = await dvp.nonces(await signer.getAddress());
  return signer.signTypedData({ name, version, chainId, verifyingContract }, INSTRUCTION_TYPES, { trade, nonce, deadline });
}

export function describeTrade(t: Trade): Record<string, unknown> {
  return {
    seller: t.seller,
    buyer: t.buyer,
    security: t.security,
    quantity: t.quantity,
    cash: t.cash,
    amount: t.amount,
    settlementDate: dayToIso(t.settlementDate),
    tradeRef: t.tradeRef,
  };
}
