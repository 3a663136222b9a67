/**
 * Multi-digit arithmetic: addition, subtraction, multiplication. Level L sets the digit counts:
 *
 *   add, sub   L = 1..5: two L-digit numbers (sub: a − b with 1 ≤ b ≤ a)
 *   mul        1: 1×1 digit, 2: 2×1, 3: 3×1, 4: 2×2, 5: 3×2
 *
 * Worked solutions are column arithmetic (columns.ts); a two-digit multiplication writes both
 * partial products, then adds them column by column:
 *
 *   7 × 6 + 0 = 42 ... 347 × 6 = 2082
 *   7 × 5 + 0 = 35 ... 347 × 5 = 1735
 *   2082 + 17350
 *   2 + 0 + 0 = 02 ...
 *
 * The reference answer is the result's decimal string.
 */
import type { Rng } from "../util/rng.ts";
import { ColumnWriter, type PlantedSlip } from "./columns.ts";
import type { Problem, SlipPlan, Solution, Task } from "./types.ts";

export type ArithOp = "add" | "sub" | "mul";

/** A uniform integer in [lo, hi]. */
function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** A uniform integer with `n` digits. */
function withDigits(rng: Rng, n: number): number {
  return n === 1 ? between(rng, 1, 9) : between(rng, 10 ** (n - 1), 10 ** n - 1);
}

/** Digit counts of mul's operands by level. */
const MUL_DIGITS: Record<number, [number, number]> = { 1: [1, 1], 2: [2, 1], 3: [3, 1], 4: [2, 2], 5: [3, 2] };

/** Share of right direct answers by level (index L − 1): right when easy, mostly wrong when hard. */
const DIRECT_ACCURACY: Record<ArithOp, readonly number[]> = {
  add: [0.95, 0.6, 0.2, 0.1, 0.05],
  sub: [0.95, 0.6, 0.2, 0.1, 0.05],
  mul: [0.95, 0.3, 0.12, 0.06, 0.03],
};

const SYMBOL: Record<ArithOp, string> = { add: "+", sub: "-", mul: "×" };

/** The operands of an arithmetic problem, read back from its question. */
function operands(p: Problem<string>): [number, number] {
  const m = /^(\d+) [-+×] (\d+) = \?$/.exec(p.question);
  if (!m) throw new Error(`not an arithmetic question: ${JSON.stringify(p.question)}`);
  return [Number(m[1]), Number(m[2])];
}

/** The column work of a × b (b of one or two digits), written into `w`; returns the product as written. */
function multiply(w: ColumnWriter, a: number, b: number): number {
  if (b < 10) return w.mulDigit(a, b);
  const [low, high] = [b % 10, Math.floor(b / 10)];
  const p0 = w.mulDigit(a, low);
  w.note(`${a} × ${low} = ${p0}`);
  const p1 = w.mulDigit(a, high);
  w.note(`${a} × ${high} = ${p1}`);
  w.note(`${p0} + ${p1}0`);
  return w.add(p0, p1 * 10);
}

/** Runs the column work of a problem into `w`; returns the result as written. */
function work(op: ArithOp, w: ColumnWriter, a: number, b: number): number {
  if (op === "add") return w.add(a, b);
  if (op === "sub") return w.sub(a, b);
  return multiply(w, a, b);
}

function exact(op: ArithOp, a: number, b: number): number {
  return op === "add" ? a + b : op === "sub" ? a - b : a * b;
}

/** The column work with a slip at a random step (none when `slip` is null). */
function workWith(op: ArithOp, a: number, b: number, slip: SlipPlan | null, rng: Rng): { lines: string[]; result: number } {
  let plan: PlantedSlip | null = null;
  if (slip) {
    const counter = new ColumnWriter();
    work(op, counter, a, b);
    plan = { at: rng.int(counter.stepCount), caught: slip.caught, rng };
  }
  const w = new ColumnWriter(plan);
  const result = work(op, w, a, b);
  if (slip && !slip.caught && result === exact(op, a, b)) throw new Error(`slip in ${a} ${SYMBOL[op]} ${b} left the answer right`);
  return { lines: w.lines, result };
}

function arithmeticTask(op: ArithOp): Task<string> {
  return {
    name: op,
    levels: [1, 2, 3, 4, 5],
    grader: "task:arith",
    sample(rng, level) {
      let a: number;
      let b: number;
      if (op === "mul") {
        const [da, db] = MUL_DIGITS[level]!;
        a = withDigits(rng, da);
        b = db === 1 ? between(rng, 2, 9) : withDigits(rng, db);
      } else {
        a = withDigits(rng, level);
        b = op === "add" ? withDigits(rng, level) : between(rng, 1, a);
      }
      const canonical = op === "sub" ? `sub:${a}-${b}` : `${op}:${Math.min(a, b)},${Math.max(a, b)}`;
      return { task: op, level, question: `${a} ${SYMBOL[op]} ${b} = ?`, answer: String(exact(op, a, b)), canonical };
    },
    worked(p, slip, rng): Solution {
      const [a, b] = operands(p);
      const { lines, result } = workWith(op, a, b, slip, rng);
      return { lines, answer: String(result) };
    },
    guess(p, rng) {
      const [a, b] = operands(p);
      return String(workWith(op, a, b, { caught: false }, rng).result);
    },
    solution: (p) => p.answer,
    claim: (p, answer) => p.question.replace("?", answer),
    directAccuracy: (level) => DIRECT_ACCURACY[op][level - 1]!,
  };
}

export const addTask = arithmeticTask("add");
export const subTask = arithmeticTask("sub");
export const mulTask = arithmeticTask("mul");
