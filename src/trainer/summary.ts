/**
 * The end-of-run summary (summary.json, and what `rlzero train` prints), read back from the
 * run's own metrics.jsonl so that it is the same for a run resumed any number of times: per
 * evaluation set, accuracy, response length and reflection rate at the first and at the last
 * evaluation, and the training figures of the first and last steps.
 */
import fs from "node:fs";
import path from "node:path";

export interface EvalFigures {
  step: number;
  /** val-core/<name>/acc/mean@N */
  acc: number;
  n: number;
  responseLength: number | null;
  reflectionRate: number | null;
}

export interface RunSummary {
  runDir: string;
  steps: number;
  /** Time spent in steps, evaluations and checkpoints, summed over the metrics (so over every resume). */
  seconds: number;
  /** Per evaluation set: its first and last evaluation. */
  eval: Record<string, { first: EvalFigures; last: EvalFigures }>;
  /** Training figures of the first and last step. */
  train: { first: Record<string, number>; last: Record<string, number> } | null;
}

const TRAIN_KEYS = ["critic/score/mean", "train/accuracy", "response_length/mean", "train/reflection_rate", "actor/entropy", "actor/kl"];

export function readMetrics(runDir: string): Record<string, number>[] {
  const file = path.join(runDir, "metrics.jsonl");
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, number>];
    } catch {
      return [];
    }
  });
}

export function summarizeRun(runDir: string): RunSummary {
  const lines = readMetrics(runDir);
  let seconds = 0;
  for (const l of lines) seconds += (l["timing_s/step"] ?? 0) + (l["timing_s/eval"] ?? 0) + (l["timing_s/save"] ?? 0);
  const evals: RunSummary["eval"] = {};
  for (const line of lines) {
    for (const [key, acc] of Object.entries(line)) {
      const m = /^val-core\/(.+)\/acc\/mean@(\d+)$/.exec(key);
      if (!m) continue;
      const name = m[1];
      const figures: EvalFigures = {
        step: line.step, acc, n: Number(m[2]),
        responseLength: line[`val-aux/${name}/response_length/mean`] ?? null,
        reflectionRate: line[`val-aux/${name}/reflection_rate`] ?? null,
      };
      evals[name] = { first: evals[name]?.first ?? figures, last: figures };
    }
  }
  const steps = lines.filter((l) => l.step > 0 && "critic/score/mean" in l);
  const pick = (l: Record<string, number>) => Object.fromEntries(TRAIN_KEYS.filter((k) => k in l).map((k) => [k, l[k]]));
  return {
    runDir,
    steps: steps.length > 0 ? steps[steps.length - 1].step : 0,
    seconds,
    eval: evals,
    train: steps.length > 0 ? { first: pick(steps[0]), last: pick(steps[steps.length - 1]) } : null,
  };
}

/** The summary as a few lines for the terminal. */
export function formatSummary(s: RunSummary): string {
  const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);
  const num = (x: number | null) => (x === null ? "-" : x.toFixed(1));
  const out = [`${s.steps} steps in ${(s.seconds / 60).toFixed(1)} min; run directory ${s.runDir}`];
  for (const [name, { first, last }] of Object.entries(s.eval)) {
    out.push(`  ${name} (step ${first.step} -> ${last.step}): pass@1 (avg of ${last.n}) ${pct(first.acc)} -> ${pct(last.acc)}; ` +
      `response length ${num(first.responseLength)} -> ${num(last.responseLength)} tokens; reflection rate ${pct(first.reflectionRate)} -> ${pct(last.reflectionRate)}`);
  }
  if (s.train) {
    const f = s.train.first;
    const l = s.train.last;
    out.push(`  training: accuracy ${pct(f["train/accuracy"] ?? null)} -> ${pct(l["train/accuracy"] ?? null)}; ` +
      `response length ${num(f["response_length/mean"] ?? null)} -> ${num(l["response_length/mean"] ?? null)} tokens`);
  }
  return out.join("\n");
}
