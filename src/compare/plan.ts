/**
 * The runs of a comparison: one per algorithm and seed, each a full run config resolved from
 * the shared base by `--set`-style overrides, applied in this order:
 *
 *   base config (file or built-in default)
 *   -> algorithm: <the recipe>          the whole section replaced (recipes.ts)
 *   -> reward.values: minimalist        ±1, as the Minimalist paper runs every algorithm
 *   -> actor.mini_batch_size: R/4       when the base takes one policy step per batch (offPolicyMiniBatch)
 *   -> the user's --set, then --steps   shared by every run, so they may change any of the above
 *   -> trainer.log_kl: true, seed: k, run_dir: OUT/runs/<algorithm>-seed<k>   owned by the comparison
 *
 * and whether each run is new, finished (reused) or unfinished (resumed from its checkpoint).
 */
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { UserInputError } from "../errors.ts";
import type { RunConfig } from "../trainer/config.ts";
import { configToYaml, resolveConfig, type ConfigRequest } from "../trainer/load-config.ts";
import { RECIPES, type CompareAlgorithm } from "./recipes.ts";

export interface ComparisonRequest {
  algorithms: CompareAlgorithm[];
  /** Seeds 0 .. seeds − 1. */
  seeds: number;
  /** The base config: a file, or the built-in default's text. */
  base: Pick<ConfigRequest, "file" | "fallback">;
  /** `key=value` overrides applied to every run. */
  set: string[];
  steps?: number;
  /** The output directory (docs/RUN_DIRECTORY.md). */
  out: string;
}

export interface PlannedRun {
  algorithm: CompareAlgorithm;
  seed: number;
  cfg: RunConfig;
}

/** Keys the comparison sets for each run; a --set of them would be overwritten, so it is an error. */
const OWNED_KEYS = ["seed", "run_dir", "trainer.log_kl"];

/** Minimal-RL's policy optimizer steps per iteration (../shared/RECIPES.md). */
const POLICY_STEPS_PER_ITERATION = 4;

export function planComparison(req: ComparisonRequest): PlannedRun[] {
  for (const o of req.set) {
    const key = o.slice(0, Math.max(0, o.indexOf("=")));
    if (OWNED_KEYS.includes(key)) {
      throw new UserInputError(`--set ${o}: rlzero compare sets each run's seed (0 .. --seeds − 1), run directory (under --out) and trainer.log_kl (the KL is compared)`);
    }
  }
  const resolve = (algorithm: CompareAlgorithm, seed: number, miniBatch: number | null) => resolveConfig({
    ...req.base,
    set: [
      `algorithm=${JSON.stringify(RECIPES[algorithm].algorithm)}`,
      "reward.values=minimalist",
      ...(miniBatch !== null ? [`actor.mini_batch_size=${miniBatch}`] : []),
      ...req.set,
      ...(req.steps !== undefined ? [`trainer.steps=${req.steps}`] : []),
      "trainer.log_kl=true",
      `seed=${seed}`,
      `run_dir=${JSON.stringify(runDirectory(req.out, algorithm, seed))}`,
    ],
  });
  const miniBatch = offPolicyMiniBatch(resolve(req.algorithms[0], 0, null));
  const runs = req.algorithms.flatMap((algorithm) => Array.from({ length: req.seeds }, (_, seed) => ({
    algorithm, seed, cfg: resolve(algorithm, seed, miniBatch),
  })));
  const { cfg } = runs[0];
  if (cfg.data.eval.length === 0 || cfg.trainer.eval_every === 0) {
    throw new UserInputError(`${req.base.file ?? req.base.fallback?.label}: rlzero compare compares held-out accuracy: the base config needs a data.eval set and trainer.eval_every > 0`);
  }
  return runs;
}

/**
 * With one policy optimizer step per rollout batch every update is on-policy: the ratio is 1, so
 * RAFT++ would be RAFT and no clip would act. A base config (with the user's --set) that leaves
 * actor.mini_batch_size unset at one epoch gets Minimal-RL's 4 steps per iteration, for every
 * algorithm alike; null when it sets its own, or when the batch does not split in 4.
 */
function offPolicyMiniBatch(base: RunConfig): number | null {
  const responses = base.rollout.prompts_per_step * base.rollout.samples_per_prompt;
  if (base.actor.mini_batch_size !== undefined || base.actor.epochs > 1 || responses % POLICY_STEPS_PER_ITERATION !== 0) return null;
  return responses / POLICY_STEPS_PER_ITERATION;
}

export function runDirectory(out: string, algorithm: string, seed: number): string {
  return path.join(out, "runs", `${algorithm}-seed${seed}`);
}

export type RunState = "new" | "finished" | "unfinished";

/**
 * Whether the run directory holds nothing yet, a finished run, or an unfinished one (interrupted,
 * killed or failed: train resumes it from its last checkpoint). A run made with other settings is
 * an error: mixing it into the comparison would compare unlike runs.
 */
export function runState(cfg: RunConfig): RunState {
  const configFile = path.join(cfg.run_dir, "config.yaml");
  if (!fs.existsSync(configFile)) return "new";
  const differ = differingKeys(withoutRunDir(YAML.parse(fs.readFileSync(configFile, "utf8"))), withoutRunDir(YAML.parse(configToYaml(cfg))));
  if (differ.length > 0) {
    throw new UserInputError(`${configFile}: this run was made with other settings (${differ.slice(0, 5).join(", ")}${differ.length > 5 ? ", ..." : ""}); ` +
      `give another --out, or delete ${cfg.run_dir} to run it again`);
  }
  let run: { status?: string; step?: number } = {};
  try {
    run = JSON.parse(fs.readFileSync(path.join(cfg.run_dir, "run.json"), "utf8"));
  } catch {
    // no run.json yet: killed at start-up
  }
  return run.status === "finished" && run.step === cfg.trainer.steps ? "finished" : "unfinished";
}

/** The run directory may be reached by another path (the output directory moved); the settings are what matter. */
function withoutRunDir(cfg: Record<string, unknown>): Record<string, unknown> {
  const { run_dir: _, ...rest } = cfg;
  return rest;
}

/** Dotted keys whose values differ between two parsed configs. */
export function differingKeys(a: unknown, b: unknown, prefix = ""): string[] {
  const isMapping = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  if (isMapping(a) && isMapping(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingKeys(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || "(top level)"];
}
