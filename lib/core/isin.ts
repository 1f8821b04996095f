/**
 * ISIN (ISO 6166) helpers: 2-letter country, 9 alphanumerics, 1 Luhn check digit computed over the
 * letters expanded to numbers (A = 10 … Z = 35). On chain an ISIN is `bytes12` (ASCII).
 */
import { hexlify, toUtf8Bytes, toUtf8String } from "ethers";

const SHAPE = /^[A-Z]{2}[A-Z0-9]{9}[0-9]$/;

/** The check digit of the first 11 characters of an ISIN. */
export function isinCheckDigit(first11: string): number {
  const digits = first11
    .toUpperCase()
    .split("")
    .map((c) => (c >= "A" && c <= "Z" ? String(c.charCodeAt(0) - 55) : c))
    .join("");
  let sum = 0;
  // Luhn from the rightmost digit, doubling every second digit starting with the rightmost.
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Why an ISIN is invalid, or undefined when it is valid. */
export function isinProblem(isin: string): string | undefined {
  if (!SHAPE.test(isin)) return `"${isin}" is not 2 letters, 9 letters or digits and a check digit`;
  const expected = isinCheckDigit(isin.slice(0, 11));
  if (Number(isin[11]) !== expected) return `"${isin}" has check digit ${isin[11]}, expected ${expected}`;
  return undefined;
}

export function isValidIsin(isin: string): boolean {
  return isinProblem(isin) === undefined;
}

/** ISIN → bytes12 hex; throws with the reason when invalid. */
export function isinToBytes12(isin: string): string {
  const problem = isinProblem(isin);
  if (problem) throw new Error(`invalid ISIN: ${problem}`);
  return hexlify(toUtf8Bytes(isin));
}

export function bytes12ToIsin(hex: string): string {
  return toUtf8String(hex);
}
