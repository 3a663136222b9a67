/**
 * What every RL algorithm is to the trainer: a way to turn rewards (and values) into per-token
 * advantages, with a choice of which responses enter the update, and a per-token loss over a
 * micro-batch. Algorithms know nothing of models or files: everything here is plain arrays,
 * except the log-probs, entropies and values that carry gradients (Tensors on the tape).
 *
 * Layout. A batch of S responses is packed end to end: response i owns tokens
 * [offsets[i], offsets[i+1]) of every per-token array (N = offsets[S] tokens in all).
 * Responses of the same prompt share a group id.
 */
import type { Tensor } from "../tensor/tensor.ts";

/** The responses of one rollout step, packed. */
export interface PackedResponses {
  /** [S+1] token ranges; offsets[0] = 0. */
  offsets: Int32Array;
  /** [S] group (prompt) of each response. */
  groups: Int32Array;
  /** [S] sequence-level reward: correctness (+ overlong shaping), on the last token. */
  scores: Float32Array;
  /** [S] 1 when the verifier judged the response correct (filters select on this, not on a score threshold). */
  correct: Uint8Array;
  /** [N] 1 where a token enters the loss, 0 where it does not (e.g. a masked truncated response). */
  mask: Float32Array;
}

export interface AdvantageInput extends PackedResponses {
  /** [N] log-probs of the response tokens under the policy that sampled them (recomputed). */
  oldLogp: Float32Array;
  /** [N] under the reference model; present when the KL is used or logged. */
  refLogp?: Float32Array;
  /** [N] critic values V(s_t) at the position before each token; present for PPO. */
  values?: Float32Array;
}

export interface AdvantageOutput {
  /** [N] per-token advantages (0 where the response is dropped). */
  advantages: Float32Array;
  /** [N] value targets for the critic (PPO). */
  returns?: Float32Array;
  /** [S] 1 if the response enters the update, 0 if dropped (Reinforce-Rej, RAFT, DPO pairs). */
  keep: Uint8Array;
  /**
   * Responses that must share a micro-batch, as index lists (DPO: [chosen, rejected] pairs).
   * Absent: every kept response is its own unit.
   */
  units?: number[][];
  /** Scalars for metrics.jsonl under verl's names (e.g. "critic/advantages/mean"). */
  metrics: Record<string, number>;
}

/** The mini-batch a micro-batch belongs to, so that losses summed over micro-batches equal the mini-batch loss. */
export interface MiniBatchTotals {
  /** Masked tokens in the mini-batch (sum of mask). */
  tokens: number;
  /** Responses in the mini-batch, fully masked ones included (as TRL); a DPO mini-batch holds 2 per pair. */
  sequences: number;
}

export interface LossInput {
  /** [n] log-probs of this micro-batch's response tokens under the current policy (on the tape). */
  logp: Tensor;
  /** [n] entropy of the policy's next-token distribution at each token (on the tape). */
  entropy: Tensor;
  /** [n] */
  oldLogp: Float32Array;
  /** [n] under the reference model, when the KL is used or logged (DPO's reference is oldLogp). */
  refLogp?: Float32Array;
  /** [n] */
  advantages: Float32Array;
  /** [n] */
  mask: Float32Array;
  /**
   * [n] per-token weights on the policy-gradient term (not on the KL or entropy terms), e.g. the
   * truncated importance-sampling correction min(π_old/π_sampler, C) of common.ts
   * (verl's rollout_is_weights); absent: 1. DPO, which has no per-token term, rejects them.
   */
  isWeights?: Float32Array;
  /** [s+1] the micro-batch's responses, whole (in unit order: a DPO pair is chosen, then rejected). */
  offsets: Int32Array;
  totals: MiniBatchTotals;
}

export interface LossOutput {
  /** Scalar: this micro-batch's share of the mini-batch loss (sum over micro-batches = mini-batch loss). */
  loss: Tensor;
  /**
   * Metric contributions under verl's names ("actor/pg_loss", "actor/pg_clipfrac",
   * "actor/pg_clipfrac_lower", "actor/ppo_kl", "actor/kl_loss", "actor/kl", "actor/entropy"),
   * each already weighted by its share of the mini-batch, so summing over micro-batches gives the
   * mini-batch value: losses with the loss's aggregation weights, token statistics (clip
   * fractions, KL, entropy) with 1/tokens.
   */
  metrics: Record<string, number>;
}

export interface ValueLossInput {
  /** [n] critic values at this micro-batch's tokens (on the tape). */
  values: Tensor;
  /** [n] values at rollout time. */
  oldValues: Float32Array;
  /** [n] */
  returns: Float32Array;
  /** [n] */
  mask: Float32Array;
  offsets: Int32Array;
  totals: MiniBatchTotals;
}

/** An algorithm as the trainer sees it; `config` is its resolved section of the run config. */
export interface Algorithm<C = unknown> {
  readonly name: string;
  /** Trains a critic beside the policy (PPO). */
  readonly usesCritic: boolean;
  /** Needs reference log-probs for its loss or advantages (KL in the reward or loss); DPO's reference is oldLogp. */
  needsReference(config: C): boolean;
  advantages(input: AdvantageInput, config: C): AdvantageOutput;
  policyLoss(input: LossInput, config: C): LossOutput;
  /** For algorithms with a critic. */
  valueLoss?(input: ValueLossInput, config: C): LossOutput;
}
