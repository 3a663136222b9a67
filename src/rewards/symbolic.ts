/**
 * Symbolic comparison with a real CAS: LaTeX is parsed by `@cortex-js/compute-engine`;
 * two expressions are equal when their canonical forms coincide, or else when they agree at
 * several pseudo-random points (complex double arithmetic, see evaluate.ts). Also tests
 * whether two expressions are proportional (for equations and inequalities). Simplifications:
 * no simplification beyond the engine's canonical form; inputs with large exponents,
 * factorials or long length skip canonicalisation (which could compute huge integers) and
 * are compared numerically only. Model output is parsed, never executed.
 */
import { ComputeEngine } from "@cortex-js/compute-engine";
import { evaluate, freeSymbols, type Complex, type MathJson } from "./evaluate.ts";

let engine: ComputeEngine | null = null;
function ce(): ComputeEngine {
  engine ??= new ComputeEngine();
  return engine;
}

/** Longest LaTeX the CAS is asked to parse. */
export const MAX_CAS_CHARS = 2000;

/** Rewrites constructs the engine parses differently from mathematical usage. */
export function prepareLatex(latex: string): string {
  return latex
    .replace(/(?<![\\a-zA-Z])([a-zA-Z])_(?:\{([a-zA-Z0-9]{1,8})\}|([a-zA-Z0-9]))/g, (_m, v: string, a?: string, b?: string) => `\\mathrm{${v}_${a ?? b}}`)
    .replace(/\\operatorname\{(sec|csc|cot|arcsin|arccos|arctan|sinh|cosh|tanh)\}/g, "\\$1")
    .replace(/(\d)\s*\\cdot\s*10\s*\^/g, "$1\\times10^")
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

/** Deterministic sample points for the free symbols, away from 0 and 1. */
function samplePoints(symbols: string[], count: number): Record<string, Complex>[] {
  const pts: Record<string, Complex>[] = [];
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let k = 0; k < count; k++) {
    const env: Record<string, Complex> = {};
    // Half the points in (0.3, 2.5), half in (2.5, 12): small and larger magnitudes.
    for (const s of symbols) env[s] = { re: k % 2 === 0 ? 0.3 + 2.2 * rand() : 2.5 + 9.5 * rand(), im: 0 };
    pts.push(env);
  }
  return pts;
}

function safeEval(e: MathJson, env: Record<string, Complex>): Complex | null {
  try {
    const v = evaluate(e, env);
    return Number.isFinite(v.re) && Number.isFinite(v.im) ? v : null;
  } catch {
    return null;
  }
}

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

/**
 * Compares two parsed expressions: canonical-form equality, else agreement at random points
 * (at least 3 points where both sides are finite).
 */
export function compareParsed(a: Parsed, b: Parsed, relTol: number): SymbolicVerdict {
  if (a.canonical && b.canonical && JSON.stringify(a.json) === JSON.stringify(b.json)) return "equal";
  const symbols = [...new Set([...freeSymbols(a.json), ...freeSymbols(b.json)])].sort();
  if (symbols.length > 12) return "unknown";
  let checked = 0;
  for (const env of samplePoints(symbols, symbols.length === 0 ? 1 : 6)) {
    const va = safeEval(a.json, env);
    const vb = safeEval(b.json, env);
    if (!va || !vb) continue;
    if (!complexClose(va, vb, relTol)) return "different";
    checked++;
  }
  return checked >= (symbols.length === 0 ? 1 : 3) ? "equal" : "unknown";
}

/**
 * Whether `a = k·b` for a constant k (same at every sample point); `positive` also requires
 * k > 0 (inequalities keep their direction).
 */
export function proportional(a: Parsed, b: Parsed, positive: boolean, relTol: number): boolean {
  const symbols = [...new Set([...freeSymbols(a.json), ...freeSymbols(b.json)])].sort();
  if (symbols.length > 12) return false;
  let ratio: Complex | null = null;
  let checked = 0;
  for (const env of samplePoints(symbols, 7)) {
    const va = safeEval(a.json, env);
    const vb = safeEval(b.json, env);
    if (!va || !vb) continue;
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
