/**
 * GRPO (DeepSeekMath), as verl's compute_grpo_outcome_advantage and TRL's GRPOTrainer:
 *
 *   A_i = (r_i − mean_g) / (std_g + 1e-6)      scale_rewards: group (std unbiased, over the group)
 *   A_i = (r_i − mean_g) / (std_batch + 1e-6)  scale_rewards: batch (TRL; std of all scores)
 *   A_i =  r_i − mean_g                        scale_rewards: none  (Dr. GRPO, with seq-mean-token-sum-norm)
 *
 * every token of response i carrying A_i, then the shared clipped loss. A group of one has
 * mean 0 and std 1, so its advantage is its raw score (verl; under batch scaling, its score over
 * the batch std). The KL enters only through the KL-shaped score (kl.placement: reward) or the loss.
 */
import type { AlgorithmConfig, ScaleRewards } from "./config.ts";
import type { Algorithm } from "./types.ts";
import { outcomeAdvantages, policyLoss, usesKl } from "./common.ts";
import { groupIndices, meanStd } from "./stats.ts";

/** [S] GRPO advantages of per-response scores. */
export function grpoAdvantages(scores: ArrayLike<number>, groups: Int32Array, scale: ScaleRewards = "group"): Float32Array {
  const all = Array.from(groups, (_, i) => i);
  const batchStd = all.length > 1 ? meanStd(scores, all).std : 1;
  const adv = new Float32Array(scores.length);
  for (const members of groupIndices(groups)) {
    const { mean, std } = members.length > 1 ? meanStd(scores, members) : { mean: 0, std: 1 };
    const divisor = scale === "group" ? std + 1e-6 : scale === "batch" ? batchStd + 1e-6 : 1;
    for (const i of members) adv[i] = (scores[i] - mean) / divisor;
  }
  return adv;
}

export const grpo: Algorithm<AlgorithmConfig> = {
  name: "grpo",
  usesCritic: false,
  needsReference: usesKl,
  advantages: (input, cfg) => outcomeAdvantages(input, cfg, (scores) => grpoAdvantages(scores, input.groups, cfg.scale_rewards)),
  policyLoss,
};
