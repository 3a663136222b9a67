/**
 * RLOO (Ahmadian et al. 2024), as verl's compute_rloo_outcome_advantage:
 *
 *   A_i = r_i − (Σ_{j≠i} r_j) / (n − 1)    over the n responses of i's group
 *
 * every token of response i carrying A_i, then the shared clipped loss. A group of one has no
 * other responses: its advantage is its raw score (verl does the same).
 */
import type { AlgorithmConfig } from "./config.ts";
import type { Algorithm } from "./types.ts";
import { outcomeAdvantages, policyLoss, usesKl } from "./common.ts";
import { groupIndices } from "./stats.ts";

/** [S] leave-one-out advantages of per-response scores. */
export function rlooAdvantages(scores: ArrayLike<number>, groups: Int32Array): Float32Array {
  const adv = new Float32Array(scores.length);
  for (const members of groupIndices(groups)) {
    let sum = 0;
    for (const i of members) sum += scores[i];
    const n = members.length;
    for (const i of members) adv[i] = n > 1 ? scores[i] - (sum - scores[i]) / (n - 1) : scores[i];
  }
  return adv;
}

export const rloo: Algorithm<AlgorithmConfig> = {
  name: "rloo",
  usesCritic: false,
  needsReference: usesKl,
  advantages: (input, cfg) => outcomeAdvantages(input, cfg, (scores) => rlooAdvantages(scores, input.groups)),
  policyLoss,
};
