import { test } from "node:test";
import assert from "node:assert/strict";
import { gae, explainedVariance, ppo } from "../../src/algorithms/ppo.ts";
import { maskedWhiten } from "../../src/algorithms/stats.ts";
import { grpo, grpoAdvantages } from "../../src/algorithms/grpo.ts";
import { rlooAdvantages } from "../../src/algorithms/rloo.ts";
import { reinforcePP, reinforcePPAdvantages } from "../../src/algorithms/reinforce_pp.ts";
import { reinforce } from "../../src/algorithms/reinforce.ts";
import { reinforceRej, rejectionFilter } from "../../src/algorithms/reinforce_rej.ts";
import { raft, raftAdvantages } from "../../src/algorithms/raft.ts";
import { raftpp } from "../../src/algorithms/raftpp.ts";
import { dpo, dpoPairs } from "../../src/algorithms/dpo.ts";
import { advantageInput, cfg, close, closeArray, offsetsOf } from "./helpers.ts";

// Two responses: 3 tokens with score 1, 2 tokens with score 0; values at each token.
const offsets = offsetsOf([3, 2]);
const values = [0.2, 0.5, 0.9, 0.3, -0.1];
const rewards = [0, 0, 1, 0, 0];

test("GAE with γ = λ = 1 is r − V, and the returns are the score", () => {
  const { advantages, returns } = gae(rewards, values, offsets, 1, 1);
  closeArray(advantages, [0.8, 0.5, 0.1, -0.3, 0.1]);
  closeArray(returns, [1, 1, 1, 0, 0]);
});

test("GAE with γ = 0.9, λ = 0.8 on three tokens, by hand", () => {
  // t=2: δ = 1 − 0.8 = 0.2, A = 0.2;  t=1: δ = 0.9·0.8 − 0.6 = 0.12, A = 0.12 + 0.72·0.2 = 0.264;
  // t=0: δ = 0.9·0.6 − 0.5 = 0.04, A = 0.04 + 0.72·0.264 = 0.23008;  R = A + V
  const { advantages, returns } = gae([0, 0, 1], [0.5, 0.6, 0.8], offsetsOf([3]), 0.9, 0.8);
  closeArray(advantages, [0.23008, 0.264, 0.2]);
  closeArray(returns, [0.73008, 0.864, 1]);
});

test("masked whitening: mean and unbiased variance over masked tokens, masked tokens 0", () => {
  // all five: mean 0.24, deviations² sum 0.712, var 0.712/4 = 0.178
  const all = maskedWhiten([0.8, 0.5, 0.1, -0.3, 0.1], [1, 1, 1, 1, 1]);
  closeArray(all, [0.56, 0.26, -0.14, -0.54, -0.14].map((d) => d / Math.sqrt(0.178 + 1e-8)));
  // last masked: mean 0.275, deviations² sum 0.6875, var 0.6875/3
  const masked = maskedWhiten([0.8, 0.5, 0.1, -0.3, 0.1], [1, 1, 1, 1, 0]);
  closeArray(masked, [0.525, 0.225, -0.175, -0.575].map((d) => d / Math.sqrt(0.6875 / 3 + 1e-8)).concat(0));
});

test("PPO advantages: GAE, whitened over the batch, with returns and critic metrics", () => {
  const input = advantageInput({ lengths: [3, 2], groups: [0, 1], scores: [1, 0], values });
  const out = ppo.advantages(input, cfg());
  closeArray(out.advantages, [0.56, 0.26, -0.14, -0.54, -0.14].map((d) => d / Math.sqrt(0.178 + 1e-8)));
  closeArray(out.returns!, [1, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(out.keep), [1, 1]);
  close(out.metrics["critic/returns/mean"], 0.6);
  close(out.metrics["critic/values/mean"], 0.36);
  // Var(R − V) = 0.178, Var(R) = 1.2/4 = 0.3
  close(out.metrics["critic/vf_explained_var"], 1 - 0.178 / (0.3 + 1e-5));
  close(out.metrics["critic/advantages/mean"], 0, 1e-6);
  close(out.metrics["critic/advantages/max"], 0.56 / Math.sqrt(0.178 + 1e-8));
  const raw = ppo.advantages(input, cfg({ normalize_advantages: false }));
  closeArray(raw.advantages, [0.8, 0.5, 0.1, -0.3, 0.1]);
  close(explainedVariance([1, 1], [1, 1], [1, 1]), 1);
  assert.throws(() => ppo.advantages(advantageInput({ lengths: [1], groups: [0], scores: [1] }), cfg()), /no critic values/);
});

test("PPO with the KL in the reward runs GAE over score − coef·KL_t", () => {
  // one response, k1 = old − ref = [0.5, −0.5], coef 0.1: rewards [−0.05, 1.05]; V = 0: A = [1, 1.05]
  const input = advantageInput({ lengths: [2], groups: [0], scores: [1], values: [0, 0], oldLogp: [-1, -2], refLogp: [-1.5, -1.5] });
  const out = ppo.advantages(input, cfg({ normalize_advantages: false, kl: { placement: "reward", estimator: "k1", coef: 0.1 } }));
  closeArray(out.advantages, [1, 1.05]);
  close(out.metrics["actor/reward_kl_penalty"], 0);
});

// Groups interleaved on purpose: membership is by id, not position.
const groups = Int32Array.of(0, 2, 0, 1, 0, 2, 0);
const scores = [1, 0, 0, 1, 0, 0, 1]; // group 0: [1, 0, 0, 1]; group 1: [1] alone; group 2: [0, 0]

test("GRPO: group std (unbiased), none, batch, and a group of one", () => {
  const s = 0.5 / (Math.sqrt(1 / 3) + 1e-6); // group 0: mean 0.5, std sqrt(1/3)
  closeArray(grpoAdvantages(scores, groups, "group"), [s, 0, -s, 1, -s, 0, s]);
  closeArray(grpoAdvantages(scores, groups, "none"), [0.5, 0, -0.5, 1, -0.5, 0, 0.5]);
  // batch: std of all seven scores, mean 3/7: Σ(r − mean)² = 12/7, var = 2/7
  const b = Math.sqrt(2 / 7) + 1e-6;
  closeArray(grpoAdvantages(scores, groups, "batch"), [0.5 / b, 0, -0.5 / b, 1 / b, -0.5 / b, 0, 0.5 / b]);
  closeArray(grpoAdvantages([3], Int32Array.of(0), "batch"), [3 / (1 + 1e-6)]);
});

test("GRPO's advantages() spreads each response's advantage over its masked tokens", () => {
  const input = advantageInput({ lengths: [2, 1], groups: [0, 0], scores: [1, 0], mask: [1, 0, 1] });
  const a = 0.5 / (Math.sqrt(0.5) + 1e-6);
  const out = grpo.advantages(input, cfg({ name: "grpo" }));
  closeArray(out.advantages, [a, 0, -a]);
  close(out.metrics["critic/advantages/mean"], 0, 1e-6);
  close(out.metrics["critic/advantages/min"], -a);
});

test("RLOO: the score minus the mean of the other responses of its group; a group of one keeps its score", () => {
  closeArray(rlooAdvantages(scores, groups), [2 / 3, 0, -2 / 3, 1, -2 / 3, 0, 2 / 3]);
  closeArray(rlooAdvantages([0.5, 1.5], Int32Array.of(4, 4)), [-1, 1]);
});

test("REINFORCE++ baseline: group mean subtracted, then whitened over the batch's tokens", () => {
  // group 0: [1, 0] → [0.5, −0.5] over 2 and 1 tokens; group 1 alone: 1. Tokens [0.5, 0.5, −0.5, 1]:
  // mean 0.375, deviations [0.125, 0.125, −0.875, 0.625], Σ² = 1.1875, var = 1.1875/3
  const expected = [0.125, 0.125, -0.875, 0.625].map((d) => d / Math.sqrt(1.1875 / 3 + 1e-8));
  closeArray(reinforcePPAdvantages([1, 0, 1], Int32Array.of(0, 0, 1), offsetsOf([2, 1, 1]), new Float32Array(4).fill(1)), expected);
  const out = reinforcePP.advantages(advantageInput({ lengths: [2, 1, 1], groups: [0, 0, 1], scores: [1, 0, 1] }), cfg());
  closeArray(out.advantages, expected);
});

test("Reinforce: the raw score on every token", () => {
  const out = reinforce.advantages(advantageInput({ lengths: [2, 1], groups: [0, 0], scores: [1, -1] }), cfg());
  closeArray(out.advantages, [1, 1, -1]);
});

test("Reinforce-Rej's two filters, separately and together", () => {
  // group 0 all correct, group 1 all wrong, group 2 mixed
  const g = Int32Array.of(0, 0, 1, 1, 2, 2);
  const correct = Uint8Array.of(1, 1, 0, 0, 1, 0);
  const both = rejectionFilter(g, correct, true, true);
  assert.deepEqual(Array.from(both.selected), [0, 0, 0, 0, 1, 1]);
  assert.deepEqual([both.allCorrect, both.allWrong], [1, 1]);
  const onlyCorrect = rejectionFilter(g, correct, true, false);
  assert.deepEqual(Array.from(onlyCorrect.selected), [0, 0, 1, 1, 1, 1]);
  assert.deepEqual([onlyCorrect.allCorrect, onlyCorrect.allWrong], [1, 0]);
  const onlyWrong = rejectionFilter(g, correct, false, true);
  assert.deepEqual(Array.from(onlyWrong.selected), [1, 1, 0, 0, 1, 1]);
  assert.deepEqual([onlyWrong.allCorrect, onlyWrong.allWrong], [0, 1]);
  const input = advantageInput({ lengths: [1, 1, 1, 1, 1, 1], groups: [0, 0, 1, 1, 2, 2], scores: [1, 1, -1, -1, 1, -1] });
  const zeroed = reinforceRej.advantages(input, cfg({ name: "reinforce_rej" }));
  closeArray(zeroed.advantages, [0, 0, 0, 0, 1, -1]);
  assert.deepEqual(Array.from(zeroed.keep), [1, 1, 1, 1, 1, 1]); // Minimal-RL's code: filtered responses stay, with A = 0
  assert.deepEqual([zeroed.metrics["train/filtered_prompts"], zeroed.metrics["train/filtered_prompts/all_correct"],
    zeroed.metrics["train/filtered_prompts/all_wrong"]], [2, 1, 1]);
  const dropped = reinforceRej.advantages(input, cfg({ name: "reinforce_rej", drop_filtered: true }));
  assert.deepEqual(Array.from(dropped.keep), [0, 0, 0, 0, 1, 1]);
});

test("RAFT selects the correct responses, advantage max(score, 0); RAFT++ shares the selection", () => {
  // a correct response with a score shaped below 0 stays selected with advantage 0
  closeArray(raftAdvantages([1, -1, 0.4, 0, -0.2], Uint8Array.of(1, 0, 1, 0, 1)), [1, 0, 0.4, 0, 0]);
  const input = advantageInput({ lengths: [2, 1, 1], groups: [0, 0, 1], scores: [1, -1, 0.5], correct: [1, 0, 1] });
  for (const algo of [raft, raftpp]) {
    const kept = algo.advantages(input, cfg({ name: algo.name }));
    closeArray(kept.advantages, [1, 1, 0, 0.5]);
    assert.deepEqual(Array.from(kept.keep), [1, 1, 1]);
    assert.equal(kept.metrics["train/selected_responses"], 2);
    const dropped = algo.advantages(input, cfg({ name: algo.name, drop_filtered: true }));
    assert.deepEqual(Array.from(dropped.keep), [1, 0, 1]);
  }
});

test("DPO pairs the best and the worst response of each group and skips ties", () => {
  // group 0: [1, −1, 1, 0] → best 0 (first of the tie at 1), worst 1; group 1: [1, 1] tie; group 2: [0.2, 0.7]
  const g = Int32Array.of(0, 0, 1, 2, 0, 0, 1, 2);
  const s = [1, -1, 1, 0.2, 1, 0, 1, 0.7];
  assert.deepEqual(dpoPairs(s, g), [[0, 1], [7, 3]]);
  const out = dpo.advantages(advantageInput({ lengths: [1, 1, 1, 1, 1, 1, 1, 1], groups: Array.from(g), scores: s }), cfg({ name: "dpo" }));
  assert.deepEqual(out.units, [[0, 1], [7, 3]]);
  assert.deepEqual(Array.from(out.keep), [1, 1, 0, 1, 0, 0, 0, 1]);
  assert.equal(out.metrics["train/dpo_pairs"], 2);
});
