/**
 * Symbolic comparison with a real CAS: LaTeX is parsed by `@cortex-js/compute-engine`;
 * two expressions are equal when their canonical forms coincide, or else when they agree at
 * several pseudo-random points (complex double arithmetic, see evaluate.ts). Also tests
 * whether two expressions are proportional (for equations and inequalities). Constants that
 * agree in doubles are also compared exactly when both are rational (exact.ts). Simplifications:
 * no simplification beyond the engine's canonical form; inputs with large exponents,
 * factorials or long length skip canonicalisation (which could compute huge integers) and
 * are compared numerically only. Model output is parsed, never executed.
 */
import { ComputeEngine } from "@cortex-js/compute-engine";
import { evaluate, freeSymbols, type Complex, type MathJson } from "./evaluate.ts";
import { exactRational } from "./exact.ts";
import { rationalsEqual } from "./numbers.ts";

let engine: ComputeEngine | null = null;
/** The shared compute engine, created on first use. */
function ce(): ComputeEngine {
  engine ??= new ComputeEngine();
  return engine;
}

/** Longest LaTeX the CAS is asked to parse. */
const MAX_CAS_CHARS = 2000;

/** `\binom{n}{k}` (which the engine does not parse) as `\frac{n!}{k!(n-k)!}`. */
function expandBinomials(latex: string): string {
  return latex.replace(/\\binom\s*\{([^{}]+)\}\s*\{([^{}]+)\}/g, (_m, n: string, k: string) => `\\frac{(${n})!}{(${k})!((${n})-(${k}))!}`);
}

/** Rewrites constructs the engine parses differently from mathematical usage. */
function prepareLatex(latex: string): string {
  return expandBinomials(latex)
    .replace(/(?<![\\a-zA-Z])([a-zA-Z])_(?:\{([a-zA-Z0-9]{1,8})\}|([a-zA-Z0-9]))/g, (_m, v: string, a?: string, b?: string) => `\\mathrm{${v}_${a ?? b}}`)
    .replace(/\\operatorname\{(sec|csc|cot|arcsin|arccos|arctan|sinh|cosh|tanh)\}/g, "\\$1")
    // `m \times 10^k` as a product: the engine reads it as one double and chops values below 1e-10 to 0.
    .replace(/(\d)\s*(?:\\cdot|\\times)\s*10\s*\^/g, "$1\\cdot{10}^")
    .replace(/\\div/g, "/");
}

/** Whether canonicalisation could be expensive (huge powers or factorials). */
function risky(latex: string): boolean {
  return latex.length > 400 || /\^\s*\{?[^}]*\d{4,}|\^\s*\{[^}]*\^|\d{3,}\s*!|\\binom/.test(latex);
}

export interface Parsed {
  json: MathJson;
  canonical: boolean;
}

/** Parses LaTeX into MathJSON, or null when the engine reports it invalid. */
export function parseLatex(latex: string): Parsed | null {
  if (latex.length > MAX_CAS_CHARS) return null;
  const engine = ce();
  const canonical = !risky(latex);
  // The engine prints type-system diagnostics for some malformed inputs; an unparsable
  // answer is an ordinary outcome here, so its console output is muted during the parse.
  const saved = { log: console.log, warn: console.warn, error: console.error };
  console.log = console.warn = console.error = () => {};
  engine.pushScope();
  try {
    const expr = engine.parse(prepareLatex(latex), { canonical });
    if (!expr.isValid) return null;
    const json = expr.json as MathJson;
    // The engine turns some subexpressions it cannot type into NaN: treat as unparsable.
    if (JSON.stringify(json).includes('"NaN"')) return null;
    return { json, canonical };
  } catch {
    return null;
  } finally {
    engine.popScope();
    Object.assign(console, saved);
  }
}

/** One sampling range: values drawn uniformly in [lo, hi). */
interface SampleRange {
  lo: number;
  hi: number;
  /** At these points both sides must be real for the point to count (principal branches of roots and logarithms differ legitimately for negative arguments). */
  realOnly: boolean;
}

/**
 * Where free symbols are sampled: small and moderate positive values (most answers assume
 * positive variables), negative values (so `x` differs from `|x|` and `\sqrt{x^2}`), and
 * large values (so `x + \lfloor x/100 \rfloor` differs from `x`).
 */
const RANGES: SampleRange[] = [
  { lo: 0.3, hi: 2.5, realOnly: false },
  { lo: 2.5, hi: 12, realOnly: false },
  { lo: -12, hi: -0.3, realOnly: true },
  { lo: 120, hi: 1500, realOnly: true },
];

interface SamplePoint {
  env: Record<string, Complex>;
  realOnly: boolean;
}

/** Deterministic sample points for the free symbols, cycling through {@link RANGES}. */
function samplePoints(symbols: string[], count: number): SamplePoint[] {
  const pts: SamplePoint[] = [];
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let k = 0; k < count; k++) {
    const range = RANGES[k % RANGES.length]!;
    const env: Record<string, Complex> = {};
    for (const s of symbols) env[s] = { re: range.lo + (range.hi - range.lo) * rand(), im: 0 };
    pts.push({ env, realOnly: range.realOnly });
  }
  return pts;
}

/** Values of both sides at a point, or null when the point does not count. */
function evalBoth(a: Parsed, b: Parsed, p: SamplePoint): [Complex, Complex] | null {
  const va = safeEval(a.json, p.env);
  const vb = safeEval(b.json, p.env);
  if (!va || !vb) return null;
  if (p.realOnly && (Math.abs(va.im) > 1e-12 * Math.max(1, Math.abs(va.re)) || Math.abs(vb.im) > 1e-12 * Math.max(1, Math.abs(vb.re)))) return null;
  return [va, vb];
}

/** Sorted free symbols of both sides, or null when `candidate` uses a symbol `reference` does not have. */
function sharedSymbols(reference: Parsed, candidate: Parsed): string[] | null {
  const ref = freeSymbols(reference.json);
  const cand = freeSymbols(candidate.json);
  for (const s of cand) if (!ref.has(s)) return null;
  return [...ref].sort();
}

/** Value of `e` at `env`, or null when evaluation fails or is not finite. */
function safeEval(e: MathJson, env: Record<string, Complex>): Complex | null {
  try {
    const v = evaluate(e, env);
    return Number.isFinite(v.re) && Number.isFinite(v.im) ? v : null;
  } catch {
    return null;
  }
}

/** Relative closeness of two complex values (absolute below 1e-10, for results that cancel to 0). */
function complexClose(a: Complex, b: Complex, relTol: number): boolean {
  const d = Math.hypot(a.re - b.re, a.im - b.im);
  const scale = Math.max(Math.hypot(a.re, a.im), Math.hypot(b.re, b.im));
  return d <= relTol * scale || d < 1e-10;
}

export type SymbolicVerdict = "equal" | "different" | "unknown";

/** Numeric value of a constant expression (no free symbols), or null. */
export function constantValue(p: Parsed): Complex | null {
  if (freeSymbols(p.json).size > 0) return null;
  return safeEval(p.json, {});
}

/** Sample points tried per comparison; at least {@link MIN_POINTS} must count. */
const POINTS = 12;
const MIN_POINTS = 4;

/**
 * Compares a reference and a candidate expression: canonical-form equality, else agreement
 * at sample points (at least {@link MIN_POINTS} where both sides are finite). A candidate
 * using a free symbol the reference does not have is different: a constant reference cannot
 * be matched by an expression that only looks constant over the sampled range.
 */
export function compareParsed(reference: Parsed, candidate: Parsed, relTol: number): SymbolicVerdict {
  if (reference.canonical && candidate.canonical && JSON.stringify(reference.json) === JSON.stringify(candidate.json)) return "equal";
  const symbols = sharedSymbols(reference, candidate);
  if (symbols === null) return "different";
  if (symbols.length > 12) return "unknown";
  let checked = 0;
  for (const p of samplePoints(symbols, symbols.length === 0 ? 1 : POINTS)) {
    const v = evalBoth(reference, candidate, p);
    if (!v) continue;
    if (!complexClose(v[0], v[1], relTol)) return "different";
    checked++;
  }
  if (symbols.length === 0 && checked === 1) return exactlyDifferent(reference, candidate) ? "different" : "equal";
  return checked >= MIN_POINTS ? "equal" : "unknown";
}

/** Whether two constants that agree in double precision are distinct rationals (`2` and `2 + 10^{-20}`). */
function exactlyDifferent(a: Parsed, b: Parsed): boolean {
  const ea = exactRational(a.json);
  const eb = exactRational(b.json);
  return ea !== null && eb !== null && !rationalsEqual(ea, eb);
}

/**
 * Whether `reference = k·candidate` for a constant k (same at every sample point); `positive`
 * also requires k > 0 (inequalities keep their direction). Free symbols as in compareParsed.
 */
export function proportional(reference: Parsed, candidate: Parsed, positive: boolean, relTol: number): boolean {
  const symbols = sharedSymbols(reference, candidate);
  if (symbols === null || symbols.length > 12) return false;
  let ratio: Complex | null = null;
  let checked = 0;
  for (const p of samplePoints(symbols, POINTS)) {
    const v = evalBoth(reference, candidate, p);
    if (!v) continue;
    const [va, vb] = v;
    const na = Math.hypot(va.re, va.im);
    const nb = Math.hypot(vb.re, vb.im);
    if (na < 1e-12 && nb < 1e-12) continue;
    if (na < 1e-12 || nb < 1e-12) return false;
    const d = vb.re * vb.re + vb.im * vb.im;
    const r = { re: (va.re * vb.re + va.im * vb.im) / d, im: (va.im * vb.re - va.re * vb.im) / d };
    if (ratio && !complexClose(ratio, r, relTol)) return false;
    ratio ??= r;
    checked++;
  }
  if (!ratio || checked < 3) return false;
  return !positive || (ratio.re > 0 && Math.abs(ratio.im) < 1e-9);
}
