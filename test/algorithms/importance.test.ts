/**
 * Truncated importance sampling: the weights ρ_t = min(exp(logπ_old − logπ_sampler), C) by hand,
 * their place in the policy loss (they scale the policy-gradient term only, per token), and the
 * gradient of the weighted loss against finite differences.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { policyLoss, truncatedIsWeights } from "../../src/algorithms/common.ts";
import { dpo } from "../../src/algorithms/dpo.ts";
import { raft } from "../../src/algorithms/raft.ts";
import type { LossInput } from "../../src/algorithms/types.ts";
import { gradcheck } from "../helpers/gradcheck.ts";
import { cfg, close, closeArray, lossInput } from "./helpers.ts";

test("ρ_t = min(exp(logπ_old − logπ_sampler), C), with its mean and the share truncated over masked tokens", () => {
  const old = [-1, -1, -2, -0.5, -3];
  const sampler = [-1, -1.5, -1, -3, -1];
  //               ratio 1, e^0.5 = 1.6487, e^-1 = 0.3679, e^2.5 = 12.18 → C, e^-2 (masked out)
  const { weights, metrics } = truncatedIsWeights(old, sampler, 2, [1, 1, 1, 1, 0]);
  closeArray(weights, [1, Math.exp(0.5), Math.exp(-1), 2, Math.exp(-2)]);
  close(metrics["rollout_corr/rollout_is_mean"], (1 + Math.exp(0.5) + Math.exp(-1) + 2) / 4);
  close(metrics["rollout_corr/rollout_is_ratio_fraction_high"], 1 / 4);
  // log-ratios beyond ±20 are clamped (verl's safety bound) before the cap
  const far = truncatedIsWeights([0, 0], [100, -100], 1e12, [1, 1]).weights;
  closeArray(far, [Math.exp(-20), Math.exp(20)], 1e-5);
  assert.throws(() => truncatedIsWeights([0], [0], 0, [1]), /cap must be positive/);
});

/** Two responses of lengths 2 and 3; ratios inside the clip except token 3 (r = 1.5, A < 0). */
const input = (): LossInput => lossInput({
  lengths: [2, 3],
  logp: [-1.1, -0.9, -2, Math.log(1.5) - 1, -0.7],
  oldLogp: [-1, -1, -2, -1, -0.8],
  advantages: [1, 1, -0.5, -0.5, -0.5],
  entropy: [0.3, 0.4, 0.5, 0.6, 0.7],
  refLogp: [-1.2, -1, -2.1, -1.1, -0.6],
});
const rho = Float32Array.of(1, 0.5, 2, 1.5, 0.25);

test("the weights scale each token's policy-gradient term, not the KL or entropy terms", () => {
  const c = cfg({ kl: { placement: "loss", estimator: "k1", coef: 0.1 }, entropy_coef: 0.01 });
  // by hand: L_t = max(−A r, −A clip(r)) with clip [0.8, 1.2]; token-mean over 5 tokens
  const b = input();
  const r = b.logp.data.map((l, t) => Math.exp(l - b.oldLogp[t]));
  const L = r.map((x, t) => {
    const a = b.advantages[t];
    return Math.max(-a * x, -a * Math.min(1.2, Math.max(0.8, x)));
  });
  const pg = L.reduce((s, l, t) => s + rho[t] * l, 0) / 5;
  const kl = b.logp.data.reduce((s, l, t) => s + (l - b.refLogp![t]), 0) / 5; // k1 = logπ − logπ_ref
  const entropy = (0.3 + 0.4 + 0.5 + 0.6 + 0.7) / 5;
  const out = policyLoss({ ...b, isWeights: rho }, c);
  close(out.metrics["actor/pg_loss"], pg);
  close(out.metrics["actor/kl_loss"], kl);
  close(out.loss.item(), pg + 0.1 * kl - 0.01 * entropy);
  // all-ones weights change nothing
  const ones = policyLoss({ ...input(), isWeights: new Float32Array(5).fill(1) }, c).loss.item();
  close(ones, policyLoss(input(), c).loss.item());
});

test("RAFT's likelihood term takes the weights; DPO refuses them", () => {
  const b = input();
  const out = raft.policyLoss({ ...b, isWeights: rho }, cfg({ name: "raft" }));
  close(out.loss.item(), b.logp.data.reduce((s, l, t) => s - rho[t] * b.advantages[t] * l, 0) / 5);
  assert.throws(() => dpo.policyLoss({ ...b, isWeights: rho }, cfg({ name: "dpo" })), /no per-token/);
});

test("gradient of the weighted loss (clip, dual clip, KL, entropy) against finite differences", () => {
  const c = cfg({ clip_ratio_c: 3, kl: { placement: "loss", estimator: "k3", coef: 0.2 }, entropy_coef: 0.01 });
  for (const mode of ["token-mean", "seq-mean-token-mean"]) {
    const base = { ...input(), isWeights: rho };
    gradcheck(`weighted policyLoss ${mode}`, ([logp, entropy]) => policyLoss({ ...base, logp, entropy }, { ...c, loss_agg_mode: mode as "token-mean" }).loss,
      [base.logp, base.entropy], { eps: 1e-3 });
  }
});
