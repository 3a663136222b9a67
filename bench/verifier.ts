/**
 * Verifier benchmark: responses/s and p50/p99 latency of the worker pool on 2 threads, on
 * benchmark-like responses built from the ../shared/data/eval reference answers (reasoning
 * text with math, then a boxed final answer that is right, perturbed, or given without a box).
 * Two requests per worker are kept in flight, so latency is service time plus little queueing.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadEvalAnswers, perturb } from "../src/rewards/evalAnswers.ts";
import { VerifierPool } from "../src/rewards/pool.ts";
import type { GradeInput } from "../src/rewards/types.ts";

function buildResponses(evalDir: string, count: number): GradeInput[] {
  const answers = loadEvalAnswers(evalDir);
  const step = Math.max(1, Math.floor(answers.length / count));
  const out: GradeInput[] = [];
  for (let i = 0; i < answers.length && out.length < count; i += step) {
    const a = answers[i]!;
    const reasoning = `<think> Let me restate the problem. ${a.problem.slice(0, 1200)}\nWe compute $x = \\frac{3}{4} + \\sqrt{2}$ and check $2x + 1 = 5$. So $a_1 = 3$, then $a_2 = 7$. </think> `;
    const k = out.length % 10;
    const final = k < 6 ? `The final answer is $\\boxed{${a.answer}}$.` : k < 9 ? `The final answer is $\\boxed{${perturb(a.answer)}}$.` : `So the answer is ${a.answer}.`;
    out.push({ response: reasoning + final, answer: a.answer });
  }
  return out;
}

const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export async function benchVerifier(): Promise<string[]> {
  const evalDir = fileURLToPath(new URL("../../shared/data/eval/", import.meta.url));
  if (!existsSync(evalDir)) return [`verifier: skipped, ${evalDir} not found`];
  const inputs = buildResponses(evalDir, 1000);
  const workers = 2;
  const pool = new VerifierPool({ size: workers, config: { format: "auto" } });
  try {
    await Promise.all([0, 1, 2, 3].map(() => pool.grade({ response: "\\boxed{1}", answer: "1" })));
    const latencies: number[] = [];
    let next = 0;
    let correct = 0;
    const t0 = performance.now();
    const lane = async (): Promise<void> => {
      while (next < inputs.length) {
        const v = await pool.grade(inputs[next++]!);
        latencies.push(v.ms);
        if (v.correct) correct++;
      }
    };
    await Promise.all(Array.from({ length: workers * 2 }, lane));
    const secs = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return [
      `verifier: ${inputs.length} benchmark-like responses (format auto, ${workers} worker threads), ${correct} graded correct`,
      `verifier: ${(inputs.length / secs).toFixed(0)} responses/s, latency p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms`,
    ];
  } finally {
    await pool.close();
  }
}
