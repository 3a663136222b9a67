/**
 * Numeric evaluation of a MathJSON expression (as produced by the compute engine's parser) in
 * double-precision complex arithmetic, with free symbols bound to given values. Used to test
 * equivalence at random points. Simplifications: principal branches for roots, logarithms and
 * non-integer powers; factorial only for integers up to 170; unknown functions are errors.
 * Evaluation is a bounded tree walk over a size-limited tree: it cannot loop or allocate big
 * numbers.
 */

export interface Complex {
  re: number;
  im: number;
}

const c = (re: number, im = 0): Complex => ({ re, im });
const add = (a: Complex, b: Complex): Complex => c(a.re + b.re, a.im + b.im);
const mul = (a: Complex, b: Complex): Complex => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
const div = (a: Complex, b: Complex): Complex => {
  const d = b.re * b.re + b.im * b.im;
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
};
const expC = (a: Complex): Complex => {
  const m = Math.exp(a.re);
  return a.im === 0 ? c(m) : c(m * Math.cos(a.im), m * Math.sin(a.im));
};
const logC = (a: Complex): Complex => c(Math.log(Math.hypot(a.re, a.im)), Math.atan2(a.im, a.re));
const isReal = (a: Complex): boolean => a.im === 0;

/** Complex power: exact real powers where defined, repeated multiplication for small integer exponents, else the principal branch. */
function powC(a: Complex, b: Complex): Complex {
  if (isReal(a) && isReal(b)) {
    if (a.re >= 0 || Number.isInteger(b.re)) return c(Math.pow(a.re, b.re));
  }
  if (a.re === 0 && a.im === 0) return c(b.re > 0 ? 0 : Infinity);
  if (isReal(b) && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let r = c(1);
    for (let k = 0; k < Math.abs(b.re); k++) r = mul(r, a);
    return b.re < 0 ? div(c(1), r) : r;
  }
  return expC(mul(b, logC(a)));
}

const sinC = (a: Complex): Complex => c(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im));
const cosC = (a: Complex): Complex => c(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im));

/** Lifts a real function, rejecting complex arguments. */
function realOnly(name: string, f: (x: number) => number): (a: Complex) => Complex {
  return (a) => {
    if (!isReal(a)) throw new Error(`${name} of a complex number is not supported`);
    return c(f(a.re));
  };
}

/** n! for integers 0..170 (Infinity above); throws otherwise. */
function factorial(a: Complex): Complex {
  if (!isReal(a) || !Number.isInteger(a.re) || a.re < 0) throw new Error("factorial needs a non-negative integer");
  if (a.re > 170) return c(Infinity);
  let r = 1;
  for (let k = 2; k <= a.re; k++) r *= k;
  return c(r);
}

const UNARY: Record<string, (a: Complex) => Complex> = {
  Negate: (a) => c(-a.re, -a.im),
  Sqrt: (a) => powC(a, c(0.5)),
  Exp: expC,
  Ln: logC,
  Abs: (a) => c(Math.hypot(a.re, a.im)),
  Sin: sinC,
  Cos: cosC,
  Tan: (a) => div(sinC(a), cosC(a)),
  Sec: (a) => div(c(1), cosC(a)),
  Csc: (a) => div(c(1), sinC(a)),
  Cot: (a) => div(cosC(a), sinC(a)),
  Arcsin: realOnly("arcsin", Math.asin),
  Arccos: realOnly("arccos", Math.acos),
  Arctan: realOnly("arctan", Math.atan),
  Sinh: realOnly("sinh", Math.sinh),
  Cosh: realOnly("cosh", Math.cosh),
  Tanh: realOnly("tanh", Math.tanh),
  Square: (a) => mul(a, a),
  Factorial: factorial,
  Delimiter: (a) => a,
  Degrees: (a) => mul(a, c(Math.PI / 180)),
  Floor: realOnly("floor", Math.floor),
  Ceil: realOnly("ceil", Math.ceil),
};

const CONSTANTS: Record<string, Complex> = {
  Pi: c(Math.PI),
  ExponentialE: c(Math.E),
  ImaginaryUnit: c(0, 1),
  PositiveInfinity: c(Infinity),
  NegativeInfinity: c(-Infinity),
  Half: c(0.5),
};

/** Symbols the evaluator treats as constants rather than free variables. */
function isConstantSymbol(name: string): boolean {
  return name in CONSTANTS;
}

export type MathJson = number | string | { num: string } | MathJson[];

/** Free symbols of a MathJSON tree (function heads excluded). */
export function freeSymbols(e: MathJson, out: Set<string> = new Set()): Set<string> {
  if (typeof e === "string") {
    if (!isConstantSymbol(e) && !e.startsWith("'")) out.add(e);
  } else if (Array.isArray(e)) {
    for (let i = 1; i < e.length; i++) freeSymbols(e[i]!, out);
  }
  return out;
}

/** Evaluates `e` with `env` bound; throws on anything unsupported. */
export function evaluate(e: MathJson, env: Record<string, Complex>): Complex {
  if (typeof e === "number") return c(e);
  if (typeof e === "string") {
    const k = CONSTANTS[e] ?? env[e];
    if (!k) throw new Error(`unbound symbol ${e}`);
    return k;
  }
  if (!Array.isArray(e)) return c(Number(e.num));
  const [head, ...args] = e;
  if (typeof head !== "string") throw new Error("unsupported expression head");
  const ev = (x: MathJson): Complex => evaluate(x, env);
  switch (head) {
    case "Add":
      return args.map(ev).reduce(add, c(0));
    case "Subtract":
      return args.length === 1 ? UNARY.Negate!(ev(args[0]!)) : add(ev(args[0]!), UNARY.Negate!(ev(args[1]!)));
    case "Multiply":
    case "InvisibleOperator":
      return args.map(ev).reduce(mul, c(1));
    case "Divide":
      return div(ev(args[0]!), ev(args[1]!));
    case "Rational":
      return args.length === 2 ? div(ev(args[0]!), ev(args[1]!)) : ev(args[0]!);
    case "Complex":
      return c(Number(args[0]), Number(args[1] ?? 0));
    case "Power":
      return powC(ev(args[0]!), ev(args[1]!));
    case "Root":
      return powC(ev(args[0]!), div(c(1), ev(args[1]!)));
    case "Log": {
      const x = logC(ev(args[0]!));
      return div(x, logC(args.length > 1 ? ev(args[1]!) : c(10)));
    }
    case "Lb":
      return div(logC(ev(args[0]!)), c(Math.LN2));
    case "Lg":
      return div(logC(ev(args[0]!)), c(Math.LN10));
    default: {
      const f = UNARY[head];
      if (!f || args.length !== 1) throw new Error(`unsupported function ${head}`);
      return f(ev(args[0]!));
    }
  }
}
