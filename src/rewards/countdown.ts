/**
 * Countdown checker: the response's equation (last `<answer>` block, else last `\boxed{}`,
 * else the last line with an arithmetic expression) must use the given numbers — each
 * exactly once by default, or each at most once — with + − × ÷ and parentheses, and evaluate
 * exactly (rational arithmetic) to the target. The expression is read by our own
 * recursive-descent parser, never by eval. Simplification: no unary operators other than a
 * leading minus; numbers are non-negative integers as written.
 */
import { lastBoxed } from "./extract/braces.ts";
import { addRationals, mulRationals, rational, rationalsEqual, type Rational } from "./numbers.ts";
import type { GradeInput, Grader, Verdict } from "./types.ts";

/** Reference data of a Countdown task. */
export interface CountdownTask {
  numbers: number[];
  target: number;
  /** "exact": every number used exactly once; "at_most": each used at most once. */
  use?: "exact" | "at_most";
}

const MAX_EXPR_CHARS = 500;

/** Parses and evaluates `+ - * / ( )` over integers; returns the value and the literals used. */
export function evaluateArithmetic(expr: string): { value: Rational; literals: number[] } {
  if (expr.length > MAX_EXPR_CHARS) throw new Error(`expression longer than ${MAX_EXPR_CHARS} chars`);
  const tokens = expr.replace(/\\times|×|\\cdot/g, "*").replace(/\\div|÷/g, "/").match(/\d+|[-+*/()]|\S/g) ?? [];
  let pos = 0;
  const literals: number[] = [];
  const peek = (): string | undefined => tokens[pos];
  const fail = (msg: string): never => {
    throw new Error(`${msg} at token ${pos + 1} of "${expr}"`);
  };
  let depth = 0;
  const primary = (): Rational => {
    const t = tokens[pos++];
    if (t === undefined) return fail("unexpected end");
    if (t === "(") {
      if (++depth > 50) fail("too deeply nested");
      const v = sum();
      if (tokens[pos++] !== ")") fail("missing )");
      depth--;
      return v;
    }
    if (t === "-") {
      const v = primary();
      return rational(-v.num, v.den);
    }
    if (/^\d+$/.test(t)) {
      if (t.length > 15) fail("number too long");
      literals.push(Number(t));
      return rational(BigInt(t));
    }
    return fail(`unexpected "${t}"`);
  };
  const product = (): Rational => {
    let v = primary();
    while (peek() === "*" || peek() === "/") {
      const op = tokens[pos++];
      const r = primary();
      if (op === "*") v = mulRationals(v, r);
      else {
        if (r.num === 0n) fail("division by zero");
        v = mulRationals(v, rational(r.den, r.num));
      }
    }
    return v;
  };
  const sum = (): Rational => {
    let v = product();
    while (peek() === "+" || peek() === "-") {
      const op = tokens[pos++];
      const r = product();
      v = addRationals(v, op === "+" ? r : rational(-r.num, r.den));
    }
    return v;
  };
  const value = sum();
  if (pos !== tokens.length) fail("trailing input");
  return { value, literals };
}

/** The equation a response proposes, or null. */
export function extractCountdownEquation(response: string): string | null {
  const answers = [...response.matchAll(/<answer>([\s\S]*?)<\/answer>/g)];
  let text = answers.length ? answers[answers.length - 1]![1]! : (lastBoxed(response) ?? null);
  if (text === null) {
    const lines = response.split("\n").filter((l) => /\d\s*[-+*/×÷]\s*\(?\d/.test(l));
    if (lines.length === 0) return null;
    text = lines[lines.length - 1]!;
  }
  // `expr = target` → keep the side with operators.
  const sides = text.replace(/\$/g, "").split("=").map((s) => s.trim()).filter((s) => /\d/.test(s));
  return sides.find((s) => /[-+*/×÷]/.test(s)) ?? sides[0] ?? null;
}

/** Whether the reference is Countdown task data. */
function isTask(x: unknown): x is CountdownTask {
  const t = x as CountdownTask;
  return typeof t === "object" && t !== null && Array.isArray(t.numbers) && t.numbers.every((n) => Number.isInteger(n)) && Number.isInteger(t.target);
}

/** Grades a Countdown response. */
export function gradeCountdown(input: GradeInput): Verdict {
  if (!isTask(input.answer)) return { correct: false, extracted: null, reason: "invalid_input", detail: "answer must be {numbers: int[], target: int}" };
  if (input.finishReason === "length") return { correct: false, extracted: null, reason: "truncated" };
  const eq = extractCountdownEquation(input.response);
  if (eq === null) return { correct: false, extracted: null, reason: "no_answer" };
  let evald: ReturnType<typeof evaluateArithmetic>;
  try {
    evald = evaluateArithmetic(eq);
  } catch (e) {
    return { correct: false, extracted: eq, reason: "wrong_answer", detail: (e as Error).message };
  }
  const pool = [...input.answer.numbers];
  for (const n of evald.literals) {
    const i = pool.indexOf(n);
    if (i < 0) return { correct: false, extracted: eq, reason: "wrong_answer", detail: `number ${n} not available` };
    pool.splice(i, 1);
  }
  if ((input.answer.use ?? "exact") === "exact" && pool.length > 0) {
    return { correct: false, extracted: eq, reason: "wrong_answer", detail: `unused numbers: ${pool.join(", ")}` };
  }
  const ok = rationalsEqual(evald.value, rational(BigInt(input.answer.target)));
  return { correct: ok, extracted: eq, reason: ok ? "correct" : "wrong_answer" };
}

export const countdownGrader: Grader = { name: "countdown", grade: gradeCountdown };
