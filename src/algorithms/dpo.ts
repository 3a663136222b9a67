/**
 * Iterative DPO (Xiong et al. 2024; as run in "A Minimalist Approach to LLM Reasoning"): in every
 * group the best and the worst response by score form a pair (chosen, rejected), groups whose
 * best and worst tie give none, and each pair contributes
 *
 *   loss = −logσ(β·((Σ_t logπ_c − Σ_t logπ_ref,c) − (Σ_t logπ_r − Σ_t logπ_ref,r)))
 *
 * with sums over masked tokens, averaged over the mini-batch's pairs. The reference is the
 * policy that sampled the iteration (oldLogp), so it is refreshed every iteration; the loss
 * starts each iteration at log 2. Metrics as TRL's DPOTrainer names them: actor/dpo_margin is
 * the mean of β·margin (rewards/margins), actor/dpo_reward_accuracy the share of pairs with a
 * positive margin. Simplification: one pair per prompt (the first best and the first worst when
 * several tie), no label smoothing, no SFT term.
 */
import { tensor } from "../tensor/tensor.ts";
import { affine, logSigmoid, mul, segmentSum, sub, weightedSum } from "../tensor/elementwise.ts";
import type { AlgorithmConfig } from "./config.ts";
import type { Algorithm, AdvantageInput, AdvantageOutput, LossInput, LossOutput } from "./types.ts";
import { driftMetrics } from "./common.ts";
import { groupIndices } from "./stats.ts";

/** [chosen, rejected] per group: the first response with the highest score and the first with the lowest; ties skipped. */
export function dpoPairs(scores: ArrayLike<number>, groups: Int32Array): [number, number][] {
  const pairs: [number, number][] = [];
  for (const members of groupIndices(groups)) {
    let best = members[0];
    let worst = members[0];
    for (const i of members) {
      if (scores[i] > scores[best]) best = i;
      if (scores[i] < scores[worst]) worst = i;
    }
    if (scores[best] > scores[worst]) pairs.push([best, worst]);
  }
  return pairs;
}

function advantages(input: AdvantageInput): AdvantageOutput {
  const pairs = dpoPairs(input.scores, input.groups);
  const keep = new Uint8Array(input.scores.length);
  for (const [c, r] of pairs) keep[c] = keep[r] = 1;
  return { advantages: new Float32Array(input.mask.length), keep, units: pairs, metrics: { "train/dpo_pairs": pairs.length } };
}

function policyLoss(input: LossInput, cfg: AlgorithmConfig): LossOutput {
  const { offsets, mask, totals } = input;
  if (input.isWeights) throw new Error("dpo policyLoss: DPO has no per-token policy-gradient term for importance weights");
  const s = offsets.length - 1;
  if (s % 2 !== 0) throw new Error(`dpo policyLoss: a micro-batch holds whole [chosen, rejected] pairs, got ${s} responses`);
  const pairs = totals.sequences / 2;
  // +m on chosen tokens, −m on rejected ones: one segment sum per pair gives the margin
  const signedMask = new Float32Array(mask.length);
  const pairOffsets = new Int32Array(s / 2 + 1);
  for (let i = 0; i < s; i++) {
    for (let t = offsets[i]; t < offsets[i + 1]; t++) signedMask[t] = i % 2 === 0 ? mask[t] : -mask[t];
    if (i % 2 === 0) pairOffsets[i / 2] = offsets[i];
  }
  pairOffsets[s / 2] = offsets[s];
  const logRatio = sub(input.logp, tensor(input.oldLogp)); //                  logπ − logπ_ref per token
  const margin = segmentSum(mul(logRatio, tensor(signedMask)), pairOffsets); // [pairs in this micro-batch]
  const loss = weightedSum(logSigmoid(affine(margin, cfg.dpo_beta)), new Float32Array(s / 2).fill(-1 / pairs));
  let correct = 0;
  let rewardMargin = 0;
  for (const m of margin.data) {
    correct += Number(m > 0);
    rewardMargin += cfg.dpo_beta * m;
  }
  return {
    loss,
    metrics: {
      "actor/dpo_loss": loss.item(),
      "actor/dpo_reward_accuracy": correct / pairs,
      "actor/dpo_margin": rewardMargin / pairs,
      ...driftMetrics(input, cfg),
    },
  };
}

export const dpo: Algorithm<AlgorithmConfig> = {
  name: "dpo",
  usesCritic: false,
  needsReference: () => false,
  advantages,
  policyLoss,
};
