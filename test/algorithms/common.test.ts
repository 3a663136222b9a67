import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/tensor/tensor.ts";
import { aggregationWeights, clippedPolicyLoss, klEstimate, miniBatchTotals, policyLoss, sequenceRatio, shapedScores,
  tokenRatio, tokenRewards } from "../../src/algorithms/common.ts";
import { advantageInput, cfg, close, closeArray, lossInput, offsetsOf } from "./helpers.ts";

// Six tokens whose ratios r = exp(logp − old) fall in each zone of the clipped loss.
const ratios = [1.5, 0.5, 0.5, 1.2, 4, 1.1];
const advs = [1, 1, -1, -1, -1, 2];
const logRatios = ratios.map(Math.log);

test("the clipped loss with ε_low 0.2, ε_high 0.28, its clip fraction, and the dual clip at c = 3", () => {
  const ratio = tokenRatio(tensor(logRatios), new Float32Array(6));
  closeArray(ratio.data, ratios);
  const plain = clippedPolicyLoss(ratio, Float32Array.from(advs), { low: 0.2, high: 0.28, dual: null });
  // −A·r vs −A·clip(r, 0.8, 1.28), the larger:
  //   A=1 r=1.5 → max(−1.5, −1.28); A=1 r=0.5 → max(−0.5, −0.8); A=−1 r=0.5 → max(0.5, 0.8);
  //   A=−1 r=1.2 → 1.2 (inside); A=−1 r=4 → max(4, 1.28); A=2 r=1.1 → −2.2 (inside)
  closeArray(plain.loss.data, [-1.28, -0.5, 0.8, 1.2, 4, -2.2]);
  assert.deepEqual(Array.from(plain.clipped), [1, 0, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(plain.dualClipped), [0, 0, 0, 0, 0, 0]);
  const dual = clippedPolicyLoss(ratio, Float32Array.from(advs), { low: 0.2, high: 0.28, dual: 3 });
  closeArray(dual.loss.data, [-1.28, -0.5, 0.8, 1.2, 3, -2.2]); // A=−1 r=4: min(4, −A·c = 3)
  assert.deepEqual(Array.from(dual.dualClipped), [0, 0, 0, 0, 1, 0]);
  const symmetric = clippedPolicyLoss(ratio, Float32Array.from(advs), { low: 0.2, high: 0.2, dual: null });
  close(symmetric.loss.data[0], -1.2); // the upper clip moves with ε_high alone
  close(symmetric.loss.data[2], 0.8); // the lower one does not
});

test("the token ratio clamps the log-ratio to ±20", () => {
  const r = tokenRatio(tensor([30, -30]), Float32Array.of(0, 0));
  close(r.data[0], Math.exp(20), 1e-5);
  close(r.data[1], Math.exp(-20), 1e-5);
});

test("GSPO's sequence ratio is the length-normalised ratio on every token of the response, capped at e^10", () => {
  // response 0: logπ − logπ_old = [0.2, −0.1, 0.5] with the last token masked → log s = 0.05; response 1: 0.3
  const old = Float32Array.of(-1, -1, -1, -2);
  const logp = tensor([-0.8, -1.1, -0.5, -1.7]);
  const s = sequenceRatio(logp, old, Float32Array.of(1, 1, 0, 1), offsetsOf([3, 1]));
  closeArray(s.data, [Math.exp(0.05), Math.exp(0.05), Math.exp(0.05), Math.exp(0.3)]);
  const capped = sequenceRatio(tensor([15, 15]), Float32Array.of(0, 0), Float32Array.of(1, 1), offsetsOf([2]));
  closeArray(capped.data, [Math.exp(10), Math.exp(10)], 1e-5);
});

test("KL estimators k1, k2, k3 and k3's clamp to ±10", () => {
  // δ = ref − logp = −0.5 and +0.3
  const logp = [-1, -1];
  const ref = [-1.5, -0.7];
  closeArray(klEstimate(logp, ref, "k1"), [0.5, -0.3]);
  closeArray(klEstimate(logp, ref, "k2"), [0.125, 0.045]);
  closeArray(klEstimate(logp, ref, "k3"), [Math.exp(-0.5) + 0.5 - 1, Math.exp(0.3) - 0.3 - 1]);
  // δ = 15: e^15 − 16 → 10; δ = −30 (clamped to −20 before exp): e^−20 + 19 → 10
  closeArray(klEstimate([0, 0], [15, -30], "k3"), [10, 10]);
});

test("the four aggregation weights over a micro-batch, from the mini-batch totals", () => {
  // response 0: two tokens in the loss; response 1: one token in, one masked; totals of a larger mini-batch
  const mask = Float32Array.of(1, 1, 1, 0);
  const offsets = offsetsOf([2, 2]);
  const totals = { tokens: 6, sequences: 4 };
  closeArray(aggregationWeights(mask, offsets, totals, "token-mean"), [1 / 6, 1 / 6, 1 / 6, 0]);
  closeArray(aggregationWeights(mask, offsets, totals, "seq-mean-token-mean"), [1 / 8, 1 / 8, 1 / 4, 0]);
  closeArray(aggregationWeights(mask, offsets, totals, "seq-mean-token-sum"), [1 / 4, 1 / 4, 1 / 4, 0]);
  closeArray(aggregationWeights(mask, offsets, totals, "seq-mean-token-sum-norm", 5), [1 / 20, 1 / 20, 1 / 20, 0]);
  assert.throws(() => aggregationWeights(mask, offsets, totals, "seq-mean-token-sum-norm"), /algorithm\.loss_agg_length/);
  closeArray(aggregationWeights(Float32Array.of(0, 0), offsetsOf([2]), { tokens: 0, sequences: 1 }, "seq-mean-token-mean"), [0, 0]);
});

test("each aggregation mode gives its hand value, and micro-batch losses sum to the mini-batch loss", () => {
  // ratio 1 everywhere (logp = old), so the per-token loss is −A: responses of 2, 1 and 3 tokens
  const lengths = [2, 1, 3];
  const advantages = [1, 2, 3, 4, 5, 6];
  const whole = { lengths, logp: [-1, -2, -1, -3, -1, -2], advantages };
  const totals = miniBatchTotals(new Float32Array(6).fill(1), offsetsOf(lengths));
  assert.deepEqual(totals, { tokens: 6, sequences: 3 });
  const expected = {
    "token-mean": -21 / 6,
    "seq-mean-token-mean": (-1.5 - 3 - 5) / 3,
    "seq-mean-token-sum": (-3 - 3 - 15) / 3,
    "seq-mean-token-sum-norm": -21 / (3 * 4),
  };
  for (const [mode, value] of Object.entries(expected)) {
    const c = cfg({ loss_agg_mode: mode, loss_agg_length: 4 });
    const full = policyLoss(lossInput(whole), c);
    close(full.loss.item(), value, 1e-5, mode);
    const first = policyLoss(lossInput({ lengths: [2], logp: [-1, -2], advantages: [1, 2], totals }), c);
    const rest = policyLoss(lossInput({ lengths: [1, 3], logp: [-1, -3, -1, -2], advantages: [3, 4, 5, 6], totals }), c);
    close(first.loss.item() + rest.loss.item(), value, 1e-5, `${mode} summed`);
    close(first.metrics["actor/pg_loss"] + rest.metrics["actor/pg_loss"], value, 1e-5, `${mode} pg_loss summed`);
  }
});

test("policyLoss adds the KL term and the entropy bonus, with token-share metrics", () => {
  // ratio 1, A = [1, −1]: pg = 0; k3 = [e^−0.5 − 0.5, e^0.3 − 1.3]; entropy [2, 4]
  const k3 = [Math.exp(-0.5) - 0.5, Math.exp(0.3) - 1.3];
  const klMean = (k3[0] + k3[1]) / 2;
  const input = () => lossInput({ lengths: [2], logp: [-1, -1], advantages: [1, -1], refLogp: [-1.5, -0.7], entropy: [2, 4] });
  const out = policyLoss(input(), cfg({ kl: { placement: "loss", coef: 0.1 }, entropy_coef: 0.01 }));
  close(out.loss.item(), 0.1 * klMean - 0.01 * 3);
  close(out.metrics["actor/pg_loss"], 0);
  close(out.metrics["actor/kl_loss"], klMean);
  close(out.metrics["actor/kl"], klMean);
  close(out.metrics["actor/entropy"], 3);
  close(out.metrics["actor/ppo_kl"], 0);
  // KL only logged, no bonus: the loss is the pg term alone
  const logged = policyLoss(input(), cfg());
  close(logged.loss.item(), 0);
  assert.equal(logged.metrics["actor/kl_loss"], undefined);
  close(logged.metrics["actor/kl"], klMean);
  assert.throws(() => policyLoss(lossInput({ lengths: [1], logp: [-1] }), cfg({ kl: { placement: "loss" } })), /no refLogp/);
});

test("policyLoss metrics: clip fractions and ppo_kl as token shares, whatever the aggregation", () => {
  const old = [0, 0, 0, 0, 0, 0];
  const input = () => lossInput({ lengths: [2, 4], logp: logRatios, oldLogp: old, advantages: advs });
  for (const mode of ["token-mean", "seq-mean-token-sum"]) {
    const out = policyLoss(input(), cfg({ clip_ratio_high: 0.28, clip_ratio_c: 3, loss_agg_mode: mode }));
    close(out.metrics["actor/pg_clipfrac"], 2 / 6, 1e-6, mode);
    close(out.metrics["actor/pg_clipfrac_lower"], 1 / 6, 1e-6, mode);
    close(out.metrics["actor/ppo_kl"], -logRatios.reduce((a, b) => a + b, 0) / 6, 1e-6, mode);
  }
  const tokenMean = policyLoss(input(), cfg({ clip_ratio_high: 0.28, clip_ratio_c: 3 }));
  close(tokenMean.loss.item(), (-1.28 - 0.5 + 0.8 + 1.2 + 3 - 2.2) / 6);
});

test("tokenRewards puts the score on the last token and subtracts coef·KL on every masked token", () => {
  // k1 = old − ref = [0.5, −0.5 | 0.2]; second response's token masked
  const input = advantageInput({ lengths: [2, 1], groups: [0, 0], scores: [1, 0.5], oldLogp: [-1, -2, -1], refLogp: [-1.5, -1.5, -1.2], mask: [1, 1, 0] });
  const none = tokenRewards(input, cfg());
  closeArray(none.rewards, [0, 1, 0.5]);
  const kl = tokenRewards(input, cfg({ kl: { placement: "reward", estimator: "k1", coef: 0.1 } }));
  closeArray(kl.rewards, [-0.05, 1.05, 0.5]);
  close(kl.metrics["actor/reward_kl_penalty"], 0);
  const scores = shapedScores(input, cfg({ kl: { placement: "reward", estimator: "k1", coef: 0.1 } }));
  closeArray(scores.scores, [1, 0.5]); // the masked token's KL does not count
  const shaped = shapedScores(advantageInput({ lengths: [2], groups: [0], scores: [1], oldLogp: [-1, -1], refLogp: [-1.5, -1.2] }),
    cfg({ kl: { placement: "reward", estimator: "k1", coef: 0.1 } }));
  closeArray(shaped.scores, [1 - 0.1 * (0.5 + 0.2)]);
  assert.throws(() => tokenRewards(advantageInput({ lengths: [1], groups: [0], scores: [1] }), cfg({ kl: { placement: "reward" } })), /no refLogp/);
});
