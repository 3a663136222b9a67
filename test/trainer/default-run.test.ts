/**
 * `rlzero train` on the built-in default (configs/default.yaml, the shipped models/tiny-arith),
 * cut to two small steps: it makes a fresh run directory under ./runs, evaluates the base and the
 * final model, and prints the summary the README promises.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { rlzeroAsync as rlzero } from "../cli/spawn-cli.ts";
import { tempDir } from "../helpers/tiny-run.ts";

const small = ["trainer.steps=2", "trainer.eval_every=2", "rollout.prompts_per_step=4", "rollout.samples_per_prompt=2",
  "critic.mini_batch_size=4", "data.eval=[{name: arith, dataset: {task: arith, split: eval, count: 8, seed: 1}, n: 1}]"];

test("rlzero train with the default config: a fresh run directory, evaluations of the base and the final model, the summary", { timeout: 600_000 }, async () => {
  const cwd = tempDir("default-run");
  for (const expected of ["runs/default", "runs/default-2"]) {
    const r = await rlzero(["--threads", "2", "train", "--set", ...small], undefined, cwd);
    assert.equal(r.status, 0, r.stderr);
    const runDir = path.join(cwd, expected);
    for (const f of ["config.yaml", "run.json", "metrics.jsonl", "summary.json"]) assert.ok(fs.existsSync(path.join(runDir, f)), `${expected}/${f}`);
    assert.match(r.stdout, new RegExp(`finished: 2 steps in \\d+\\.\\d min; run directory ${expected}`));
    assert.match(r.stdout, /arith \(step 0 -> 2\): pass@1 \(avg of 1\) \d+\.\d% -> \d+\.\d%; response length \d+\.\d -> \d+\.\d tokens; reflection rate \d+\.\d% -> \d+\.\d%/);
    const config = fs.readFileSync(path.join(runDir, "config.yaml"), "utf8");
    assert.match(config, /name: ppo/);
    assert.match(config, /models\/tiny-arith/);
    const metrics = fs.readFileSync(path.join(runDir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(metrics.filter((m) => "critic/score/mean" in m).map((m) => m.step), [1, 2]);
    assert.ok(metrics.filter((m) => "critic/score/mean" in m).every((m) => Number.isFinite(m["critic/vf_loss"])), "a critic trains (PPO)");
  }
});
