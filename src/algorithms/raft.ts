/**
 * RAFT (Dong et al. 2023) as run in "A Minimalist Approach to LLM Reasoning": maximise the
 * log-likelihood of the correct responses only,
 *
 *   A_i = max(r_i, 0) for correct responses, 0 otherwise;  loss = agg(−A_t · logπ_t)
 *
 * no ratio, no clip (Minimal-RL's "vanilla" policy loss). Wrong responses get advantage 0 and,
 * with drop_filtered, leave the update; Minimal-RL's code keeps them in the batch (the default),
 * so they count in the token mean and the KL term. Selection uses the verifier's `correct` (the
 * code uses r > 0, the same for its ±1 or 1/0 rewards) so that overlong shaping cannot drop a
 * correct response; a shaped score still scales its advantage.
 */
import { tensor } from "../tensor/tensor.ts";
import { mul } from "../tensor/elementwise.ts";
import type { AlgorithmConfig } from "./config.ts";
import type { Algorithm, AdvantageInput, AdvantageOutput } from "./types.ts";
import { outcomeAdvantages, policyLoss, usesKl, type PolicyTerm } from "./common.ts";
import { keepAll } from "./stats.ts";

/** [S] RAFT's advantages: max(score, 0) for correct responses, else 0. */
export function raftAdvantages(scores: ArrayLike<number>, correct: Uint8Array): Float32Array {
  return Float32Array.from(correct, (c, i) => (c ? Math.max(scores[i], 0) : 0));
}

/** RAFT's samples and advantages, shared with RAFT++. */
export function raftSelection(input: AdvantageInput, cfg: AlgorithmConfig): AdvantageOutput {
  const keep = cfg.drop_filtered ? input.correct.slice() : keepAll(input);
  let selected = 0;
  input.correct.forEach((c) => (selected += c));
  return outcomeAdvantages(input, cfg, (scores) => raftAdvantages(scores, input.correct), keep, { "train/selected_responses": selected });
}

/** −A_t · logπ_t per token: the likelihood of the selected responses, weighted by their advantage. */
export const likelihoodTerm: PolicyTerm = (input) => ({ loss: mul(input.logp, tensor(input.advantages.map((a) => -a))) });

export const raft: Algorithm<AlgorithmConfig> = {
  name: "raft",
  usesCritic: false,
  needsReference: usesKl,
  advantages: raftSelection,
  policyLoss: (input, cfg) => policyLoss(input, cfg, likelihoodTerm),
};
