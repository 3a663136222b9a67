/**
 * The runs of a comparison: the override order (recipe, ±1 rewards, the user's --set and --steps,
 * then the comparison's own keys), the inputs it refuses, and how an existing run directory is
 * judged. No training: configs are only resolved.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { UserInputError } from "../../src/errors.ts";
import { planComparison, runState, type ComparisonRequest } from "../../src/compare/plan.ts";
import { COMPARE_ALGORITHMS, parseAlgorithms } from "../../src/compare/recipes.ts";
import { configToYaml } from "../../src/trainer/load-config.ts";
import { tempDir, writeConfig } from "../helpers/tiny-run.ts";

const root = tempDir("compare-plan");
const baseConfig = {
  model: { path: "model" },
  data: { train: { path: "train.jsonl" }, eval: [{ name: "heldout", dataset: { path: "eval.jsonl" } }] },
  reward: { values: "orz" },
  algorithm: { name: "ppo", value_clip: 0.3 },
  trainer: { steps: 50, eval_every: 5, log_kl: false },
};
const base = writeConfig(path.join(root, "base.yaml"), baseConfig);
const request = (extra: Partial<ComparisonRequest> = {}): ComparisonRequest =>
  ({ algorithms: ["raft", "ppo"], seeds: 2, base: { file: base }, set: [], out: path.join(root, "out"), ...extra });

test("one run per algorithm and seed: the recipe replaces algorithm:, rewards ±1, then --set and --steps, then seed and run_dir", () => {
  const runs = planComparison(request({ set: ["actor.lr=0.01"], steps: 7 }));
  assert.deepEqual(runs.map((r) => [r.algorithm, r.seed]), [["raft", 0], ["raft", 1], ["ppo", 0], ["ppo", 1]]);
  const [raft0, , ppo0, ppo1] = runs.map((r) => r.cfg);
  assert.equal(raft0.algorithm.name, "raft");
  assert.equal(raft0.algorithm.value_clip, 0.2, "the base's algorithm: keys are dropped");
  assert.deepEqual(raft0.algorithm.kl, { placement: "loss", estimator: "k3", coef: 0.001 });
  assert.equal(ppo0.algorithm.value_clip, 0.5);
  assert.equal(raft0.reward.values, "minimalist");
  assert.equal(raft0.actor.lr, 0.01);
  assert.equal(raft0.actor.mini_batch_size, 128 * 64 / 4, "one policy step per batch becomes Minimal-RL's 4");
  assert.equal(raft0.trainer.steps, 7);
  assert.equal(raft0.trainer.log_kl, true, "the KL is compared, so it is always logged");
  assert.deepEqual([ppo1.seed, ppo1.run_dir], [1, path.join(root, "out", "runs", "ppo-seed1")]);
  assert.equal(planComparison(request({ set: ["reward.values=orz"] }))[0].cfg.reward.values, "orz", "--set wins over the comparison's defaults");
  assert.equal(planComparison(request({ set: ["actor.mini_batch_size=8192"] }))[0].cfg.actor.mini_batch_size, 8192, "a mini-batch of one's own is kept");
  assert.equal(planComparison(request({ set: ["actor.epochs=2"] }))[0].cfg.actor.mini_batch_size, undefined, "several epochs are off-policy already");
  assert.equal(planComparison(request({ set: ["rollout.samples_per_prompt=3", "rollout.prompts_per_step=3"] }))[0].cfg.actor.mini_batch_size, undefined, "9 responses do not split in 4");
  const all = planComparison(request({ algorithms: COMPARE_ALGORITHMS, seeds: 1 }));
  assert.deepEqual(all.map((r) => r.cfg.algorithm.name), COMPARE_ALGORITHMS, "every recipe is a valid algorithm: section");
});

test("refused: --set of the comparison's own keys, a base without a held-out set, unknown or repeated algorithms", () => {
  assert.throws(() => planComparison(request({ set: ["seed=4"] })), (e) => e instanceof UserInputError && /--set seed=4: rlzero compare sets each run's seed/.test(e.message));
  const noEval = writeConfig(path.join(root, "no-eval.yaml"), { ...baseConfig, data: { train: { path: "train.jsonl" } } });
  assert.throws(() => planComparison(request({ base: { file: noEval } })), /no-eval\.yaml: rlzero compare compares held-out accuracy: the base config needs a data\.eval set/);
  assert.throws(() => planComparison(request({ set: ["algorithm.bogus=1"] })), /algorithm\.bogus: unknown key/);
  assert.throws(() => parseAlgorithms("raft,sft"), /unknown algorithm "sft"; known: raft, raftpp, reinforce, reinforce_rej, grpo, ppo, dpo/);
  assert.throws(() => parseAlgorithms("raft,grpo,raft"), /raft is given twice/);
  assert.deepEqual(parseAlgorithms(" grpo , dpo"), ["grpo", "dpo"]);
});

test("runState: new, unfinished, finished; a run made with other settings is an error naming the keys", () => {
  const [run] = planComparison(request({ seeds: 1 }));
  const dir = run.cfg.run_dir;
  assert.equal(runState(run.cfg), "new");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "config.yaml"), configToYaml({ ...run.cfg, run_dir: "/moved/elsewhere" }));
  assert.equal(runState(run.cfg), "unfinished", "the output directory may move");
  fs.writeFileSync(path.join(dir, "run.json"), JSON.stringify({ status: "finished", step: 50 }));
  assert.equal(runState(run.cfg), "finished");
  fs.writeFileSync(path.join(dir, "run.json"), JSON.stringify({ status: "interrupted", step: 20 }));
  assert.equal(runState(run.cfg), "unfinished");
  const [other] = planComparison(request({ seeds: 1, steps: 60, set: ["actor.lr=0.5"] }));
  assert.throws(() => runState(other.cfg), (e) => e instanceof UserInputError && /config\.yaml: this run was made with other settings \(actor\.lr, trainer\.steps\)/.test(e.message));
});
