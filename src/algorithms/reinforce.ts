/**
 * Vanilla Reinforce with the clipped ratio, the "Reinforce" of "A Minimalist Approach to LLM
 * Reasoning" (Xiong et al. 2025; Minimal-RL's plusplus loss): the advantage of every token is the
 * response's raw score (KL-shaped with kl.placement: reward), no baseline, no normalisation; the
 * loss is the shared clipped loss.
 */
import type { AlgorithmConfig } from "./config.ts";
import type { Algorithm } from "./types.ts";
import { outcomeAdvantages, policyLoss, usesKl } from "./common.ts";

export const reinforce: Algorithm<AlgorithmConfig> = {
  name: "reinforce",
  usesCritic: false,
  needsReference: usesKl,
  advantages: (input, cfg) => outcomeAdvantages(input, cfg, (scores) => scores),
  policyLoss,
};
