/**
 * Exact evaluation of constant MathJSON expressions built from rational numbers with + − × ÷
 * and integer powers, in bigint rationals. Double evaluation at sample points cannot tell `2`
 * from `2 + 10^{-20}`; this can, whenever both sides are rational constants. Anything else
 * (roots, constants such as π, functions, symbols) yields null and the caller keeps the
 * numeric verdict. Sizes are bounded: no exponent beyond ±{@link MAX_EXPONENT}, no
 * intermediate with more than {@link MAX_DIGITS} digits.
 */
import type { MathJson } from "./evaluate.ts";
import { addRationals, mulRationals, parseDecimal, rational, type Rational } from "./numbers.ts";

const MAX_EXPONENT = 400;
const MAX_DIGITS = 2000;

/** `r` when its numerator and denominator fit {@link MAX_DIGITS}, else null. */
function bounded(r: Rational): Rational | null {
  const size = (n: bigint): number => (n < 0n ? -n : n).toString().length;
  return size(r.num) > MAX_DIGITS || size(r.den) > MAX_DIGITS ? null : r;
}

/** A numeric literal of the MathJSON (a double or a decimal string) as an exact rational. */
function literal(x: number | string): Rational | null {
  const d = parseDecimal(typeof x === "number" ? (Number.isFinite(x) ? x.toString() : "") : x);
  return d ? d.value : null;
}

/** 1/r, or null for 0. */
function reciprocal(r: Rational): Rational | null {
  return r.num === 0n ? null : rational(r.den, r.num);
}

/** base^exp for an integer exponent within bounds, else null. */
function power(base: Rational, exp: Rational): Rational | null {
  if (exp.den !== 1n || exp.num > BigInt(MAX_EXPONENT) || exp.num < -BigInt(MAX_EXPONENT)) return null;
  const n = exp.num < 0n ? -exp.num : exp.num;
  const raised = bounded(rational(base.num ** n, base.den ** n));
  if (!raised) return null;
  return exp.num < 0n ? reciprocal(raised) : raised;
}

/** The exact value of `e` when it is a rational constant expression, else null. */
export function exactRational(e: MathJson, depth = 0): Rational | null {
  if (depth > 64) return null;
  if (typeof e === "number") return Number.isInteger(e) ? rational(BigInt(e)) : literal(e);
  if (typeof e === "string") return e === "Half" ? rational(1n, 2n) : null;
  if (!Array.isArray(e)) return literal(e.num);
  const [head, ...args] = e;
  const vals = args.map((a) => exactRational(a, depth + 1));
  if (vals.some((v) => v === null)) return null;
  const v = vals as Rational[];
  let out: Rational | null;
  switch (head) {
    case "Add":
      out = v.reduce(addRationals, rational(0n));
      break;
    case "Subtract":
      out = v.length === 1 ? rational(-v[0]!.num, v[0]!.den) : v.length === 2 ? addRationals(v[0]!, rational(-v[1]!.num, v[1]!.den)) : null;
      break;
    case "Negate":
      out = v.length === 1 ? rational(-v[0]!.num, v[0]!.den) : null;
      break;
    case "Multiply":
      out = v.reduce(mulRationals, rational(1n));
      break;
    case "Divide":
    case "Rational": {
      const inv = v.length === 2 ? reciprocal(v[1]!) : null;
      out = inv ? mulRationals(v[0]!, inv) : null;
      break;
    }
    case "Power":
      out = v.length === 2 ? power(v[0]!, v[1]!) : null;
      break;
    case "Square":
      out = v.length === 1 ? mulRationals(v[0]!, v[0]!) : null;
      break;
    case "Delimiter":
      out = v.length === 1 ? v[0]! : null;
      break;
    default:
      out = null;
  }
  return out && bounded(out);
}
