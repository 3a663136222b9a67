/**
 * The RL step of the built-in default (configs/default.yaml: PPO on the shipped tiny model, 32
 * prompts x 8 samples), run by the trainer itself for a few steps: seconds per phase (the
 * trainer's timing_s/* metrics, mean over the steps after the first) and the share of the step
 * spent outside the native kernels and outside the wait for the verifier pool, i.e. in
 * TypeScript: scheduling, tape, batching, bookkeeping.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveConfig } from "../src/trainer/load-config.ts";
import { train } from "../src/trainer/train.ts";
import { DEFAULT_CONFIG_FILE, defaultModelOverride } from "../src/trainer/default-run.ts";
import { formatProfile, profiledAsync } from "./profile.ts";

const PHASES = ["gen", "reward", "old_log_prob", "ref", "values", "adv", "update_actor", "update_critic"];

export async function benchRlStep(steps = 4): Promise<string[]> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-bench-rl-"));
  const cfg = resolveConfig({
    file: DEFAULT_CONFIG_FILE,
    set: [defaultModelOverride(), `run_dir=${runDir}`, `trainer.steps=${steps}`, "trainer.eval_every=0", "trainer.save_every=0"],
  });
  const metrics: Record<string, number>[] = [];
  const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
  // Wall and kernel time at the end of step 1: the steps after it are the steady state (the
  // first also loads the models, starts the verifier pool and warms the caches).
  let afterFirst = { wallMs: 0, kernelMs: 0 };
  let last = { wallMs: 0, kernelMs: 0 };
  const profile = await profiledAsync(async (kernelMs) => {
    await train(cfg, {
      out: quiet,
      onStep: (step, m) => {
        metrics.push(m);
        const now = { wallMs: performance.now(), kernelMs: kernelMs() };
        if (step === 1) afterFirst = now;
        last = now;
      },
    });
  });
  fs.rmSync(runDir, { recursive: true, force: true });
  const later = metrics.slice(1);
  const mean = (key: string) => later.reduce((s, m) => s + (m[key] ?? 0), 0) / later.length;
  const step = mean("timing_s/step");
  const lines = [`  ${cfg.rollout.prompts_per_step} prompts x ${cfg.rollout.samples_per_prompt} samples, ` +
    `response length ${mean("response_length/mean").toFixed(1)} tokens; ${step.toFixed(2)} s a step (mean of steps 2-${steps})`];
  for (const phase of PHASES) {
    const s = mean(`timing_s/${phase}`);
    lines.push(`    ${phase.padEnd(14)} ${s.toFixed(3).padStart(7)} s ${((100 * s) / step).toFixed(1).padStart(5)}%`);
  }
  // Steps 2..N: wall time minus the kernels minus the time the loop waited for grading.
  const wallMs = last.wallMs - afterFirst.wallMs;
  const kernelsMs = last.kernelMs - afterFirst.kernelMs;
  const rewardMs = 1000 * later.reduce((s, m) => s + (m["timing_s/reward"] ?? 0), 0);
  const outsideMs = wallMs - kernelsMs - rewardMs;
  lines.push(`  steps 2-${steps}, ${(wallMs / 1000).toFixed(1)} s: native kernels ${(kernelsMs / 1000).toFixed(1)} s, ` +
    `waiting for the verifier ${(rewardMs / 1000).toFixed(1)} s, outside both ${(outsideMs / 1000).toFixed(1)} s ` +
    `(${((100 * outsideMs) / wallMs).toFixed(1)}%; target under 10%)`);
  lines.push(`  the whole run (set-up and step 1 included), per kernel:`);
  lines.push(...formatProfile(profile));
  return lines;
}
