import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/tensor/tensor.ts";
import { valueLoss } from "../../src/algorithms/ppo.ts";
import { dpo } from "../../src/algorithms/dpo.ts";
import { raft } from "../../src/algorithms/raft.ts";
import { policyLoss } from "../../src/algorithms/common.ts";
import type { ValueLossInput } from "../../src/algorithms/types.ts";
import { cfg, close, lossInput, offsetsOf } from "./helpers.ts";

function valueInput(v: number[], old: number[], returns: number[]): ValueLossInput {
  return {
    values: tensor(Float32Array.from(v), [v.length], true),
    oldValues: Float32Array.from(old),
    returns: Float32Array.from(returns),
    mask: new Float32Array(v.length).fill(1),
    offsets: offsetsOf([v.length]),
    totals: { tokens: v.length, sequences: 1 },
  };
}

test("the value loss with clipping: 0.5·max((V − R)², (V_clip − R)²), token mean", () => {
  // token 0: V − V_old = 0.1 inside the clip: 0.25 both ways; token 1: (1 − 0)² = 1 vs V_clip 0.7 → 0.49;
  // token 2: (0.9 − 1)² = 0.01 vs V_clip 0.4 → 0.36, the clipped one is larger
  const out = valueLoss(valueInput([0.5, 1.0, 0.9], [0.4, 0.5, 0.2], [1, 0, 1]), cfg({ value_clip: 0.2 }));
  close(out.loss.item(), (0.5 * (0.25 + 1 + 0.36)) / 3);
  close(out.metrics["critic/vf_loss"], (0.5 * 1.61) / 3);
  close(out.metrics["critic/vf_clipfrac"], 1 / 3);
});

test("the value loss without clipping: 0.5·(V − R)²", () => {
  const out = valueLoss(valueInput([0.5, 1.0, 0.9], [0.4, 0.5, 0.2], [1, 0, 1]), cfg({ value_clip: null }));
  close(out.loss.item(), (0.5 * (0.25 + 1 + 0.01)) / 3);
  assert.equal(out.metrics["critic/vf_clipfrac"], 0);
});

// Pair 1: chosen Σ(logπ − ref) = 0.5 + 0.5, rejected −1 → margin 2;  pair 2: chosen −1, rejected 0 → margin −1.
const pairs = {
  lengths: [2, 1, 1, 1],
  logp: [-1, -2, -3, -2, -1],
  oldLogp: [-1.5, -2.5, -2, -1, -1],
};

test("the DPO loss −logσ(β·margin), averaged over the mini-batch's pairs, with its metrics", () => {
  const l1 = Math.log(1 + Math.exp(-0.2)); // β = 0.1, margin 2
  const l2 = Math.log(1 + Math.exp(0.1)); //  margin −1
  const out = dpo.policyLoss(lossInput(pairs), cfg({ name: "dpo" }));
  close(out.loss.item(), (l1 + l2) / 2);
  close(out.metrics["actor/dpo_loss"], (l1 + l2) / 2);
  close(out.metrics["actor/dpo_reward_accuracy"], 0.5);
  close(out.metrics["actor/dpo_margin"], (0.2 - 0.1) / 2);
  // one pair per micro-batch, the mini-batch's totals: the two halves sum to the whole
  const totals = { tokens: 5, sequences: 4 };
  const a = dpo.policyLoss(lossInput({ lengths: [2, 1], logp: [-1, -2, -3], oldLogp: [-1.5, -2.5, -2], totals }), cfg({ name: "dpo" }));
  const b = dpo.policyLoss(lossInput({ lengths: [1, 1], logp: [-2, -1], oldLogp: [-1, -1], totals }), cfg({ name: "dpo" }));
  close(a.loss.item() + b.loss.item(), (l1 + l2) / 2);
});

test("the DPO loss is log 2 at the reference, and masked tokens leave the margin", () => {
  const atRef = dpo.policyLoss(lossInput({ lengths: [2, 2], logp: [-1, -2, -3, -4] }), cfg({ name: "dpo", dpo_beta: 0.5 }));
  close(atRef.loss.item(), Math.log(2));
  // the masked chosen token would have added 5 to the margin; without it the margin is 1 − 0 = 1
  const masked = dpo.policyLoss(lossInput({ lengths: [2, 1], logp: [0, 5, -1], oldLogp: [-1, 0, -1], mask: [1, 0, 1] }), cfg({ name: "dpo" }));
  close(masked.loss.item(), Math.log(1 + Math.exp(-0.1)));
  assert.throws(() => dpo.policyLoss(lossInput({ lengths: [1], logp: [-1] }), cfg({ name: "dpo" })), /whole \[chosen, rejected\] pairs/);
});

test("the RAFT loss is −A·logπ aggregated, with no ratio and no clip metrics", () => {
  // A = [1, 1 | 0]: token mean of [1·1, 1·2, 0] = 1 (logπ = −1, −2, −0.5)
  const out = raft.policyLoss(lossInput({ lengths: [2, 1], logp: [-1, -2, -0.5], oldLogp: [-5, -5, -5], advantages: [1, 1, 0] }), cfg({ name: "raft" }));
  close(out.loss.item(), 1);
  assert.equal(out.metrics["actor/pg_clipfrac"], undefined);
  // RAFT++ on the same input clips: ratio e^4 with A = 1 gives −1.2 on both selected tokens
  const pp = policyLoss(lossInput({ lengths: [2, 1], logp: [-1, -2, -0.5], oldLogp: [-5, -6, -5], advantages: [1, 1, 0] }), cfg({ name: "raftpp" }));
  close(pp.loss.item(), -2.4 / 3);
  close(pp.metrics["actor/pg_clipfrac"], 2 / 3);
});
