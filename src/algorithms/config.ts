/**
 * The `algorithm:` section of the run config (YAML, snake_case keys), validated by zod: strict
 * (a misspelt key is an error, not a silent default), every key described (docs/CONFIG.md is
 * generated from the descriptions), defaults from the Open-Reasoner-Zero recipe (PPO, GAE
 * γ = λ = 1, ε = 0.2, token-mean, no KL, no entropy bonus). Combinations that would silently do
 * nothing (a KL term for DPO, a sequence ratio for RAFT) are errors naming the key.
 */
import { z } from "zod";
import { UserInputError } from "../errors.ts";

export const AlgorithmNameSchema = z.enum(["ppo", "grpo", "rloo", "reinforce_pp", "reinforce", "reinforce_rej", "raft", "raftpp", "dpo"]);
export type AlgorithmName = z.infer<typeof AlgorithmNameSchema>;

export const LossAggModeSchema = z.enum(["token-mean", "seq-mean-token-mean", "seq-mean-token-sum", "seq-mean-token-sum-norm"]);
export type LossAggMode = z.infer<typeof LossAggModeSchema>;

export const KlEstimatorSchema = z.enum(["k1", "k2", "k3"]);
export type KlEstimator = z.infer<typeof KlEstimatorSchema>;

export const ScaleRewardsSchema = z.enum(["group", "batch", "none"]);
export type ScaleRewards = z.infer<typeof ScaleRewardsSchema>;

const KlConfigSchema = z.strictObject({
  placement: z.enum(["none", "reward", "loss"]).default("none")
    .describe("Where the KL to the reference model acts: none (Open-Reasoner-Zero; it is still logged when the trainer computes reference log-probs), reward (subtracted per token from the reward, as OpenRLHF), loss (added to the policy loss, as verl's use_kl_loss and Minimal-RL's scripts)"),
  estimator: KlEstimatorSchema.default("k3")
    .describe("KL estimator with δ = logπ_ref − logπ: k1 = −δ (OpenRLHF's default in the reward), k2 = δ²/2, k3 = exp(δ) − δ − 1 clamped to ±10 (verl's low_var_kl, used in the loss by Minimal-RL)"),
  coef: z.number().min(0).default(0.001)
    .describe("KL coefficient (verl's kl_loss_coef 0.001); unused when placement is none"),
});

const DynamicSamplingSchema = z.strictObject({
  enabled: z.boolean().default(false)
    .describe("DAPO dynamic sampling: drop groups whose scores are all equal and sample more prompts until the batch is full"),
  max_rounds: z.number().int().min(1).default(10)
    .describe("At most this many generation rounds per step (verl's example: 10); the step trains on what it has after the last"),
});

const OverlongSchema = z.strictObject({
  enabled: z.boolean().default(false)
    .describe("DAPO overlong reward shaping: a length penalty added to the score of responses longer than the generation limit minus cache_length"),
  cache_length: z.number().int().positive().optional()
    .describe("Length of the soft zone before the generation limit where the penalty ramps from 0 to −factor (DAPO: 4096 of 20480); required when enabled"),
  factor: z.number().min(0).default(1)
    .describe("Penalty at and beyond the generation limit (DAPO: 1)"),
});

export const AlgorithmConfigSchema = z.strictObject({
  name: AlgorithmNameSchema.default("ppo")
    .describe("The RL algorithm: ppo (critic + GAE), grpo, rloo, reinforce_pp (REINFORCE++ with group baseline), reinforce, reinforce_rej, raft, raftpp, dpo (iterative DPO)"),
  clip_ratio_low: z.number().min(0).lt(1).default(0.2)
    .describe("ε_low: the ratio is clipped below at 1 − ε_low"),
  clip_ratio_high: z.number().min(0).default(0.2)
    .describe("ε_high: the ratio is clipped above at 1 + ε_high (DAPO's clip-higher: 0.28)"),
  clip_ratio_c: z.number().gt(1).nullable().default(null)
    .describe("Dual clip: for negative advantages the loss is capped at −A·c (null: off; verl's default when on is 3, and Minimal-RL's code runs with 3)"),
  ratio_level: z.enum(["token", "sequence"]).default("token")
    .describe("token: per-token ratio π/π_old; sequence: GSPO's length-normalised sequence ratio (verl's GSPO loss aggregates seq-mean-token-mean: set loss_agg_mode to match)"),
  loss_agg_mode: LossAggModeSchema.default("token-mean")
    .describe("How per-token losses become one number (verl's loss_agg_mode): token-mean over the mini-batch's tokens; seq-mean-token-mean; seq-mean-token-sum; seq-mean-token-sum-norm (token sums over a constant length, Dr. GRPO)"),
  loss_agg_length: z.number().int().positive().optional()
    .describe("The constant length of seq-mean-token-sum-norm; the trainer fills it with the generation limit when absent"),
  kl: KlConfigSchema.prefault({})
    .describe("KL to the reference model"),
  entropy_coef: z.number().finite().default(0)
    .describe("Entropy bonus: the loss is reduced by entropy_coef times the aggregated entropy (Minimal-RL's code leaves 0.001 on)"),
  gamma: z.number().min(0).max(1).default(1)
    .describe("PPO: discount γ of GAE"),
  lambda: z.number().min(0).max(1).default(1)
    .describe("PPO: λ of GAE (with γ = λ = 1 the advantage is r − V)"),
  normalize_advantages: z.boolean().default(true)
    .describe("PPO: whiten the advantages over all response tokens of the batch"),
  value_clip: z.number().positive().nullable().default(0.2)
    .describe("PPO: the critic's new values are clipped to old ± value_clip in the value loss (Open-Reasoner-Zero 0.2, Minimal-RL 0.5; null: no clipping)"),
  scale_rewards: ScaleRewardsSchema.default("group")
    .describe("GRPO: divide the group-centred score by the group's std (group), the whole batch's std (batch) or nothing (none; with seq-mean-token-sum-norm this is Dr. GRPO)"),
  reject_all_correct: z.boolean().default(true)
    .describe("Reinforce-Rej: filter out groups whose responses are all correct"),
  reject_all_wrong: z.boolean().default(true)
    .describe("Reinforce-Rej: filter out groups whose responses are all wrong"),
  drop_filtered: z.boolean().default(false)
    .describe("Reinforce-Rej, RAFT, RAFT++: false keeps filtered responses in the update with advantage 0 (in the token-mean and the KL term, as Minimal-RL's code runs); true removes them (as the paper describes; saves their forward and backward)"),
  dpo_beta: z.number().positive().default(0.1)
    .describe("DPO: β of the loss −logσ(β·margin)"),
  dynamic_sampling: DynamicSamplingSchema.prefault({})
    .describe("DAPO dynamic sampling"),
  overlong: OverlongSchema.prefault({})
    .describe("DAPO overlong reward shaping"),
  mask_truncated: z.boolean().default(false)
    .describe("Leave responses cut by the generation limit out of the loss (TRL's mask_truncated_completions)"),
}).superRefine((c, ctx) => {
  const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if (c.name === "dpo" && c.kl.placement !== "none") fail(["kl", "placement"], "dpo has no KL term: its reference is the policy that sampled the iteration, and dpo_beta sets the strength");
  if (c.name === "dpo" && c.entropy_coef !== 0) fail(["entropy_coef"], "dpo has no entropy bonus");
  if ((c.name === "raft" || c.name === "raftpp") && c.kl.placement === "reward") fail(["kl", "placement"], `${c.name} selects responses by correctness: a KL in the reward would only rescale them; use placement: loss`);
  if ((c.name === "raft" || c.name === "dpo") && c.ratio_level === "sequence") fail(["ratio_level"], `${c.name} has no importance ratio`);
  if (c.ratio_level === "sequence" && c.clip_ratio_c !== null) fail(["clip_ratio_c"], "GSPO (ratio_level: sequence) has no dual clip");
  if (c.overlong.enabled && c.overlong.cache_length === undefined) fail(["overlong", "cache_length"], "required when overlong.enabled is true");
});
export type AlgorithmConfig = z.infer<typeof AlgorithmConfigSchema>;

/** Parses an `algorithm:` section (defaults filled); a bad key is a UserInputError naming it, as `algorithm.kl.placement: ...`. */
export function parseAlgorithmConfig(input: unknown, section = "algorithm"): AlgorithmConfig {
  const r = AlgorithmConfigSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const path = [section, ...i.path].join(".");
    return i.code === "unrecognized_keys" ? `${path}: unknown key(s) ${i.keys.join(", ")}` : `${path}: ${i.message}`;
  });
  throw new UserInputError(`invalid config: ${issues.join("; ")}`);
}
