/**
 * Reference answers of the evaluation benchmarks in ../shared/data/eval (MATH500, AIME 2024
 * and 2025, AMC23, GSM8K, Minerva Math, OlympiadBench), read the way each file stores them,
 * plus ways to rewrite an answer without changing it (boxed, `\frac` as `/`, spacing) and to
 * perturb it. Used by the tests and the benchmark. Simplification: OlympiadBench answer lists
 * are joined with ", ".
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lastBoxed } from "./extract/braces.ts";

export interface EvalAnswer {
  source: string;
  problem: string;
  answer: string;
}

/** The objects of a JSON-lines file. */
function jsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** All reference answers found under `evalDir` (missing files are skipped). */
export function loadEvalAnswers(evalDir: string): EvalAnswer[] {
  const out: EvalAnswer[] = [];
  const add = (file: string, pick: (d: Record<string, unknown>) => { problem: unknown; answer: string | null }): void => {
    const p = join(evalDir, file);
    if (!existsSync(p)) return;
    for (const d of jsonl(p)) {
      const { problem, answer } = pick(d);
      if (answer !== null && answer.trim() !== "") out.push({ source: file, problem: String(problem ?? ""), answer: answer.trim() });
    }
  };
  add("math500.jsonl", (d) => ({ problem: d.problem, answer: String(d.answer) }));
  add("aime2024.jsonl", (d) => ({ problem: d.problem, answer: String(d.answer) }));
  add("aime2025.jsonl", (d) => ({ problem: d.problem, answer: String(d.answer) }));
  add("amc23.jsonl", (d) => ({ problem: d.problem, answer: String(d.answer) }));
  add("gsm8k.jsonl", (d) => ({ problem: d.question, answer: /####\s*(.+)$/.exec(String(d.answer))?.[1] ?? null }));
  add("minerva_math.jsonl", (d) => ({ problem: d.problem, answer: lastBoxed(String(d.solution)) }));
  add("olympiadbench.jsonl", (d) => {
    const raw = String(d.final_answer);
    const inner = raw.startsWith("['") && raw.endsWith("']") ? raw.slice(2, -2).split("', '") : [raw];
    return { problem: d.question, answer: inner.join(", ") };
  });
  return out;
}

/** An equivalent rewriting: a whole response to extract from, or a bare answer. */
export interface Rewrite {
  text: string;
  isResponse: boolean;
}

/** Equivalent rewritings of an answer: boxed in a sentence, in `$..$`, `\frac{a}{b}` as `a/b`, spacing changed. */
export function rewrites(answer: string): Rewrite[] {
  const out: Rewrite[] = [
    { text: `So the final answer is $\\boxed{${answer}}$.`, isResponse: true },
    { text: `$${answer}$`, isResponse: false },
  ];
  const slash = answer.replace(/(?<!\d\s*)\\[dt]?frac\{(-?[\w.]+)\}\{([\w.]+)\}/g, (m, a: string, b: string) =>
    m.length === answer.trim().length ? `${a}/${b}` : `(${a}/${b})`,
  );
  if (slash !== answer) out.push({ text: slash, isResponse: false });
  out.push({ text: answer.replace(/(?<!\\[a-zA-Z]+)\s+/g, ""), isResponse: false });
  out.push({ text: answer.replace(/,(?!\d{3})/g, ", ").replace(/([=+])/g, " $1 "), isResponse: false });
  return out;
}

/** A different answer: the first integer in it increased by one (or `+ 1` appended). */
export function perturb(answer: string): string {
  const m = /(\d+)/.exec(answer);
  if (!m) return `${answer} + 1`;
  const bumped = (BigInt(m[1]!) + 1n).toString();
  return answer.slice(0, m.index) + bumped + answer.slice(m.index + m[1]!.length);
}
