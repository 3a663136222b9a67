/**
 * Equivalence of two final answers (already extracted): normalisation, then structural
 * comparison (lists, tuples, intervals, sets, unions, relations, matrices), with atoms
 * compared as text, as exact numbers (with percent and rounded-decimal allowances) or
 * symbolically through the CAS. Simplifications: relations are equal when their sides match
 * or when (lhs − rhs) are proportional (positively for inequalities); `name = value` is read
 * as `value` when compared to a non-relation; chained equalities keep their last member.
 */
import { compact, normalizeAnswer } from "./normalize.ts";
import { closeEnough, isRoundedApproximation, parseNumber, rational, rationalsEqual, toNumber, type Rational } from "./numbers.ts";
import { isNameLike, parseStructure, type Node, type RelOp } from "./structures.ts";
import { compareParsed, constantValue, parseLatex, proportional } from "./symbolic.ts";

/** Options of the math comparison. */
export interface EquivalenceOptions {
  /** Relative tolerance for numbers not equal exactly. */
  relTol: number;
  /** Bare comma lists compare as multisets (`unordered`) or in order. */
  listOrder: "unordered" | "ordered";
  /** Minimum significant digits for a decimal to count as a rounding of an irrational value; 0 disables. */
  approxMinDigits: number;
}

export const DEFAULT_EQUIVALENCE: EquivalenceOptions = { relTol: 1e-6, listOrder: "unordered", approxMinDigits: 3 };

/** Compares two extracted answers; `gold` is the reference. */
export function answersEqual(gold: string, pred: string, opts: EquivalenceOptions = DEFAULT_EQUIVALENCE): boolean {
  const g = normalizeAnswer(gold);
  const p = normalizeAnswer(pred);
  if (g.length === 0 || p.length === 0) return false;
  if (compact(g) === compact(p)) return true;
  return nodesEqual(parseStructure(g), parseStructure(p), opts, 0);
}

function src(n: Node): string {
  return n.kind === "atom" ? n.text : n.src;
}

/** The value a relation stands for when compared to a non-relation, or null. */
function relationValue(n: Extract<Node, { kind: "rel" }>): Node | null {
  if (!n.ops.every((o) => o === "=")) return null;
  if (n.parts.length > 2 || isNameLike(n.parts[0]!)) return parseStructure(n.parts[n.parts.length - 1]!);
  return null;
}

/** `a < x < b` (or with ≤) as an interval node, when the middle is a name. */
function chainAsInterval(n: Extract<Node, { kind: "rel" }>): Node | null {
  if (n.parts.length !== 3 || !isNameLike(n.parts[1]!)) return null;
  const [o1, o2] = n.ops;
  const lower = (o: RelOp): boolean => o === "<" || o === "\\le";
  const upper = (o: RelOp): boolean => o === ">" || o === "\\ge";
  if (lower(o1!) && lower(o2!)) {
    return { kind: "seq", open: o1 === "<" ? "(" : "[", close: o2 === "<" ? ")" : "]", src: n.src, items: [parseStructure(n.parts[0]!), parseStructure(n.parts[2]!)] };
  }
  if (upper(o1!) && upper(o2!)) {
    return { kind: "seq", open: o2 === ">" ? "(" : "[", close: o1 === ">" ? ")" : "]", src: n.src, items: [parseStructure(n.parts[2]!), parseStructure(n.parts[0]!)] };
  }
  return null;
}

function nodesEqual(a: Node, b: Node, opts: EquivalenceOptions, depth: number): boolean {
  if (depth > 16) return false;
  if (compact(src(a)) === compact(src(b))) return true;
  const rec = (x: Node, y: Node): boolean => nodesEqual(x, y, opts, depth + 1);

  if (a.kind === "rel" && b.kind === "rel") return relationsEqual(a, b, opts);
  if (a.kind === "rel" || b.kind === "rel") {
    const [r, other] = a.kind === "rel" ? [a, b] : [b as Extract<Node, { kind: "rel" }>, a];
    const v = relationValue(r as Extract<Node, { kind: "rel" }>) ?? chainAsInterval(r as Extract<Node, { kind: "rel" }>);
    if (!v) return false;
    return a.kind === "rel" ? rec(v, other) : rec(other, v);
  }
  if (a.kind === "atom" && b.kind === "atom") return atomsEqual(a.text, b.text, opts);

  if (a.kind === "seq" && b.kind === "seq") return seqsEqual(a, b, opts, rec);
  if (a.kind === "union" && b.kind === "union") return setEqual(a.items, b.items, rec);
  if (a.kind === "matrix" && b.kind === "matrix") {
    return a.rows.length === b.rows.length && a.rows.every((row, i) => row.length === b.rows[i]!.length && row.every((cell, j) => rec(cell, b.rows[i]![j]!)));
  }
  const asVector = (m: Node): Node[] | null => {
    if (m.kind !== "matrix") return null;
    if (m.rows.every((r) => r.length === 1)) return m.rows.map((r) => r[0]!);
    if (m.rows.length === 1) return m.rows[0]!;
    return null;
  };
  const va = asVector(a);
  const vb = asVector(b);
  if (va && b.kind === "seq" && b.open !== "{") return va.length === b.items.length && va.every((x, i) => rec(x, b.items[i]!));
  if (vb && a.kind === "seq" && a.open !== "{") return vb.length === a.items.length && vb.every((x, i) => rec(a.items[i]!, x));
  if (a.kind === "seq" && a.items.length === 1 && b.kind !== "seq") return rec(a.items[0]!, b);
  if (b.kind === "seq" && b.items.length === 1 && a.kind !== "seq") return rec(a, b.items[0]!);
  if (a.kind === "union" && a.items.length === 1) return rec(a.items[0]!, b);
  if (b.kind === "union" && b.items.length === 1) return rec(a, b.items[0]!);
  return false;
}

function seqsEqual(
  a: Extract<Node, { kind: "seq" }>,
  b: Extract<Node, { kind: "seq" }>,
  opts: EquivalenceOptions,
  rec: (x: Node, y: Node) => boolean,
): boolean {
  const unordered = (s: typeof a): boolean => s.open === "{" || (s.open === "" && opts.listOrder === "unordered");
  if (unordered(a) && unordered(b)) return setEqual(a.items, b.items, rec);
  if (a.items.length !== b.items.length) return false;
  const bracketsOk = a.open === "" || b.open === "" || a.open === "{" || b.open === "{" || (a.open === b.open && a.close === b.close);
  if (!bracketsOk) return false;
  if ((a.open === "{") !== (b.open === "{") && (a.open === "{" || b.open === "{")) return setEqual(a.items, b.items, rec);
  return a.items.every((x, i) => rec(x, b.items[i]!));
}

/** Set equality under `eq`: every item of each side equals some item of the other (repeats collapse). */
function setEqual(a: Node[], b: Node[], eq: (x: Node, y: Node) => boolean): boolean {
  return a.every((x) => b.some((y) => eq(x, y))) && b.every((y) => a.some((x) => eq(x, y)));
}

const FLIP: Record<RelOp, RelOp> = { "=": "=", "\\ne": "\\ne", "<": ">", ">": "<", "\\le": "\\ge", "\\ge": "\\le" };

/** Canonical single relation: op in {=, ≠, <, ≤} with sides swapped as needed. */
function canonicalRelation(op: RelOp, l: string, r: string): [RelOp, string, string] {
  return op === ">" || op === "\\ge" ? [FLIP[op], r, l] : [op, l, r];
}

function relationsEqual(a: Extract<Node, { kind: "rel" }>, b: Extract<Node, { kind: "rel" }>, opts: EquivalenceOptions): boolean {
  if (a.parts.length > 2 || b.parts.length > 2) {
    if (a.ops.every((o) => o === "=") && b.ops.every((o) => o === "=")) {
      return atomsOrStructEqual(a.parts[a.parts.length - 1]!, b.parts[b.parts.length - 1]!, opts);
    }
    if (a.parts.length !== b.parts.length) return false;
    return a.ops.every((o, i) => o === b.ops[i]) && a.parts.every((p, i) => atomsOrStructEqual(p, b.parts[i]!, opts));
  }
  if (a.ops[0] === "=" && b.ops[0] === "=" && isNameLike(a.parts[0]!) && isNameLike(b.parts[0]!) && atomsOrStructEqual(a.parts[1]!, b.parts[1]!, opts)) return true;
  const [oa, la, ra] = canonicalRelation(a.ops[0]!, a.parts[0]!, a.parts[1]!);
  const [ob, lb, rb] = canonicalRelation(b.ops[0]!, b.parts[0]!, b.parts[1]!);
  if (oa !== ob) return false;
  if (atomsOrStructEqual(la, lb, opts) && atomsOrStructEqual(ra, rb, opts)) return true;
  if ((oa === "=" || oa === "\\ne") && atomsOrStructEqual(la, rb, opts) && atomsOrStructEqual(ra, lb, opts)) return true;
  const ea = parseLatex(`(${la})-(${ra})`);
  const eb = parseLatex(`(${lb})-(${rb})`);
  if (!ea || !eb) return false;
  return proportional(ea, eb, oa !== "=" && oa !== "\\ne", opts.relTol);
}

function atomsOrStructEqual(x: string, y: string, opts: EquivalenceOptions): boolean {
  return nodesEqual(parseStructure(x), parseStructure(y), opts, 1);
}


/** Values an atom may stand for: itself, and value/100 when written with `%`. */
function percentVariants(text: string): { body: string; percent: boolean } {
  return text.endsWith("%") ? { body: text.slice(0, -1).trim(), percent: true } : { body: text, percent: false };
}

/** Compares two atoms: text, numbers, then the CAS. */
export function atomsEqual(x: string, y: string, opts: EquivalenceOptions): boolean {
  const cx = compact(x);
  const cy = compact(y);
  if (cx === cy) return true;
  if (!/\d/.test(cx + cy) && cx.toLowerCase() === cy.toLowerCase() && !/[\\^_]/.test(cx + cy)) return true;
  if (isPlainText(cx) || isPlainText(cy)) return false;
  if (/:/.test(cx + cy)) return false;

  const px = percentVariants(x);
  const py = percentVariants(y);
  const scales = (p: { percent: boolean }): number[] => (p.percent ? [1, 0.01] : [1]);
  const nx = parseNumber(px.body);
  const ny = parseNumber(py.body);
  for (const sx of scales(px)) {
    for (const sy of scales(py)) {
      if (nx && ny) {
        const a = scaleRational(nx.value, sx);
        const b = scaleRational(ny.value, sy);
        if (rationalsEqual(a, b)) return true;
        // Literals are exact; a tolerance applies only to long decimals (printed floats).
        if (Math.max(nx.significant, ny.significant) >= 12 && closeEnough(toNumber(a), toNumber(b), opts.relTol)) return true;
        if (opts.approxMinDigits > 0 && sx === 1 && sy === 1 && !isTerminating(a) && isRoundedApproximation(toNumber(a), ny, opts.approxMinDigits)) return true;
        if (opts.approxMinDigits > 0 && sx === 1 && sy === 1 && !isTerminating(b) && isRoundedApproximation(toNumber(b), nx, opts.approxMinDigits)) return true;
        continue;
      }
      if (symbolicEqual(px.body, py.body, sx / sy, nx, ny, opts)) return true;
    }
  }
  return false;
}

function scaleRational(r: Rational, s: number): Rational {
  return s === 1 ? r : rational(r.num, r.den * 100n);
}

/** Whether a rational has a finite decimal expansion. */
function isTerminating(r: Rational): boolean {
  let d = r.den;
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}

/** Words of two or more letters that are not LaTeX commands nor known function names. */
function isPlainText(s: string): boolean {
  const words = s.replace(/\\[a-zA-Z]+/g, " ").match(/[a-zA-Z]{2,}/g) ?? [];
  return words.some((w) => !/^(sin|cos|tan|sec|csc|cot|log|ln|exp|arcsin|arccos|arctan|sinh|cosh|tanh|pi|sqrt|mathrm|frac|lcm|gcd|mod|min|max|inf|infty)$/i.test(w) && w.length >= 4);
}

function symbolicEqual(
  x: string,
  y: string,
  scale: number,
  nx: ReturnType<typeof parseNumber>,
  ny: ReturnType<typeof parseNumber>,
  opts: EquivalenceOptions,
): boolean {
  const a = parseLatex(scale === 1 ? x : `(${x})\\cdot ${scale}`);
  const b = parseLatex(y);
  if (!a || !b) return false;
  const verdict = compareParsed(a, b, opts.relTol);
  if (verdict === "equal") return true;
  if (opts.approxMinDigits > 0) {
    const va = constantValue(a);
    const vb = constantValue(b);
    if (va && vb && va.im === 0 && vb.im === 0) {
      if (ny && !nx && isRoundedApproximation(va.re, ny, opts.approxMinDigits)) return true;
      if (nx && !ny && isRoundedApproximation(vb.re, nx, opts.approxMinDigits)) return true;
    }
  }
  return false;
}
