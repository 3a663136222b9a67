/**
 * The comparison's numbers, read back from each run's metrics.jsonl (so a reused or resumed run
 * counts exactly as a fresh one): per algorithm, figures over seeds and per-step series.
 *
 * Held-out accuracy is the first data.eval set's val-core/<name>/acc/mean@N. Training figures
 * "at the end" (KL, entropy, response length, reward) are the mean over the last `tail` steps,
 * 10% of the steps and at least one, since one step's figures are noisy at small batches.
 * Reward gain = reward at the end − reward at step 1 (sampled from the base model, so the same
 * for every algorithm at a seed); reward per unit of KL = gain / KL at the end; entropy drop =
 * (entropy at step 1 − entropy at the end) / entropy at step 1.
 */
import { getAlgorithm } from "../algorithms/registry.ts";
import type { RunConfig } from "../trainer/config.ts";
import { readMetrics, summarizeRun } from "../trainer/summary.ts";
import type { PlannedRun } from "./plan.ts";
import { RECIPES, type CompareAlgorithm } from "./recipes.ts";
import { band, seedStat, type SeedStat } from "./stats.ts";

/** Per-step training metrics the comparison charts (verl's names). */
export const TRAIN_SERIES = {
  kl: "actor/kl",
  entropy: "actor/entropy",
  reward: "critic/score/mean",
  response_length: "response_length/mean",
} as const;
export type SeriesName = "accuracy" | keyof typeof TRAIN_SERIES;

export interface Series {
  steps: number[];
  /** seeds[k][i]: seed k's value at steps[i]. */
  seeds: number[][];
  mean: number[];
  min: number[];
  max: number[];
}

export interface AlgorithmResult {
  algorithm: CompareAlgorithm;
  label: string;
  seeds: number[];
  runDirs: string[];
  /** The algorithm: section every seed ran with. */
  settings: RunConfig["algorithm"];
  /** The critic's optimizer, for an algorithm with a critic (PPO). */
  critic: RunConfig["critic"] | null;
  finalAccuracy: SeedStat;
  earlyAccuracy: SeedStat;
  /** The best evaluation of the mean-over-seeds curve, step 0 (the base model) included. */
  best: { accuracy: number; step: number };
  kl: SeedStat;
  entropy: SeedStat;
  responseLength: SeedStat;
  reward: SeedStat;
  rewardGain: SeedStat;
  /** Null when no seed moved away from the base model (KL 0). */
  rewardPerKl: SeedStat | null;
  entropyDrop: SeedStat;
  /** Time in steps, evaluations and checkpoints (summary.json's seconds), over every resume. */
  seconds: SeedStat;
  series: Record<SeriesName, Series>;
}

/** What every run shares, as resolved. */
export interface SharedSetup {
  /** The base config's file or label. */
  base: string;
  /** The user's --set overrides, applied to every run. */
  overrides: string[];
  steps: number;
  promptsPerStep: number;
  samplesPerPrompt: number;
  maxNewTokens: number;
  temperature: number;
  actorLr: number;
  actorMiniBatch: number | null;
  actorEpochs: number;
  /** Policy optimizer steps per RL step; 1 means every update is on-policy (the ratio is 1). */
  policyStepsPerStep: number;
  rewardValues: unknown;
  benchmark: string;
  benchmarkSamples: number;
  evalEvery: number;
}

export interface ComparisonResults {
  shared: SharedSetup;
  accuracyKey: string;
  seeds: number[];
  evalSteps: number[];
  /** The first evaluation at or after a quarter of the steps: where "early" is judged. */
  earlyStep: number;
  /** Steps averaged for the figures "at the end". */
  tail: number;
  algorithms: AlgorithmResult[];
}

type MetricsLine = Record<string, number>;

export function collectResults(runs: readonly PlannedRun[], source: { base: string; overrides: string[] }): ComparisonResults {
  const { cfg } = runs[0];
  const bench = cfg.data.eval[0];
  const accuracyKey = `val-core/${bench.name}/acc/mean@${bench.n}`;
  const steps = cfg.trainer.steps;
  const tail = Math.max(1, Math.round(steps / 10));
  const metrics = new Map(runs.map((r) => [r.cfg.run_dir, readMetrics(r.cfg.run_dir)]));
  const evalSteps = commonSteps([...metrics.values()], accuracyKey);
  const earlyStep = evalSteps.find((s) => s > 0 && s >= steps / 4) ?? evalSteps[evalSteps.length - 1];

  const algorithms = [...new Set(runs.map((r) => r.algorithm))].map((algorithm): AlgorithmResult => {
    const mine = runs.filter((r) => r.algorithm === algorithm);
    const lines = mine.map((r) => metrics.get(r.cfg.run_dir)!);
    const byStep = lines.map((ls) => new Map(ls.map((l) => [l.step, l])));
    const value = (run: number, step: number, key: string): number => {
      const v = byStep[run].get(step)?.[key];
      if (v === undefined) throw new Error(`${mine[run].cfg.run_dir}/metrics.jsonl: no ${key} at step ${step}`);
      return v;
    };
    const atEnd = (run: number, key: string): number => mean(Array.from({ length: tail }, (_, i) => value(run, steps - i, key)));
    const stat = (f: (run: number) => number): SeedStat => seedStat(mine.map((_, run) => f(run)))!;

    const series = (key: string, stepsOf: number[]): Series => {
      const seeds = mine.map((_, run) => stepsOf.map((s) => value(run, s, key)));
      return { steps: stepsOf, seeds, ...band(seeds) };
    };
    const trainSteps = commonSteps(lines, TRAIN_SERIES.reward).filter((s) => s > 0);
    const accuracy = series(accuracyKey, evalSteps);
    const bestAt = accuracy.mean.indexOf(Math.max(...accuracy.mean));
    const gain = (run: number) => atEnd(run, TRAIN_SERIES.reward) - value(run, 1, TRAIN_SERIES.reward);
    return {
      algorithm,
      label: RECIPES[algorithm].label,
      seeds: mine.map((r) => r.seed),
      runDirs: mine.map((r) => r.cfg.run_dir),
      settings: mine[0].cfg.algorithm,
      critic: getAlgorithm(algorithm).usesCritic ? mine[0].cfg.critic : null,
      finalAccuracy: stat((run) => value(run, evalSteps[evalSteps.length - 1], accuracyKey)),
      earlyAccuracy: stat((run) => value(run, earlyStep, accuracyKey)),
      best: { accuracy: accuracy.mean[bestAt], step: accuracy.steps[bestAt] },
      kl: stat((run) => atEnd(run, TRAIN_SERIES.kl)),
      entropy: stat((run) => atEnd(run, TRAIN_SERIES.entropy)),
      responseLength: stat((run) => atEnd(run, TRAIN_SERIES.response_length)),
      reward: stat((run) => atEnd(run, TRAIN_SERIES.reward)),
      rewardGain: stat(gain),
      rewardPerKl: seedStat(mine.map((_, run) => [gain(run), atEnd(run, TRAIN_SERIES.kl)]).filter(([, kl]) => kl > 0).map(([g, kl]) => g / kl)),
      entropyDrop: stat((run) => 1 - atEnd(run, TRAIN_SERIES.entropy) / value(run, 1, TRAIN_SERIES.entropy)),
      seconds: stat((run) => summarizeRun(mine[run].cfg.run_dir).seconds),
      series: {
        accuracy,
        ...Object.fromEntries(Object.entries(TRAIN_SERIES).map(([name, key]) => [name, series(key, trainSteps)])) as Record<keyof typeof TRAIN_SERIES, Series>,
      },
    };
  });

  return {
    shared: {
      ...source,
      steps,
      promptsPerStep: cfg.rollout.prompts_per_step,
      samplesPerPrompt: cfg.rollout.samples_per_prompt,
      maxNewTokens: cfg.rollout.max_new_tokens,
      temperature: cfg.rollout.temperature,
      actorLr: cfg.actor.lr,
      actorMiniBatch: cfg.actor.mini_batch_size ?? null,
      actorEpochs: cfg.actor.epochs,
      policyStepsPerStep: cfg.actor.epochs * (cfg.actor.mini_batch_size ? (cfg.rollout.prompts_per_step * cfg.rollout.samples_per_prompt) / cfg.actor.mini_batch_size : 1),
      rewardValues: cfg.reward.values,
      benchmark: bench.name,
      benchmarkSamples: bench.n,
      evalEvery: cfg.trainer.eval_every,
    },
    accuracyKey,
    seeds: [...new Set(runs.map((r) => r.seed))],
    evalSteps,
    earlyStep,
    tail,
    algorithms,
  };
}

/** Steps at which every run logged `key`, ascending. */
function commonSteps(runs: readonly MetricsLine[][], key: string): number[] {
  const [first, ...rest] = runs.map((lines) => new Set(lines.filter((l) => key in l).map((l) => l.step)));
  return [...first].filter((s) => rest.every((r) => r.has(s))).sort((a, b) => a - b);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, v) => s + v, 0) / xs.length;
}
