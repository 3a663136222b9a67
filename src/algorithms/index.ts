/**
 * The algorithms' public API: the Algorithm objects the trainer runs, and the plain-array
 * functions behind them, so that a number of ours can be checked against another code base in a
 * few lines, e.g. `grpoAdvantages(Float32Array.of(1, 0, 0, 1), Int32Array.of(0, 0, 0, 0))`.
 */
export type * from "./types.ts";
export { AlgorithmConfigSchema, parseAlgorithmConfig, type AlgorithmConfig, type AlgorithmName, type KlEstimator,
  type LossAggMode, type ScaleRewards } from "./config.ts";
export { ALGORITHM_NAMES, getAlgorithm } from "./registry.ts";
export { aggregationWeights, clippedPolicyLoss, klEstimate, klPenalty, miniBatchTotals, policyLoss, sequenceRatio, tokenRatio,
  tokenRewards, shapedScores, type ClipRange, type ClippedLoss } from "./common.ts";
export { groupIndices, maskedMean, maskedVar, maskedWhiten, meanStd, spreadToTokens } from "./stats.ts";
export { informativeGroups, maskTruncated, overlongPenalty } from "./shaping.ts";
export { explainedVariance, gae, ppo, valueLoss } from "./ppo.ts";
export { grpo, grpoAdvantages } from "./grpo.ts";
export { rloo, rlooAdvantages } from "./rloo.ts";
export { reinforcePP, reinforcePPAdvantages } from "./reinforce_pp.ts";
export { reinforce } from "./reinforce.ts";
export { reinforceRej, rejectionFilter } from "./reinforce_rej.ts";
export { raft, raftAdvantages } from "./raft.ts";
export { raftpp } from "./raftpp.ts";
export { dpo, dpoPairs } from "./dpo.ts";
