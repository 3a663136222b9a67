/**
 * PPO with a critic and GAE, the Open-Reasoner-Zero recipe (and Minimal-RL's PPO baseline).
 *
 *   rewards   r_t = score on the response's last token − coef·KL_t on every token (kl.placement: reward)
 *   GAE       δ_t = r_t + γ V_{t+1} − V_t (V after the last token = 0),  A_t = δ_t + γλ A_{t+1},
 *             returns R_t = A_t + V_t; with γ = λ = 1: A_t = Σ_{u≥t} r_u − V_t (= score − V_t without KL)
 *   whitening A ← (A − mean)/sqrt(var + 1e-8) over all masked tokens of the batch (normalize_advantages)
 *   policy    the shared clipped loss (common.ts)
 *   critic    0.5·max((V − R)², (V_clip − R)²), V_clip = V_old + clamp(V − V_old, ±value_clip), token mean
 *
 * Follows verl's compute_gae_advantage_return and compute_value_loss (from TRL's PPO trainer) and
 * Open-Reasoner-Zero's orz/ppo. Simplifications: the recursion runs over each response's tokens
 * as packed (the mask selects tokens for the loss and the whitening; verl also skips masked tokens
 * inside a response, which our layout never has); the value loss is always token-mean.
 */
import { tensor } from "../tensor/tensor.ts";
import { affine, clamp, add, maximum, square, sub, weightedSum } from "../tensor/elementwise.ts";
import type { AlgorithmConfig } from "./config.ts";
import type { Algorithm, AdvantageInput, AdvantageOutput, LossOutput, ValueLossInput } from "./types.ts";
import { aggregationWeights, policyLoss, tokenRewards, usesKl } from "./common.ts";
import { advantageOutput, keepAll, maskedMean, maskedVar, maskedWhiten } from "./stats.ts";

/** GAE over packed responses: rewards, values [N] → advantages and returns [N]. */
export function gae(rewards: ArrayLike<number>, values: ArrayLike<number>, offsets: Int32Array, gamma: number,
  lambda: number): { advantages: Float32Array; returns: Float32Array } {
  const n = offsets[offsets.length - 1];
  const advantages = new Float32Array(n);
  const returns = new Float32Array(n);
  for (let i = 0; i + 1 < offsets.length; i++) {
    let nextValue = 0;
    let nextAdvantage = 0;
    for (let t = offsets[i + 1] - 1; t >= offsets[i]; t--) {
      const delta = rewards[t] + gamma * nextValue - values[t];
      nextAdvantage = delta + gamma * lambda * nextAdvantage;
      advantages[t] = nextAdvantage;
      returns[t] = nextAdvantage + values[t];
      nextValue = values[t];
    }
  }
  return { advantages, returns };
}

/** Share of the returns' variance the values explain: 1 − Var(R − V)/(Var(R) + 1e-5) over masked tokens (verl). */
export function explainedVariance(returns: ArrayLike<number>, values: ArrayLike<number>, mask: ArrayLike<number>): number {
  const residual = Float64Array.from({ length: returns.length }, (_, t) => returns[t] - values[t]);
  return 1 - maskedVar(residual, mask) / (maskedVar(returns, mask) + 1e-5);
}

function advantages(input: AdvantageInput, cfg: AlgorithmConfig): AdvantageOutput {
  if (!input.values) throw new Error("ppo advantages: the batch has no critic values");
  const { values, mask, offsets } = input;
  const { rewards, metrics } = tokenRewards(input, cfg);
  const { advantages: raw, returns } = gae(rewards, values, offsets, cfg.gamma, cfg.lambda);
  const adv = cfg.normalize_advantages ? maskedWhiten(raw, mask) : raw.map((a, t) => a * mask[t]);
  const out = advantageOutput(input, adv, keepAll(input), {
    ...metrics,
    "critic/returns/mean": maskedMean(returns, mask),
    "critic/values/mean": maskedMean(values, mask),
    "critic/vf_explained_var": explainedVariance(returns, values, mask),
  });
  return { ...out, returns };
}

/** 0.5·max((V − R)², (V_clip − R)²) token mean, with critic/vf_loss and critic/vf_clipfrac (share of tokens where the clipped loss is larger). */
export function valueLoss(input: ValueLossInput, cfg: AlgorithmConfig): LossOutput {
  const w = aggregationWeights(input.mask, input.offsets, input.totals, "token-mean");
  const R = tensor(input.returns);
  const unclipped = square(sub(input.values, R)); // (V − R)²
  let perToken = unclipped;
  let clipfrac = 0;
  if (cfg.value_clip !== null) {
    const old = tensor(input.oldValues);
    const vClip = add(clamp(sub(input.values, old), -cfg.value_clip, cfg.value_clip), old); // V_old + clamp(V − V_old, ±c)
    const clipped = square(sub(vClip, R));
    perToken = maximum(unclipped, clipped);
    for (let t = 0; t < w.length; t++) if (clipped.data[t] > unclipped.data[t]) clipfrac += w[t];
  }
  const loss = affine(weightedSum(perToken, w), 0.5);
  return { loss, metrics: { "critic/vf_loss": loss.item(), "critic/vf_clipfrac": clipfrac } };
}

export const ppo: Algorithm<AlgorithmConfig> = {
  name: "ppo",
  usesCritic: true,
  needsReference: usesKl,
  advantages,
  policyLoss,
  valueLoss,
};
