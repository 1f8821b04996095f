/**
 * Exact rational numbers over bigint, always reduced, denominator positive. The reference calculator computes
 * every money-math output as one of these and only then rounds to on-chain units, in a named direction.
 */

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export type Rounding = "down" | "up";

export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new RangeError("rational with a zero denominator");
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num, den);
    this.num = g > 1n ? num / g : num;
    this.den = g > 1n ? den / g : den;
  }

  static of(value: bigint | number | string | Rational): Rational {
    if (value instanceof Rational) return value;
    if (typeof value === "bigint") return new Rational(value);
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
      return new Rational(BigInt(value));
    }
    return Rational.parse(value);
  }

  /** Parses `"num/den"`, a decimal (`"-12.345"`) or an integer string. */
  static parse(text: string): Rational {
    const s = text.trim();
    const frac = /^(-?\d+)\s*\/\s*(\d+)$/.exec(s);
    if (frac) return new Rational(BigInt(frac[1]), BigInt(frac[2]));
    const dec = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
    if (!dec) throw new RangeError(`not a decimal or "num/den" rational: "${text}"`);
    const digits = dec[3] ?? "";
    const n = BigInt(dec[2] + digits) * (dec[1] === "-" ? -1n : 1n);
    return new Rational(n, 10n ** BigInt(digits.length));
  }

  add(o: Rational | bigint): Rational {
    const r = Rational.of(o);
    return new Rational(this.num * r.den + r.num * this.den, this.den * r.den);
  }

  sub(o: Rational | bigint): Rational {
    const r = Rational.of(o);
    return new Rational(this.num * r.den - r.num * this.den, this.den * r.den);
  }

  mul(o: Rational | bigint): Rational {
    const r = Rational.of(o);
    return new Rational(this.num * r.num, this.den * r.den);
  }

  div(o: Rational | bigint): Rational {
    const r = Rational.of(o);
    if (r.num === 0n) throw new RangeError("division by zero");
    return new Rational(this.num * r.den, this.den * r.num);
  }

  neg(): Rational {
    return new Rational(-this.num, this.den);
  }

  cmp(o: Rational | bigint): number {
    const r = Rational.of(o);
    const l = this.num * r.den;
    const x = r.num * this.den;
    return l < x ? -1 : l > x ? 1 : 0;
  }

  eq(o: Rational | bigint): boolean {
    return this.cmp(o) === 0;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }

  ceil(): bigint {
    const q = this.num / this.den;
    return this.num > 0n && q * this.den !== this.num ? q + 1n : q;
  }

  round(direction: Rounding): bigint {
    return direction === "up" ? this.ceil() : this.floor();
  }

  /** The value scaled by 10^decimals and rounded: on-chain units of a fixed-point number. */
  toUnits(decimals: number, direction: Rounding): bigint {
    return this.mul(10n ** BigInt(decimals)).round(direction);
  }

  /** `"num/den"`, or `"num"` for integers. */
  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }

  /** Decimal text with `digits` places, rounded half away from zero (for display only). */
  toDecimal(digits = 6): string {
    const scale = 10n ** BigInt(digits);
    const abs = this.num < 0n ? -this.num : this.num;
    const scaled = (abs * scale * 2n + this.den) / (this.den * 2n);
    const int = scaled / scale;
    const frac = (scaled % scale).toString().padStart(digits, "0");
    return `${this.num < 0n ? "-" : ""}${int}${digits > 0 ? "." + frac : ""}`;
  }
}

export const ZERO = new Rational(0n);
export const ONE = new Rational(1n);

/** Shorthand: `q(3n, 4n)`, `q("1.25")`, `q("5/8")`. */
export function q(value: bigint | number | string | Rational, den?: bigint): Rational {
  return den === undefined ? Rational.of(value) : new Rational(BigInt(value as bigint), den);
}

/** Fixed-point decimal string (e.g. `"101.25"`) to integer units with `decimals` places; throws if inexact. */
export function decimalToUnits(text: string, decimals: number): bigint {
  const r = Rational.parse(text).mul(10n ** BigInt(decimals));
  if (r.den !== 1n) throw new RangeError(`"${text}" has more than ${decimals} decimals`);
  return r.num;
}

/** floor(x * y / d) on bigints (the twin of FixedPointMath.mulDivDown). */
export function mulDivDown(x: bigint, y: bigint, d: bigint): bigint {
  return new Rational(x * y, d).floor();
}

/** ceil(x * y / d) on bigints (the twin of FixedPointMath.mulDivUp). */
export function mulDivUp(x: bigint, y: bigint, d: bigint): bigint {
  return new Rational(x * y, d).ceil();
}

export const WAD = 10n ** 18n;
