/**
 * Every loss's gradient with respect to the log-probs (and entropies, and values) against finite
 * differences. Inputs sit away from the kinks (clip bounds, dual clip, value clip) by more than a
 * finite-difference step, so the check compares smooth pieces.
 */
import { test } from "node:test";
import { gradcheck } from "../helpers/gradcheck.ts";
import { tensor, type Tensor } from "../../src/tensor/tensor.ts";
import { klPenalty, policyLoss } from "../../src/algorithms/common.ts";
import { valueLoss } from "../../src/algorithms/ppo.ts";
import { dpo } from "../../src/algorithms/dpo.ts";
import { raft } from "../../src/algorithms/raft.ts";
import type { LossInput } from "../../src/algorithms/types.ts";
import { cfg, lossInput, offsetsOf } from "./helpers.ts";

const leaf = (values: number[]): Tensor => tensor(Float32Array.from(values), [values.length], true);
const opts = { eps: 1e-3 };

/** gradcheck of a policy loss over the log-probs and entropies of `base`. */
function checkPolicyLoss(name: string, base: LossInput, loss: (input: LossInput) => Tensor): void {
  gradcheck(name, ([logp, entropy]) => loss({ ...base, logp, entropy }), [base.logp, base.entropy], opts);
}

// Log-ratios in every zone of the clipped loss (ratios 1.5, 0.5, 0.5, 1.2, 4, 1.1), 0.06 or more from a kink.
const clipped = () => lossInput({
  lengths: [2, 4],
  logp: [1.5, 0.5, 0.5, 1.2, 4, 1.1].map((r) => Math.log(r) - 1),
  oldLogp: [-1, -1, -1, -1, -1, -1],
  advantages: [1, 1, -1, -1, -1, 2],
  entropy: [0.5, 1.5, 2, 0.7, 1.1, 0.9],
  refLogp: [-1.2, -0.9, -1.8, -0.6, -1.1, -1.4],
});

test("clipped loss, dual clip, KL in the loss (k1, k2, k3) and entropy bonus: gradient of logπ and entropy", () => {
  for (const estimator of ["k1", "k2", "k3"]) {
    for (const mode of ["token-mean", "seq-mean-token-mean", "seq-mean-token-sum", "seq-mean-token-sum-norm"]) {
      const c = cfg({ clip_ratio_high: 0.28, clip_ratio_c: 3, kl: { placement: "loss", estimator, coef: 0.3 }, entropy_coef: 0.01,
        loss_agg_mode: mode, loss_agg_length: 8 });
      checkPolicyLoss(`policyLoss ${estimator} ${mode}`, clipped(), (input) => policyLoss(input, c).loss);
    }
  }
});

test("KL estimators: gradient of logπ", () => {
  const ref = Float32Array.of(-1.2, -0.9, -1.8, -0.6);
  for (const estimator of ["k1", "k2", "k3"] as const) {
    gradcheck(`klPenalty ${estimator}`, ([logp]) => klPenalty(logp, ref, estimator), [leaf([-1, -1.3, -0.7, -2])], opts);
  }
});

test("GSPO with seq-mean-token-mean: the sequence ratio's gradient is that of the sequence objective", () => {
  // response 0: log s = (0.1 + 0)/2 = 0.05, inside the clip, A = 1 (third token masked);
  // response 1: log s = 0.5, above the clip with A = −1, so the unclipped term acts
  const base = lossInput({
    lengths: [3, 2],
    logp: [-0.9, -1, -0.2, -0.5, -0.5],
    oldLogp: [-1, -1, -1, -1, -1],
    mask: [1, 1, 0, 1, 1],
    advantages: [1, 1, 1, -1, -1],
  });
  const c = cfg({ ratio_level: "sequence", loss_agg_mode: "seq-mean-token-mean" });
  checkPolicyLoss("GSPO", base, (input) => policyLoss(input, c).loss);
});

test("value loss, clipped and not: gradient of the values", () => {
  // V − V_old = [0.1, 0.5, 0.7, −0.35] against a clip of 0.2
  const old = Float32Array.of(0.4, 0.5, 0.2, 0.3);
  const returns = Float32Array.of(1, 0, 1, -1);
  for (const value_clip of [0.2, null]) {
    gradcheck(`valueLoss clip ${value_clip}`, ([values]) => valueLoss({
      values, oldValues: old, returns, mask: Float32Array.of(1, 1, 1, 0), offsets: offsetsOf([2, 2]), totals: { tokens: 3, sequences: 2 },
    }, cfg({ value_clip })).loss, [leaf([0.5, 1.0, 0.9, -0.05])], opts);
  }
});

test("DPO loss: gradient of logπ", () => {
  const base = lossInput({ lengths: [2, 1, 1, 2], logp: [-1, -2, -3, -2, -1, -0.5], oldLogp: [-1.5, -2.5, -2, -1, -1, -1.2], mask: [1, 1, 1, 1, 1, 0] });
  checkPolicyLoss("DPO", base, (input) => dpo.policyLoss(input, cfg({ name: "dpo", dpo_beta: 0.5 })).loss);
});

test("RAFT loss with the KL in the loss: gradient of logπ", () => {
  const base = lossInput({ lengths: [2, 1], logp: [-1, -2, -0.5], advantages: [1, 1, 0], refLogp: [-1.3, -1.6, -0.4] });
  checkPolicyLoss("RAFT", base, (input) => raft.policyLoss(input, cfg({ name: "raft", kl: { placement: "loss", coef: 0.5 } })).loss);
});
