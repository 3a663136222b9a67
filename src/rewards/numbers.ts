/**
 * Numeric literals: parses integers, decimals, fractions, mixed numbers and scientific
 * notation into exact rationals (bigint numerator/denominator) and compares them, exactly or
 * with a relative tolerance. Simplifications: thousands separators are recognised only in
 * groups of three; a comma followed by other than three digits is a decimal comma; exponents
 * beyond ±{@link MAX_EXACT_EXPONENT} are not expanded (the literal is rejected as too large).
 */

/** An exact rational number; `den` is positive and gcd(num, den) = 1. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** A parsed numeric literal. */
export interface NumberLiteral {
  value: Rational;
  /** Decimal places of the value as written, exponent included (`2.5e-3` has 4; 0 for integers and fractions). */
  decimals: number;
  /** True when written with a decimal point (`1.414`, `2.31 \times 10^{-3}`), the only form an approximation takes. */
  isDecimal: boolean;
  /** Significant digits as written (for decimals). */
  significant: number;
}

/** Exponents beyond this are not expanded into bigints. */
export const MAX_EXACT_EXPONENT = 400;

/** Greatest common divisor of |a| and |b|. */
function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Builds a normalised rational; throws on a zero denominator. */
export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError("rational: zero denominator");
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

/** a + b. */
export function addRationals(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

/** a · b. */
export function mulRationals(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

/** Exact equality (both are normalised). */
export function rationalsEqual(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

/** Converts to a double (finite or ±Infinity for huge values). */
export function toNumber(r: Rational): number {
  const n = Number(r.num);
  const d = Number(r.den);
  if (Number.isFinite(n) && Number.isFinite(d)) return n / d;
  // Scale down huge operands keeping the ratio.
  const shift = BigInt(Math.max(r.num.toString().length, r.den.toString().length) - 300);
  const s = 10n ** (shift > 0n ? shift : 0n);
  return Number(r.num / s) / Number(r.den / s);
}

const POW10 = (e: number): bigint => 10n ** BigInt(e);

/**
 * Parses a plain decimal or integer with optional sign, thousands separators and exponent
 * (`1,234.5`, `1 000`, `.5`, `0,111` as a decimal comma, `1.5e-3`). Returns null otherwise.
 */
export function parseDecimal(text: string): NumberLiteral | null {
  let s = text.trim().replace(/\{,\}/g, ",");
  const m = /^([+-]?)(\d[\d, ]*)?(?:[.](\d*))?(?:[eE]([+-]?\d{1,6}))?$/.exec(s);
  if (!m || (m[2] === undefined && !m[3])) return null;
  const sign = m[1] === "-" ? -1n : 1n;
  let intPart = (m[2] ?? "").trim();
  let frac = m[3] ?? "";
  let hasPoint = m[3] !== undefined;
  if (/[, ]/.test(intPart)) {
    if (/^\d{1,3}(?:,\d{3})+$/.test(intPart) && !/^0,/.test(intPart)) intPart = intPart.replace(/,/g, "");
    else if (/^\d{1,3}(?: \d{3})+$/.test(intPart)) intPart = intPart.replace(/ /g, "");
    else if (!hasPoint && /^\d+,\d+$/.test(intPart)) {
      // Decimal comma: `1000,99`, `0,111`.
      const [a, b] = intPart.split(",");
      intPart = a!;
      frac = b!;
      hasPoint = true;
    } else return null;
  }
  if (intPart === "" && frac === "") return null;
  const exp = m[4] ? Number(m[4]) : 0;
  if (Math.abs(exp) > MAX_EXACT_EXPONENT) return null;
  const digits = (intPart + frac).replace(/^0+/, "");
  let num = BigInt((intPart || "0") + frac) * sign;
  let den = POW10(frac.length);
  if (exp > 0) num *= POW10(exp);
  else if (exp < 0) den *= POW10(-exp);
  return {
    value: rational(num, den),
    decimals: hasPoint ? Math.max(0, frac.length - exp) : 0,
    isDecimal: hasPoint,
    significant: digits.length,
  };
}

/**
 * Parses a numeric literal in any supported form: decimal, `a/b`, `\frac{a}{b}`, `\frac ab`,
 * mixed numbers (`1 1/2`, `1\frac12`), and `m \times 10^{e}`. Returns null if not a literal.
 */
export function parseNumber(text: string): NumberLiteral | null {
  const s = text.trim();
  if (s.length === 0 || s.length > 200) return null;
  const dec = parseDecimal(s);
  if (dec) return dec;
  const sci = /^([+-]?[\d.]+)\s*(?:\\times|\\cdot|\*|×)\s*10\s*\^\s*(?:\{\s*([+-]?\d{1,6})\s*\}|([+-]?\d))$/.exec(s);
  if (sci) {
    const mant = parseDecimal(sci[1]!);
    const e = Number(sci[2] ?? sci[3]);
    if (!mant || Math.abs(e) > MAX_EXACT_EXPONENT) return null;
    const scale = e >= 0 ? rational(POW10(e)) : rational(1n, POW10(-e));
    return { value: mulRationals(mant.value, scale), decimals: Math.max(0, mant.decimals - e), isDecimal: mant.isDecimal, significant: mant.significant };
  }
  const frac = parseFraction(s);
  if (frac) return { value: frac, decimals: 0, isDecimal: false, significant: 0 };
  // Mixed numbers: whole part, then a fraction (`1 1/2`, `2\frac58`, `918\frac{1}{2}`).
  const mixed = /^([+-]?)(\d+)\s*(\\frac.*|\s\d+\s*\/\s*\d+)$/.exec(s);
  if (mixed) {
    const f = parseFraction(mixed[3]!.trim());
    if (f && f.num >= 0n && f.num < f.den) {
      const whole = addRationals(rational(BigInt(mixed[2]!)), f);
      return { value: mixed[1] === "-" ? rational(-whole.num, whole.den) : whole, decimals: 0, isDecimal: false, significant: 0 };
    }
  }
  return null;
}

/** Parses `a/b`, `\frac{a}{b}` or `\frac ab` with integer or decimal parts. */
function parseFraction(s: string): Rational | null {
  let m = /^([+-]?)\\frac\s*(?:\{([^{}]+)\}|(\d))\s*(?:\{([^{}]+)\}|(\d))$/.exec(s);
  let sign = "";
  let a: string | undefined;
  let b: string | undefined;
  if (m) {
    sign = m[1]!;
    a = m[2] ?? m[3];
    b = m[4] ?? m[5];
  } else {
    m = /^([+-]?)\(?([+-]?[\d.,]+)\)?\s*\/\s*\(?([+-]?[\d.,]+)\)?$/.exec(s);
    if (!m) return null;
    sign = m[1]!;
    a = m[2];
    b = m[3];
  }
  const pa = parseDecimal(a!);
  const pb = parseDecimal(b!);
  if (!pa || !pb || pb.value.num === 0n) return null;
  const q = rational(pa.value.num * pb.value.den, pa.value.den * pb.value.num);
  return sign === "-" ? rational(-q.num, q.den) : q;
}

/**
 * Whether `approx`, a decimal written with `decimals` digits after the point and at least
 * `minSignificant` significant digits, is `exact` rounded (to nearest) or truncated (towards
 * zero) to those digits: `3.1416` and `3.1415` stand for π, `3.1417` does not.
 */
export function isRoundedApproximation(exact: number, approx: NumberLiteral, minSignificant: number): boolean {
  if (minSignificant <= 0 || !approx.isDecimal || approx.significant < minSignificant || !Number.isFinite(exact)) return false;
  const a = toNumber(approx.value);
  const unit = 10 ** -approx.decimals;
  const slack = 1e-9 * unit;
  if (Math.abs(exact - a) <= unit / 2 + slack) return true;
  const towardZero = Math.abs(a) <= Math.abs(exact) + slack && Math.sign(a) * Math.sign(exact) >= 0;
  return towardZero && Math.abs(exact) - Math.abs(a) < unit + slack;
}

/**
 * Whether two values are the same up to the noise of printing a double: equal when both are
 * rounded to 15 significant digits (`0.30000000000000004` is `0.3`; `2.00000000001` is not 2).
 */
export function sameAsPrintedDouble(a: Rational, b: Rational): boolean {
  const x = toNumber(a);
  const y = toNumber(b);
  return Number.isFinite(x) && Number.isFinite(y) && Number(x.toPrecision(15)) === Number(y.toPrecision(15));
}
