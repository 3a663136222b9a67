/**
 * Countdown, as TinyZero plays it: reach a target from given numbers with + − × ÷, each number
 * used exactly once. Instances are solvable by construction: the generator searches every
 * chain `((n1 op n2) op n3) op n4` over the numbers (non-negative integer steps, exact division)
 * and draws the target among the values reached in range, so a solution is known.
 *
 *   level 1: 3 numbers in 1..9, target 10..60
 *   level 2: 4 numbers in 1..9, target 10..99
 *   level 3: 4 numbers in 1..25, target 10..99
 *
 * A worked solution is a search trace, one chain a line, each step computed, until the target:
 *
 *   8 × 3 = 24, 24 + 7 = 31, no
 *   7 × 3 = 21, 21 + 8 = 29, yes
 *
 * A slip writes a wrong last step that seems to reach the target ("yes" on a chain that does
 * not); a caught one is followed by `check: 24 + 7 = 31, not 29` and the search goes on. The
 * answer boxes the expression (`7 × 3 + 8`); the reference is the task data {numbers, target},
 * graded by rewards/countdown.ts. Simplification: only chains are searched, not trees such as
 * (a + b) × (c + d), so the generator's solutions and traces are chains (the grader accepts
 * any expression).
 */
import type { CountdownTask } from "../rewards/countdown.ts";
import type { Rng } from "../util/rng.ts";
import type { Problem, SlipPlan, Solution, Task } from "./types.ts";

type Op = "+" | "-" | "×" | "÷";
const OPS: readonly Op[] = ["+", "-", "×", "÷"];

/** A chain: its first number, then (op, number) steps, and the value after each step. */
export interface Chain {
  start: number;
  steps: { op: Op; n: number; value: number }[];
}

const LEVELS: Record<number, { count: number; max: number; target: [number, number] }> = {
  1: { count: 3, max: 9, target: [10, 60] },
  2: { count: 4, max: 9, target: [10, 99] },
  3: { count: 4, max: 25, target: [10, 99] },
};

const DIRECT_ACCURACY = [0.25, 0.12, 0.06];

/** `v op n` when it is a non-negative integer, else null. */
function apply(v: number, op: Op, n: number): number | null {
  if (op === "+") return v + n;
  if (op === "-") return v >= n ? v - n : null;
  if (op === "×") return v * n;
  return n !== 0 && v % n === 0 ? v / n : null;
}

/** Every chain over all the numbers, in a fixed order (permutations, then operators). */
export function allChains(numbers: readonly number[]): Chain[] {
  const out: Chain[] = [];
  const extend = (chain: Chain, value: number, rest: number[]): void => {
    if (rest.length === 0) return void out.push({ start: chain.start, steps: [...chain.steps] });
    for (let i = 0; i < rest.length; i++) {
      if (rest.indexOf(rest[i]!) !== i) continue; // the same number twice gives the same chains
      const others = rest.filter((_, j) => j !== i);
      for (const op of OPS) {
        const next = apply(value, op, rest[i]!);
        if (next === null) continue;
        chain.steps.push({ op, n: rest[i]!, value: next });
        extend(chain, next, others);
        chain.steps.pop();
      }
    }
  };
  numbers.forEach((n, i) => {
    if (numbers.indexOf(n) === i) extend({ start: n, steps: [] }, n, numbers.filter((_, j) => j !== i));
  });
  return out;
}

const valueOf = (c: Chain): number => c.steps[c.steps.length - 1]!.value;

/** The chain as one expression, with parentheses where + or − is followed by × or ÷. */
export function chainExpression(c: Chain): string {
  let expr = String(c.start);
  let additive = false;
  for (const s of c.steps) {
    const multiplicative = s.op === "×" || s.op === "÷";
    if (multiplicative && additive) expr = `(${expr})`;
    expr = `${expr} ${s.op} ${s.n}`;
    additive = !multiplicative;
  }
  return expr;
}

/** A trace line of a chain; `last` overrides the value written for the last step (a slip). */
function chainLine(c: Chain, verdict: "yes" | "no", last?: number): string {
  let v = c.start;
  const parts = c.steps.map((s, i) => {
    const shown = i === c.steps.length - 1 && last !== undefined ? last : s.value;
    const part = `${v} ${s.op} ${s.n} = ${shown}`;
    v = s.value;
    return part;
  });
  return `${parts.join(", ")}, ${verdict}`;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

export const countdownTask: Task<CountdownTask> = {
  name: "countdown",
  levels: [1, 2, 3],
  grader: "task:countdown",
  sample(rng, level) {
    const spec = LEVELS[level]!;
    for (;;) {
      const numbers = Array.from({ length: spec.count }, () => 1 + rng.int(spec.max));
      const values = new Set(allChains(numbers).map(valueOf));
      const reached = [...values].filter((v) => v >= spec.target[0] && v <= spec.target[1] && !numbers.includes(v));
      if (reached.length === 0 || values.size < 2) continue; // a slip needs a chain that misses
      const target = pick(rng, reached.sort((x, y) => x - y));
      const sorted = [...numbers].sort((x, y) => x - y);
      return {
        task: "countdown",
        level,
        question: `Make ${target} from ${numbers.join(", ")} with + - × ÷, each number once.`,
        answer: { numbers, target },
        canonical: `countdown:${sorted.join(",")}->${target}`,
      };
    }
  },
  worked(p, slip: SlipPlan | null, rng): Solution {
    const { numbers, target } = p.answer;
    const chains = allChains(numbers);
    const solutions = chains.filter((c) => valueOf(c) === target);
    const misses = chains.filter((c) => valueOf(c) !== target);
    const lines: string[] = [];
    const tries = rng.int(4);
    for (let i = 0; i < tries; i++) lines.push(chainLine(pick(rng, misses), "no"));
    if (slip) {
      const miss = pick(rng, misses);
      lines.push(chainLine(miss, "yes", target));
      const last = miss.steps[miss.steps.length - 1]!;
      const before = miss.steps.length > 1 ? miss.steps[miss.steps.length - 2]!.value : miss.start;
      if (!slip.caught) return { lines, answer: chainExpression(miss) };
      lines.push(`check: ${before} ${last.op} ${last.n} = ${last.value}, not ${target}`);
    }
    const found = pick(rng, solutions);
    lines.push(chainLine(found, "yes"));
    return { lines, answer: chainExpression(found) };
  },
  guess(p, rng) {
    // The nearest of a few random misses: a guess lands close more often than not.
    const { numbers, target } = p.answer;
    const misses = allChains(numbers).filter((c) => valueOf(c) !== target);
    const tries = Array.from({ length: 3 }, () => pick(rng, misses));
    const distance = (c: Chain): number => Math.abs(valueOf(c) - target);
    return chainExpression(tries.reduce((best, c) => (distance(c) < distance(best) ? c : best)));
  },
  solution(p) {
    const { numbers, target } = p.answer;
    return chainExpression(allChains(numbers).find((c) => valueOf(c) === target)!);
  },
  claim: (p, answer) => `${p.answer.target} = ${answer}`,
  directAccuracy: (level) => DIRECT_ACCURACY[level - 1]!,
};
