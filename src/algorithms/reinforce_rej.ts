/**
 * Reinforce-Rej ("A Minimalist Approach to LLM Reasoning", Xiong et al. 2025): Reinforce with
 * the clipped ratio and the raw score as advantage, on the groups that are neither all correct
 * (reject_all_correct) nor all wrong (reject_all_wrong); no mean or std normalisation.
 *
 * Filtered responses get advantage 0 and, with drop_filtered, leave the update (keep = 0).
 * Minimal-RL's code zeroes them and keeps them in the batch (the default); it filters on
 * "all scores equal", which for a correctness reward is the two filters together. We filter on
 * the verifier's `correct`, so that overlong shaping of the scores does not change the selection.
 * A group of one is all correct or all wrong, so it is filtered whenever the matching switch is on.
 */
import type { AlgorithmConfig } from "./config.ts";
import type { Algorithm } from "./types.ts";
import { outcomeAdvantages, policyLoss, usesKl } from "./common.ts";
import { groupIndices, keepAll } from "./stats.ts";

export interface RejectionFilter {
  /** [S] 1 for responses of groups that pass the filters. */
  selected: Uint8Array;
  /** Groups filtered out because all their responses are correct. */
  allCorrect: number;
  /** Groups filtered out because all their responses are wrong. */
  allWrong: number;
}

/** Reinforce-Rej's selection of groups by correctness. */
export function rejectionFilter(groups: Int32Array, correct: Uint8Array, rejectAllCorrect: boolean, rejectAllWrong: boolean): RejectionFilter {
  const selected = new Uint8Array(groups.length);
  let allCorrect = 0;
  let allWrong = 0;
  for (const members of groupIndices(groups)) {
    const nCorrect = members.filter((i) => correct[i]).length;
    if (rejectAllCorrect && nCorrect === members.length) allCorrect++;
    else if (rejectAllWrong && nCorrect === 0) allWrong++;
    else for (const i of members) selected[i] = 1;
  }
  return { selected, allCorrect, allWrong };
}

export const reinforceRej: Algorithm<AlgorithmConfig> = {
  name: "reinforce_rej",
  usesCritic: false,
  needsReference: usesKl,
  advantages: (input, cfg) => {
    const { selected, allCorrect, allWrong } = rejectionFilter(input.groups, input.correct, cfg.reject_all_correct, cfg.reject_all_wrong);
    const keep = cfg.drop_filtered ? selected : keepAll(input);
    return outcomeAdvantages(input, cfg, (scores) => scores.map((s, i) => s * selected[i]), keep, {
      "train/filtered_prompts": allCorrect + allWrong,
      "train/filtered_prompts/all_correct": allCorrect,
      "train/filtered_prompts/all_wrong": allWrong,
    });
  },
  policyLoss,
};
