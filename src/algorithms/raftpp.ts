/**
 * RAFT++ ("A Minimalist Approach to LLM Reasoning", Xiong et al. 2025): RAFT's samples and
 * advantages (raft.ts) trained with the PPO clipped ratio, min(r_t·A, clip(r_t, 1 − ε_low,
 * 1 + ε_high)·A), the shared loss of common.ts. The paper finds importance sampling without the
 * clip worse than RAFT, and clip-higher (ε_high = 0.28) keeps the entropy from collapsing.
 */
import type { AlgorithmConfig } from "./config.ts";
import type { Algorithm } from "./types.ts";
import { policyLoss, usesKl } from "./common.ts";
import { raftSelection } from "./raft.ts";

export const raftpp: Algorithm<AlgorithmConfig> = {
  name: "raftpp",
  usesCritic: false,
  needsReference: usesKl,
  advantages: raftSelection,
  policyLoss,
};
