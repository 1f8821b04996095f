/**
 * Identifiers and units of the price oracle and the holiday calendars (no contract types: safe to
 * import from tasks at top level).
 * - a security's feed id is its ISIN as bytes12 ASCII;
 * - an FX pair's feed id is base ‖ quote (bytes3 each) followed by six zero bytes;
 * - currencies are bytes3 ISO 4217 ASCII, calendars bytes4 MIC ASCII;
 * - prices and rates are 18-decimal fixed point, deviations WAD (1e18 = 100 %).
 */
import { formatUnits, getBytes, hexlify, parseUnits, toUtf8Bytes, toUtf8String } from "ethers";
import { isinToBytes12 } from "../core/isin";

const CURRENCY = /^[A-Z]{3}$/;
const MIC = /^[A-Z0-9]{4}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

export const WAD = 10n ** 18n;

export function isCurrency(code: string): boolean {
  return CURRENCY.test(code);
}

export function currencyToBytes3(code: string): string {
  if (!isCurrency(code)) throw new Error(`"${code}" is not an ISO 4217 currency code (three upper-case letters)`);
  return hexlify(toUtf8Bytes(code));
}

export function calendarToBytes4(mic: string): string {
  if (!MIC.test(mic)) throw new Error(`"${mic}" is not a calendar id (four upper-case letters or digits, e.g. XLON)`);
  return hexlify(toUtf8Bytes(mic));
}

/** ASCII text of a bytesN value, without trailing zero bytes ("" for zero). */
export function bytesToText(hex: string): string {
  const bytes = getBytes(hex);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return toUtf8String(bytes.slice(0, end));
}

export function assetFeedId(isin: string): string {
  return isinToBytes12(isin);
}

export function fxFeedId(base: string, quote: string): string {
  return hexlify(new Uint8Array([...toUtf8Bytes(base), ...toUtf8Bytes(quote), 0, 0, 0, 0, 0, 0])).toLowerCase();
}

/** Human label of a feed id: the ISIN, or "BASE/QUOTE" for an FX pair. */
export function feedLabel(feedId: string): string {
  const bytes = getBytes(feedId);
  if (bytes[6] === 0) return `${toUtf8String(bytes.slice(0, 3))}/${toUtf8String(bytes.slice(3, 6))}`;
  return toUtf8String(bytes);
}

/** Parses a positive decimal string into 18-decimal fixed point; undefined when not a positive decimal. */
export function parsePrice(text: string): bigint | undefined {
  const s = text.trim();
  if (!DECIMAL.test(s)) return undefined;
  const [, frac = ""] = s.split(".");
  if (frac.length > 18) return undefined;
  const v = parseUnits(s, 18);
  return v > 0n ? v : undefined;
}

/** 18-decimal value as a decimal string with trailing zeros trimmed. */
export function formatPrice(value: bigint, maxDecimals = 6): string {
  const s = formatUnits(value, 18);
  const [i, f = ""] = s.split(".");
  const frac = f.slice(0, maxDecimals).replace(/0+$/, "");
  return frac ? `${i}.${frac}` : i;
}

/** Parses a ratio "0.15" or a percentage "15%" into WAD. */
export function parseWad(text: string): bigint {
  const s = String(text).trim();
  const pct = s.endsWith("%");
  const num = pct ? s.slice(0, -1) : s;
  if (!DECIMAL.test(num)) throw new Error(`"${text}" is not a ratio (e.g. 0.15 or 15%)`);
  const v = parseUnits(num, 18);
  return pct ? v / 100n : v;
}

/** Weekend mask from ISO weekdays (1 = Monday … 7 = Sunday). */
export function weekendMask(weekdays: number[]): number {
  let m = 0;
  for (const d of weekdays) {
    if (!Number.isInteger(d) || d < 1 || d > 7) throw new Error(`weekend day ${d} is not an ISO weekday 1..7`);
    m |= 1 << (d - 1);
  }
  return m;
}

export function weekdaysOfMask(mask: number): number[] {
  return [1, 2, 3, 4, 5, 6, 7].filter((d) => (mask >> (d - 1)) & 1);
}
