/**
 * End to end on a tiny random model and a reward it can learn in seconds (a digit anywhere in a
 * 4-token response, about 20% at the start): for every algorithm, the reward rises.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ALGORITHM_NAMES } from "../../src/algorithms/registry.ts";
import { RunConfigSchema } from "../../src/trainer/config.ts";
import { train } from "../../src/trainer/train.ts";
import { tempDir, tinyConfig } from "../helpers/tiny-run.ts";

const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
const root = tempDir("learn");

for (const name of ALGORITHM_NAMES) {
  test(`${name}: the reward rises within 10 steps`, async () => {
    const cfg = RunConfigSchema.parse(tinyConfig(root, {
      run_dir: `${root}/${name}`,
      algorithm: { name },
      trainer: { steps: 10, eval_every: 0, save_every: 0 },
    }));
    const scores: number[] = [];
    await train(cfg, { out: quiet, onStep: (_, m) => scores.push(m["critic/score/mean"]) });
    const first = scores[0];
    const last = (scores[7] + scores[8] + scores[9]) / 3;
    assert.ok(first < 0.4, `${name}: the task starts hard enough (${first})`);
    assert.ok(last > first + 0.3, `${name}: score ${scores.map((s) => s.toFixed(2)).join(" ")}`);
  });
}
