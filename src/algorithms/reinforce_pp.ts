/**
 * REINFORCE++ with a group baseline (Hu 2025, "REINFORCE++-baseline"), as verl's
 * compute_reinforce_plus_plus_baseline_outcome_advantage and OpenRLHF:
 *
 *   a_i = r_i − mean_g (a group of one: mean 0);  A_t = (a_i − mean)/sqrt(var + 1e-8)
 *
 * with mean and unbiased variance over all masked tokens of the batch (so a long response weighs
 * more in the whitening, as in verl), then the shared clipped loss. Simplification: outcome
 * rewards only; REINFORCE++'s per-token discounted returns are not computed (γ = 1 and a single
 * final reward make them equal to the score, KL shaping aside).
 */
import type { AlgorithmConfig } from "./config.ts";
import type { Algorithm } from "./types.ts";
import { policyLoss, shapedScores, usesKl } from "./common.ts";
import { advantageOutput, groupIndices, keepAll, maskedWhiten, meanStd, spreadToTokens } from "./stats.ts";

/** [N] group-mean-centred scores spread over the tokens, whitened over the batch's masked tokens. */
export function reinforcePPAdvantages(scores: ArrayLike<number>, groups: Int32Array, offsets: Int32Array, mask: Float32Array): Float32Array {
  const centred = new Float32Array(scores.length);
  for (const members of groupIndices(groups)) {
    const mean = members.length > 1 ? meanStd(scores, members).mean : 0;
    for (const i of members) centred[i] = scores[i] - mean;
  }
  return maskedWhiten(spreadToTokens(centred, offsets, mask), mask);
}

export const reinforcePP: Algorithm<AlgorithmConfig> = {
  name: "reinforce_pp",
  usesCritic: false,
  needsReference: usesKl,
  advantages: (input, cfg) => {
    const { scores, metrics } = shapedScores(input, cfg);
    return advantageOutput(input, reinforcePPAdvantages(scores, input.groups, input.offsets, input.mask), keepAll(input), metrics);
  },
  policyLoss,
};
