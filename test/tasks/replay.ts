/**
 * Independent checkers of worked solutions for the tests: they parse the think lines of a
 * response and recompute everything — each step's arithmetic, the carry/borrow chain, that the
 * digits come from the right operands in order, the partial products and the final answer —
 * and list every discrepancy. They share no code with the generators.
 */

export interface Replay {
  /** What is wrong, one entry per discrepancy (empty: the work is right). */
  errors: string[];
  /** The answer the lines lead to, or null when they lead nowhere. */
  result: number | null;
}

/** The think lines of an ORZ response and its boxed answer. */
export function parseResponse(response: string): { lines: string[]; boxed: string | null } {
  const m = /^([\s\S]*?) ?<\/think> <answer> \\boxed\{(.*)\} <\/answer>$/.exec(response);
  if (!m) return { lines: [], boxed: null };
  const think = m[1]!.trim();
  return { lines: think === "" ? [] : think.split("\n"), boxed: m[2]! };
}

type Op = "add" | "sub" | "mul";

/** One column line parsed: x (top digit), y (digit or multiplier), carry in, result value. */
interface Column {
  x: number;
  y: number;
  c: number;
  value: number;
  carryOut: number;
  digit: number;
  line: string;
}

function parseColumn(op: Op, line: string, errors: string[]): Column | null {
  if (op === "add") {
    const m = /^(\d) \+ (\d) \+ (\d) = (\d)(\d)$/.exec(line);
    if (!m) return null;
    const [x, y, c, hi, lo] = m.slice(1).map(Number) as [number, number, number, number, number];
    if (x + y + c !== 10 * hi + lo) errors.push(`false step: ${line}`);
    return { x, y, c, value: 10 * hi + lo, carryOut: hi, digit: lo, line };
  }
  if (op === "sub") {
    const m = /^(\d)(\d) - (\d) - (\d) = (\d)$/.exec(line);
    if (!m) return null;
    const [b, x, y, c, d] = m.slice(1).map(Number) as [number, number, number, number, number];
    if (10 * b + x - y - c !== d) errors.push(`false step: ${line}`);
    if (b !== (x - y - c < 0 ? 1 : 0)) errors.push(`borrow wrong: ${line}`);
    return { x, y, c, value: d, carryOut: b, digit: d, line };
  }
  const m = /^(\d) × (\d) \+ (\d) = (\d)(\d)$/.exec(line);
  if (!m) return null;
  const [x, y, c, hi, lo] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (x * y + c !== 10 * hi + lo) errors.push(`false step: ${line}`);
  return { x, y, c, value: 10 * hi + lo, carryOut: hi, digit: lo, line };
}

const digitsLsbFirst = (n: number): number[] => [...String(n)].reverse().map(Number);

/**
 * Checks one pass of column steps over operands (a, b): the digits taken from a (and b, for
 * add/sub; the multiplier for mul) right to left, the carries chained; returns the pass's result.
 */
function checkPass(op: Op, cols: Column[], a: number, b: number, errors: string[]): number {
  const xs = digitsLsbFirst(a);
  const ys = op === "mul" ? null : digitsLsbFirst(b);
  const columns = op === "sub" ? xs.length : op === "add" ? Math.max(xs.length, ys!.length) : xs.length;
  if (cols.length !== columns) errors.push(`${cols.length} columns for ${a} and ${b}, expected ${columns}`);
  let carry = 0;
  const out: number[] = [];
  cols.forEach((col, i) => {
    if (col.x !== (xs[i] ?? 0)) errors.push(`column ${i} takes ${col.x}, not digit ${xs[i] ?? 0} of ${a}: ${col.line}`);
    const yWant = op === "mul" ? b : (ys![i] ?? 0);
    if (col.y !== yWant) errors.push(`column ${i} takes ${col.y}, not ${yWant}: ${col.line}`);
    if (col.c !== carry) errors.push(`column ${i} carries in ${col.c}, not ${carry}: ${col.line}`);
    out.push(col.digit);
    carry = col.carryOut;
  });
  if (op !== "sub" && carry > 0) out.push(...digitsLsbFirst(carry));
  return Number(out.reverse().join("") || "0");
}

/** Replays an arithmetic worked solution for the question `a op b = ?`. */
export function replayArithmetic(question: string, lines: readonly string[]): Replay {
  const q = /^(\d+) ([-+×]) (\d+) = \?$/.exec(question);
  if (!q) return { errors: [`bad question ${question}`], result: null };
  const a = Number(q[1]);
  const b = Number(q[3]);
  const op: Op = q[2] === "+" ? "add" : q[2] === "-" ? "sub" : "mul";
  const errors: string[] = [];
  const parse = (o: Op, ls: readonly string[]): Column[] =>
    ls.map((l) => parseColumn(o, l, errors) ?? (errors.push(`not a ${o} step: ${l}`), null)).filter((c): c is Column => c !== null);
  if (op !== "mul" || b < 10) return { errors, result: checkPass(op, parse(op, lines), a, b, errors) };
  // a × b with b of two digits: pass (a × low), its product, pass (a × high), its product, the sum.
  const [low, high] = [b % 10, Math.floor(b / 10)];
  const n = String(a).length;
  const p0Line = lines[n];
  const p1Line = lines[2 * n + 1];
  const header = lines[2 * n + 2];
  const p0 = checkPass("mul", parse("mul", lines.slice(0, n)), a, low, errors);
  if (p0Line !== `${a} × ${low} = ${p0}`) errors.push(`partial product line ${JSON.stringify(p0Line)} is not ${a} × ${low} = ${p0}`);
  const p1 = checkPass("mul", parse("mul", lines.slice(n + 1, 2 * n + 1)), a, high, errors);
  if (p1Line !== `${a} × ${high} = ${p1}`) errors.push(`partial product line ${JSON.stringify(p1Line)} is not ${a} × ${high} = ${p1}`);
  if (header !== `${p0} + ${p1}0`) errors.push(`sum line ${JSON.stringify(header)} is not ${p0} + ${p1}0`);
  const result = checkPass("add", parse("add", lines.slice(2 * n + 3)), p0, p1 * 10, errors);
  return { errors, result };
}

/** Replays a Countdown trace: every step true (and chained), every line over all the numbers, verdicts right. */
export function replayCountdown(numbers: readonly number[], target: number, lines: readonly string[]): Replay {
  const errors: string[] = [];
  let result: number | null = null;
  for (const line of lines) {
    const m = /^(.*), (yes|no)$/.exec(line);
    if (!m) {
      errors.push(`not an attempt: ${line}`);
      continue;
    }
    const steps = m[1]!.split(", ").map((s) => /^(\d+) ([-+×÷]) (\d+) = (\d+)$/.exec(s));
    if (steps.some((s) => s === null)) {
      errors.push(`bad step in ${line}`);
      continue;
    }
    const used = [Number(steps[0]![1])];
    let value = Number(steps[0]![1]);
    for (const s of steps as RegExpExecArray[]) {
      const [left, op, right, shown] = [Number(s[1]), s[2], Number(s[3]), Number(s[4])];
      if (left !== value) errors.push(`chain broken at ${s[0]} in ${line}`);
      const truth = op === "+" ? left + right : op === "-" ? left - right : op === "×" ? left * right : left / right;
      if (truth !== shown) errors.push(`false step ${s[0]} in ${line}`);
      used.push(right);
      value = shown;
    }
    const sortedUsed = [...used].sort((x, y) => x - y).join(",");
    if (sortedUsed !== [...numbers].sort((x, y) => x - y).join(",")) errors.push(`${line} uses ${sortedUsed}, not the numbers ${numbers.join(",")}`);
    if ((m[2] === "yes") !== (value === target)) errors.push(`verdict ${m[2]} for value ${value} and target ${target}: ${line}`);
    if (m[2] === "yes") result = value;
  }
  return { errors, result };
}
