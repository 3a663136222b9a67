/**
 * What the ratio-based algorithms share, written once, as verl's core_algos computes it:
 *
 *   ratio        r_t = exp(clamp(logπ_t − logπ_old,t, −20, 20))
 *   GSPO ratio   log s_i = Σ_t m_t (logπ_t − logπ_old,t) / |y_i|;  s_i,t = exp(min(sg[log s_i] + logπ_t − sg[logπ_t], 10))
 *   clipped loss L_t = max(−A_t r_t, −A_t clip(r_t, 1 − ε_low, 1 + ε_high)); dual clip: min(L_t, −A_t c) where A_t < 0
 *   KL           δ = logπ_ref − logπ; k1 = −δ, k2 = δ²/2, k3 = exp(δ) − δ − 1 clamped to ±10
 *   aggregation  loss = Σ_t w_t L_t over a micro-batch, with w from the mini-batch totals, so that
 *                the micro-batch losses sum to the mini-batch loss (aggregationWeights)
 *   TIS          ρ_t = min(exp(clamp(logπ_old,t − logπ_sampler,t, −20, 20)), C) multiplies L_t when
 *                given (truncated importance sampling of the training–inference mismatch; verl's
 *                token-level rollout_is, OpenRLHF's vLLM correction)
 *
 * and the policy loss they all use: clipped-ratio term + optional KL term + entropy bonus.
 * Per-token log-probs and entropies are Tensors on the tape; everything else is plain arrays.
 */
import { noGrad, tensor, type Tensor } from "../tensor/tensor.ts";
import { add, affine, clamp, exp, maximum, minimum, mul, neg, square, sub, weightedSum } from "../tensor/elementwise.ts";
import { UserInputError } from "../errors.ts";
import type { AlgorithmConfig, KlEstimator, LossAggMode } from "./config.ts";
import type { AdvantageInput, AdvantageOutput, LossInput, LossOutput, MiniBatchTotals } from "./types.ts";
import { advantageOutput, keepAll, maskedMean, responseSums, spreadToTokens } from "./stats.ts";

// ---------------------------------------------------------------------------------------------
// KL to the reference

/** [n] per-token KL estimate of the policy (logp, on the tape) to the reference. */
export function klPenalty(logp: Tensor, refLogp: Float32Array, estimator: KlEstimator): Tensor {
  const delta = sub(tensor(refLogp), logp); // δ = logπ_ref − logπ
  switch (estimator) {
    case "k1":
      return neg(delta);
    case "k2":
      return affine(square(delta), 0.5);
    case "k3": {
      // verl's low_var_kl: δ clamped to ±20 before exp, so the ±10 clamp never meets an overflow
      const d = clamp(delta, -20, 20);
      return clamp(affine(sub(exp(d), d), 1, -1), -10, 10);
    }
  }
}

/** [n] per-token KL estimate over plain arrays (no gradient). */
export function klEstimate(logp: ArrayLike<number>, refLogp: ArrayLike<number>, estimator: KlEstimator): Float32Array {
  return noGrad(() => klPenalty(tensor(Float32Array.from(logp)), Float32Array.from(refLogp), estimator)).data;
}

/** The KL appears in the reward or the loss, so the trainer must compute reference log-probs. */
export function usesKl(cfg: AlgorithmConfig): boolean {
  return cfg.kl.placement !== "none";
}

function requireRef(refLogp: Float32Array | undefined, where: string): Float32Array {
  if (!refLogp) throw new Error(`${where}: kl.placement needs reference log-probs, and the batch has no refLogp`);
  return refLogp;
}

/** [N] KL_t of the sampling policy to the reference when the KL is in the reward, else null. */
function rewardKl(input: AdvantageInput, cfg: AlgorithmConfig): Float32Array | null {
  if (cfg.kl.placement !== "reward") return null;
  return klEstimate(input.oldLogp, requireRef(input.refLogp, "advantages"), cfg.kl.estimator);
}

function rewardKlMetrics(kl: Float32Array | null, mask: Float32Array): Record<string, number> {
  return kl ? { "actor/reward_kl_penalty": maskedMean(kl, mask) } : {};
}

/**
 * [N] per-token rewards: the score on each response's last token, minus coef·KL_t on every
 * token in the loss (mask 1) when kl.placement is reward (OpenRLHF, verl's apply_kl_penalty).
 */
export function tokenRewards(input: AdvantageInput, cfg: AlgorithmConfig): { rewards: Float32Array; metrics: Record<string, number> } {
  const { offsets, mask, scores } = input;
  const kl = rewardKl(input, cfg);
  const rewards = new Float32Array(mask.length);
  if (kl) for (let t = 0; t < rewards.length; t++) rewards[t] = -cfg.kl.coef * kl[t] * mask[t];
  for (let i = 0; i < scores.length; i++) if (offsets[i + 1] > offsets[i]) rewards[offsets[i + 1] - 1] += scores[i];
  return { rewards, metrics: rewardKlMetrics(kl, mask) };
}

/**
 * [S] the sequence-level scores the outcome estimators use: the score, minus coef·Σ_t KL_t
 * when kl.placement is reward (the sum of tokenRewards, as verl sums token_level_rewards).
 */
export function shapedScores(input: AdvantageInput, cfg: AlgorithmConfig): { scores: Float32Array; metrics: Record<string, number> } {
  const kl = rewardKl(input, cfg);
  if (!kl) return { scores: input.scores, metrics: {} };
  const penalty = responseSums(kl, input.offsets, input.mask);
  return { scores: input.scores.map((s, i) => s - cfg.kl.coef * penalty[i]), metrics: rewardKlMetrics(kl, input.mask) };
}

/**
 * The AdvantageOutput of an outcome estimator: per-response advantages from the (KL-shaped)
 * scores, spread over each response's masked tokens; `keep` and `metrics` as the algorithm says.
 */
export function outcomeAdvantages(input: AdvantageInput, cfg: AlgorithmConfig, estimate: (scores: Float32Array) => ArrayLike<number>,
  keep: Uint8Array = keepAll(input), metrics: Record<string, number> = {}): AdvantageOutput {
  const shaped = shapedScores(input, cfg);
  const perResponse = estimate(shaped.scores);
  return advantageOutput(input, spreadToTokens(perResponse, input.offsets, input.mask), keep, { ...shaped.metrics, ...metrics });
}

// ---------------------------------------------------------------------------------------------
// Importance ratios and the clipped loss

/** [n] r_t = exp(clamp(logπ_t − logπ_old,t, −20, 20)) (verl). */
export function tokenRatio(logp: Tensor, oldLogp: Float32Array): Tensor {
  return exp(clamp(sub(logp, tensor(oldLogp)), -20, 20));
}

/**
 * [n] GSPO's sequence ratio per token: s_i,t = exp(min(sg[log s_i] + logπ_t − sg[logπ_t], 10)) with
 * log s_i = Σ_t m_t (logπ_t − logπ_old,t) / |y_i| (|y_i| = masked length, at least 1). Its value is
 * s_i on every token of response i; its gradient is s_i ∇logπ_t, as verl's compute_policy_loss_gspo.
 */
export function sequenceRatio(logp: Tensor, oldLogp: Float32Array, mask: Float32Array, offsets: Int32Array): Tensor {
  const shift = new Float32Array(logp.size); // sg[log s_i] − sg[logπ_t]
  for (let i = 0; i + 1 < offsets.length; i++) {
    let sum = 0;
    let len = 0;
    for (let t = offsets[i]; t < offsets[i + 1]; t++) {
      sum += mask[t] * (logp.data[t] - oldLogp[t]);
      len += mask[t];
    }
    const logS = sum / Math.max(len, 1);
    for (let t = offsets[i]; t < offsets[i + 1]; t++) shift[t] = logS - logp.data[t];
  }
  return exp(clamp(add(logp, tensor(shift)), -Infinity, 10));
}

export interface ClipRange {
  /** ε_low: the ratio is clipped below at 1 − low. */
  low: number;
  /** ε_high: above at 1 + high. */
  high: number;
  /** Dual-clip constant c > 1, or null for none. */
  dual: number | null;
}

export interface ClippedLoss {
  /** [n] per-token loss. */
  loss: Tensor;
  /** [n] 1 where the clipped term is the larger loss (actor/pg_clipfrac). */
  clipped: Uint8Array;
  /** [n] 1 where the dual clip caps the loss (actor/pg_clipfrac_lower). */
  dualClipped: Uint8Array;
}

/**
 * verl's clipped policy-gradient loss per token: L1 = −A·r, L2 = −A·clip(r, 1 − ε_low, 1 + ε_high),
 * L = max(L1, L2); with a dual clip c, tokens with A < 0 take min(L, −A·c).
 */
export function clippedPolicyLoss(ratio: Tensor, advantages: Float32Array, clip: ClipRange): ClippedLoss {
  const negA = tensor(advantages.map((a) => -a));
  const unclipped = mul(ratio, negA); //                                        −A·r
  const clippedTerm = mul(clamp(ratio, 1 - clip.low, 1 + clip.high), negA); //  −A·clip(r)
  const pessimistic = maximum(unclipped, clippedTerm);
  const clipped = Uint8Array.from(advantages, (_, t) => Number(clippedTerm.data[t] > unclipped.data[t]));
  if (clip.dual === null) return { loss: pessimistic, clipped, dualClipped: new Uint8Array(advantages.length) };
  const c = clip.dual;
  const cap = tensor(advantages.map((a) => (a < 0 ? -a * c : Infinity))); // −A·c where A < 0, no cap elsewhere
  const dualClipped = Uint8Array.from(advantages, (_, t) => Number(pessimistic.data[t] > cap.data[t]));
  return { loss: minimum(pessimistic, cap), clipped, dualClipped };
}

/**
 * [n] truncated importance-sampling weights ρ_t = min(exp(clamp(logπ_old,t − logπ_sampler,t, ±20)), C)
 * of the tokens a sampler (an inference server, or older weights) produced, when the trainer's
 * recomputed log-probs are the PPO anchor π_old: ρ corrects for sampling from π_sampler rather than
 * π_old, truncated at C for a bounded variance (verl's rollout_correction with rollout_is: token and
 * rollout_is_threshold: C). Metrics over the masked tokens, under verl's names: the mean weight and
 * the share of tokens whose ratio exceeded C.
 */
export function truncatedIsWeights(oldLogp: ArrayLike<number>, samplerLogp: ArrayLike<number>, cap: number,
  mask: ArrayLike<number>): { weights: Float32Array; metrics: Record<string, number> } {
  if (!(cap > 0)) throw new UserInputError(`truncated importance sampling: the cap must be positive (got ${cap})`);
  const weights = new Float32Array(oldLogp.length);
  const truncated = new Float32Array(oldLogp.length);
  for (let t = 0; t < weights.length; t++) {
    const ratio = Math.exp(Math.min(20, Math.max(-20, oldLogp[t] - samplerLogp[t])));
    weights[t] = Math.min(ratio, cap);
    truncated[t] = ratio > cap ? 1 : 0;
  }
  return {
    weights,
    metrics: { "rollout_corr/rollout_is_mean": maskedMean(weights, mask), "rollout_corr/rollout_is_ratio_fraction_high": maskedMean(truncated, mask) },
  };
}

// ---------------------------------------------------------------------------------------------
// Aggregation

/** The totals of a mini-batch's packed arrays: masked tokens and responses (fully masked ones count, as TRL). */
export function miniBatchTotals(mask: Float32Array, offsets: Int32Array): MiniBatchTotals {
  let tokens = 0;
  for (let t = 0; t < mask.length; t++) tokens += mask[t];
  return { tokens, sequences: offsets.length - 1 };
}

const inverse = (x: number): number => (x > 0 ? 1 / x : 0);

/**
 * [n] weights w with loss = Σ_t w_t L_t for one micro-batch (whole responses) of a mini-batch:
 *   token-mean              w = m / tokens
 *   seq-mean-token-mean     w = m / (len_i · sequences)      (len_i: masked length of response i)
 *   seq-mean-token-sum      w = m / sequences
 *   seq-mean-token-sum-norm w = m / (sequences · L)          (L constant: Dr. GRPO as TRL computes it; verl divides by L alone)
 * Summed over the micro-batches of a mini-batch, the losses equal the mini-batch's loss.
 */
export function aggregationWeights(mask: Float32Array, offsets: Int32Array, totals: MiniBatchTotals, mode: LossAggMode,
  length?: number): Float32Array {
  if (mode === "seq-mean-token-sum-norm" && !(length && length > 0)) {
    throw new UserInputError("algorithm.loss_agg_length: loss_agg_mode seq-mean-token-sum-norm needs a positive constant length (the generation limit)");
  }
  const w = new Float32Array(mask.length);
  for (let i = 0; i + 1 < offsets.length; i++) {
    let len = 0;
    for (let t = offsets[i]; t < offsets[i + 1]; t++) len += mask[t];
    const scale =
      mode === "token-mean" ? inverse(totals.tokens)
      : mode === "seq-mean-token-mean" ? inverse(len * totals.sequences)
      : mode === "seq-mean-token-sum" ? inverse(totals.sequences)
      : inverse(totals.sequences * length!);
    for (let t = offsets[i]; t < offsets[i + 1]; t++) w[t] = mask[t] * scale;
  }
  return w;
}

function dot(w: Float32Array, x: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < w.length; t++) s += w[t] * x[t];
  return s;
}

// ---------------------------------------------------------------------------------------------
// The policy loss

/** The policy-gradient part of a loss, per token, with its clip indicators when it clips. */
export type PolicyTerm = (input: LossInput, cfg: AlgorithmConfig) => { loss: Tensor; clipped?: Uint8Array; dualClipped?: Uint8Array };

/** The clipped-ratio term: token ratio, or GSPO's sequence ratio (no dual clip) with ratio_level: sequence. */
export const clippedTerm: PolicyTerm = (input, cfg) => {
  const sequence = cfg.ratio_level === "sequence";
  const ratio = sequence ? sequenceRatio(input.logp, input.oldLogp, input.mask, input.offsets) : tokenRatio(input.logp, input.oldLogp);
  return clippedPolicyLoss(ratio, input.advantages, { low: cfg.clip_ratio_low, high: cfg.clip_ratio_high, dual: sequence ? null : cfg.clip_ratio_c });
};

/**
 * Token statistics of how far the policy has moved, weighted 1/tokens: actor/ppo_kl (mean of
 * logπ_old − logπ), actor/entropy (token mean), actor/kl (to the reference, when refLogp is given).
 */
export function driftMetrics(input: LossInput, cfg: AlgorithmConfig): Record<string, number> {
  const share = aggregationWeights(input.mask, input.offsets, input.totals, "token-mean");
  const logp = input.logp.data;
  const metrics: Record<string, number> = {
    "actor/ppo_kl": dot(share, input.oldLogp.map((old, t) => old - logp[t])),
    "actor/entropy": dot(share, input.entropy.data),
  };
  if (input.refLogp) metrics["actor/kl"] = dot(share, klEstimate(logp, input.refLogp, cfg.kl.estimator));
  return metrics;
}

/**
 * The loss of every ratio-based algorithm (and RAFT, with its own term):
 *   loss = agg(ρ·L_pg) + coef·agg(KL) [kl.placement: loss] − entropy_coef·agg(H)
 * with agg the configured aggregation and ρ the per-token input.isWeights (1 when absent).
 * Metrics: actor/pg_loss (with ρ) and actor/kl_loss aggregated like the loss;
 * actor/pg_clipfrac, actor/pg_clipfrac_lower and driftMetrics as token shares.
 */
export function policyLoss(input: LossInput, cfg: AlgorithmConfig, term: PolicyTerm = clippedTerm): LossOutput {
  const w = aggregationWeights(input.mask, input.offsets, input.totals, cfg.loss_agg_mode, cfg.loss_agg_length);
  const share = aggregationWeights(input.mask, input.offsets, input.totals, "token-mean");
  const pg = term(input, cfg);
  const rho = input.isWeights;
  let loss = weightedSum(pg.loss, rho ? w.map((x, t) => x * rho[t]) : w);
  const metrics: Record<string, number> = { "actor/pg_loss": loss.item(), ...driftMetrics(input, cfg) };
  if (pg.clipped) metrics["actor/pg_clipfrac"] = dot(share, pg.clipped);
  if (pg.dualClipped) metrics["actor/pg_clipfrac_lower"] = dot(share, pg.dualClipped);
  if (cfg.kl.placement === "loss") {
    const klLoss = weightedSum(klPenalty(input.logp, requireRef(input.refLogp, "policyLoss"), cfg.kl.estimator), w);
    metrics["actor/kl_loss"] = klLoss.item();
    loss = add(loss, affine(klLoss, cfg.kl.coef));
  }
  if (cfg.entropy_coef !== 0) loss = add(loss, affine(weightedSum(input.entropy, w), -cfg.entropy_coef));
  return { loss, metrics };
}
