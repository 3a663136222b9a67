/**
 * Equivalence of two final answers (already extracted): normalisation, then structural
 * comparison (lists, tuples, intervals, sets, unions, relations, matrices), with atoms
 * compared as text, as exact numbers (with percent and rounded-decimal allowances) or
 * symbolically through the CAS. The first argument is always the reference: a decimal
 * prediction must be precise enough to stand for an exact reference, while a rounded
 * reference sets its own precision (see {@link EquivalenceOptions}). Simplifications:
 * relations are equal when their sides match or when (lhs − rhs) are proportional
 * (positively for inequalities); `name = value` is read as `value` and an inequality on a name
 * as an interval when compared to a non-relation; chained equalities keep their last member;
 * a `%` answer may stand for the number or for its hundredth (`10\%` matches `10` and `0.1`,
 * since references to "what percent" questions usually omit the sign).
 */
import { compact, normalizeAnswer } from "./normalize.ts";
import { isRoundedApproximation, parseNumber, rational, rationalsEqual, sameAsPrintedDouble, toNumber, type NumberLiteral, type Rational } from "./numbers.ts";
import { isNameLike, parseStructure, type Node, type RelOp } from "./structures.ts";
import { compareParsed, constantValue, parseLatex, proportional } from "./symbolic.ts";

/** Options of the math comparison. */
export interface EquivalenceOptions {
  /** Relative tolerance when expressions are compared by evaluation at sample points (double arithmetic). */
  relTol: number;
  /** Bare comma lists compare as multisets (`unordered`) or in order. */
  listOrder: "unordered" | "ordered";
  /**
   * Minimum significant digits for a decimal *prediction* to count as a rounding of an exact
   * reference whose decimal expansion does not terminate (`1.41421` for `\sqrt{2}`); 0 disables.
   */
  approxMinDigits: number;
  /**
   * Minimum significant digits for a decimal *reference* to accept an exact prediction that
   * rounds to it (reference `1.41`, prediction `\sqrt{2}`); 0 disables. The reference's
   * author chose its precision, so this can be lower than `approxMinDigits`.
   */
  referenceApproxMinDigits: number;
}

/**
 * Defaults for training: a decimal prediction must carry 6 significant digits to stand for an
 * irrational or repeating reference (Math-Verify compares at 6 decimals): `3.14` is not `\pi`,
 * `0.333` is not `1/3`, and `1.99` is never `2` (a terminating value must be matched exactly).
 */
export const DEFAULT_EQUIVALENCE: EquivalenceOptions = { relTol: 1e-9, listOrder: "unordered", approxMinDigits: 6, referenceApproxMinDigits: 3 };

/** Compares two extracted answers; `gold` is the reference. */
export function answersEqual(gold: string, pred: string, opts: EquivalenceOptions = DEFAULT_EQUIVALENCE): boolean {
  const g = normalizeAnswer(gold);
  const p = normalizeAnswer(pred);
  if (g.length === 0 || p.length === 0) return false;
  if (compact(g) === compact(p)) return true;
  return nodesEqual(parseStructure(g), parseStructure(p), opts, 0);
}

/** The text a node was parsed from. */
function src(n: Node): string {
  return n.kind === "atom" ? n.text : n.src;
}

/** The value a relation stands for when compared to a non-relation, or null. */
function relationValue(n: Extract<Node, { kind: "rel" }>): Node | null {
  if (!n.ops.every((o) => o === "=")) return null;
  if (n.parts.length > 2 || isNameLike(n.parts[0]!)) return parseStructure(n.parts[n.parts.length - 1]!);
  return null;
}

const LOWER: RelOp[] = ["<", "\\le"];
const UPPER: RelOp[] = [">", "\\ge"];
const isStrict = (o: RelOp): boolean => o === "<" || o === ">";

/** An interval node from its bounds (given as text) and openness. */
function interval(src: string, lo: string, loOpen: boolean, hi: string, hiOpen: boolean): Node {
  return { kind: "seq", open: loOpen ? "(" : "[", close: hiOpen ? ")" : "]", src, items: [parseStructure(lo), parseStructure(hi)] };
}

/**
 * An inequality on a name as an interval node: `a < x \le b` is `(a, b]`, `x \ge 2` is
 * `[2, \infty)`, `3 > x` is `(-\infty, 3)`; null for anything else.
 */
function relationAsInterval(n: Extract<Node, { kind: "rel" }>): Node | null {
  const { parts, ops } = n;
  if (parts.length === 3 && isNameLike(parts[1]!)) {
    const [o1, o2] = ops as [RelOp, RelOp];
    if (LOWER.includes(o1) && LOWER.includes(o2)) return interval(n.src, parts[0]!, isStrict(o1), parts[2]!, isStrict(o2));
    if (UPPER.includes(o1) && UPPER.includes(o2)) return interval(n.src, parts[2]!, isStrict(o2), parts[0]!, isStrict(o1));
    return null;
  }
  if (parts.length !== 2) return null;
  const op = ops[0]!;
  if (!LOWER.includes(op) && !UPPER.includes(op)) return null;
  // Read as `name op bound`: with the name on the right, flip the operator.
  const [name, bound, upper] = isNameLike(parts[0]!) ? [parts[0]!, parts[1]!, LOWER.includes(op)] : [parts[1]!, parts[0]!, UPPER.includes(op)];
  if (!isNameLike(name) || isNameLike(bound)) return null;
  return upper ? interval(n.src, "-\\infty", true, bound, isStrict(op)) : interval(n.src, bound, isStrict(op), "\\infty", true);
}

/** Structural equality of a reference node `a` and a prediction node `b`. */
function nodesEqual(a: Node, b: Node, opts: EquivalenceOptions, depth: number): boolean {
  if (depth > 16) return false;
  if (compact(src(a)) === compact(src(b))) return true;
  const rec = (x: Node, y: Node): boolean => nodesEqual(x, y, opts, depth + 1);

  if (a.kind === "rel" && b.kind === "rel") return relationsEqual(a, b, opts);
  if (a.kind === "rel" || b.kind === "rel") {
    const [r, other] = a.kind === "rel" ? [a, b] : [b as Extract<Node, { kind: "rel" }>, a];
    const v = relationValue(r as Extract<Node, { kind: "rel" }>) ?? relationAsInterval(r as Extract<Node, { kind: "rel" }>);
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
  // A one-item list is its item; an unordered bare list whose items all equal the other side (`2, 2`) is that value.
  const collapses = (s: Node): s is Extract<Node, { kind: "seq" }> => s.kind === "seq" && (s.items.length === 1 || (s.open === "" && opts.listOrder === "unordered"));
  if (collapses(a) && b.kind !== "seq") return a.items.every((x) => rec(x, b));
  if (collapses(b) && a.kind !== "seq") return b.items.every((y) => rec(a, y));
  if (a.kind === "union" && a.items.length === 1) return rec(a.items[0]!, b);
  if (b.kind === "union" && b.items.length === 1) return rec(a, b.items[0]!);
  return false;
}

/** Lists, tuples, intervals and sets: brackets must agree unless one side is a bare list or a set. */
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

/** Two relations: same canonical operator and sides, else proportional `lhs − rhs`. */
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

/** Parses two relation sides and compares them as nodes. */
function atomsOrStructEqual(x: string, y: string, opts: EquivalenceOptions): boolean {
  return nodesEqual(parseStructure(x), parseStructure(y), opts, 1);
}


/** An atom with a trailing `%` split off: `10%` may stand for 10 or for 0.1. */
function percentVariants(text: string): { body: string; percent: boolean } {
  return text.endsWith("%") ? { body: text.slice(0, -1).trim(), percent: true } : { body: text, percent: false };
}

/** Compares two atoms (`x` the reference, `y` the prediction): text, numbers, then the CAS. */
function atomsEqual(x: string, y: string, opts: EquivalenceOptions): boolean {
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
        if (literalsEqual(nx, ny, sx, sy, opts)) return true;
        continue;
      }
      if (symbolicEqual(px.body, py.body, sx / sy, nx, ny, opts)) return true;
    }
  }
  return false;
}

/** Two numeric literals (reference `x`, prediction `y`) scaled by their percent readings. */
function literalsEqual(x: NumberLiteral, y: NumberLiteral, sx: number, sy: number, opts: EquivalenceOptions): boolean {
  const a = scaleRational(x.value, sx);
  const b = scaleRational(y.value, sy);
  if (rationalsEqual(a, b)) return true;
  // Literals are exact; a long decimal may be a printed double (`0.30000000000000004`).
  if ((x.isDecimal || y.isDecimal) && Math.max(x.significant, y.significant) >= 12 && sameAsPrintedDouble(a, b)) return true;
  if (sx !== 1 || sy !== 1) return false;
  if (!isTerminating(a) && isRoundedApproximation(toNumber(a), y, opts.approxMinDigits)) return true;
  return !isTerminating(b) && isRoundedApproximation(toNumber(b), x, opts.referenceApproxMinDigits);
}

/** `r` read as a percent when `s` is 0.01. */
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

/** Reference `x` (times `scale`) and prediction `y` through the CAS; `nx`/`ny` are their numeric literals, if any. */
function symbolicEqual(x: string, y: string, scale: number, nx: NumberLiteral | null, ny: NumberLiteral | null, opts: EquivalenceOptions): boolean {
  const a = parseLatex(scale === 1 ? x : `(${x})\\cdot ${scale}`);
  const b = parseLatex(y);
  if (!a || !b) return false;
  const verdict = compareParsed(a, b, opts.relTol);
  if (verdict === "equal") return true;
  if (verdict === "different" && (nx || ny)) {
    // One side is a decimal, the other an exact constant: is the decimal its rounding?
    const va = constantValue(a);
    const vb = constantValue(b);
    if (va && vb && va.im === 0 && vb.im === 0) {
      if (ny && !nx && isRoundedApproximation(va.re, ny, opts.approxMinDigits)) return true;
      if (nx && !ny && isRoundedApproximation(vb.re, nx, opts.referenceApproxMinDigits)) return true;
    }
  }
  return false;
}
