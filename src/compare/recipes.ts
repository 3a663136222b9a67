/**
 * What `rlzero compare` changes per algorithm: the whole `algorithm:` section of the run config,
 * as the Minimalist paper's code (RLHFlow/Minimal-RL, a fork of verl) runs each algorithm, with
 * the reason. Everything else (model, data, reward, batch sizes, generation limit, learning
 * rate, evaluation) comes from the one base config that every run shares.
 */
import { UserInputError } from "../errors.ts";

export interface Recipe {
  /** The algorithm as the paper names it. */
  label: string;
  /** The run config's `algorithm:` section. */
  algorithm: Record<string, unknown>;
  /** Why it is set up so, for results.md. */
  why: string;
}

/** Minimal-RL's scripts, for every algorithm with a policy-gradient loss: verl's use_kl_loss (k3, 0.001) and the entropy bonus of 0.001 its code leaves on. */
const MINIMAL_RL = { loss_agg_mode: "token-mean", kl: { placement: "loss", estimator: "k3", coef: 0.001 }, entropy_coef: 0.001 };
/** The clipped ratio, ε = 0.2 both ways, with verl's dual clip c = 3 (Minimal-RL's code runs with it). */
const CLIPPED = { clip_ratio_low: 0.2, clip_ratio_high: 0.2, clip_ratio_c: 3 };

export const RECIPES = {
  raft: {
    label: "RAFT",
    algorithm: { name: "raft", ...MINIMAL_RL },
    why: "fine-tunes on the correct responses only (advantage max(r, 0)); no ratio, so no clip",
  },
  raftpp: {
    label: "RAFT++",
    algorithm: { name: "raftpp", ...CLIPPED, ...MINIMAL_RL },
    why: "RAFT's samples with the clipped importance ratio, ε = 0.2 (the paper's main setting; clip-higher 0.28 is its ablation)",
  },
  reinforce: {
    label: "Reinforce",
    algorithm: { name: "reinforce", ...CLIPPED, ...MINIMAL_RL },
    why: "the raw reward as the advantage, with the clipped ratio",
  },
  reinforce_rej: {
    label: "Reinforce-Rej",
    algorithm: { name: "reinforce_rej", reject_all_correct: true, reject_all_wrong: true, drop_filtered: false, ...CLIPPED, ...MINIMAL_RL },
    why: "Reinforce without the prompts whose responses are all right or all wrong (kept in the batch with advantage 0, as Minimal-RL's code does)",
  },
  grpo: {
    label: "GRPO",
    algorithm: { name: "grpo", scale_rewards: "group", ...CLIPPED, ...MINIMAL_RL },
    why: "advantages (r − group mean)/(group std + 1e-6), with the clipped ratio",
  },
  ppo: {
    label: "PPO",
    algorithm: { name: "ppo", gamma: 1, lambda: 1, normalize_advantages: true, value_clip: 0.5, ...CLIPPED, ...MINIMAL_RL },
    why: "a critic trained with the base config's critic: section, GAE γ = λ = 1, whitened advantages, value clip 0.5 (Minimal-RL)",
  },
  dpo: {
    label: "iterative DPO",
    algorithm: { name: "dpo", dpo_beta: 0.1 },
    why: "best against worst response of each prompt, β = 0.1; its reference is the policy that sampled the iteration, so no KL term or entropy bonus",
  },
} satisfies Record<string, Recipe>;

export type CompareAlgorithm = keyof typeof RECIPES;
export const COMPARE_ALGORITHMS = Object.keys(RECIPES) as CompareAlgorithm[];

/** "raft,grpo" as algorithm names, each known and given once. */
export function parseAlgorithms(list: string): CompareAlgorithm[] {
  const names = list.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UserInputError(`--algorithms: give at least one of ${COMPARE_ALGORITHMS.join(", ")}`);
  for (const [i, name] of names.entries()) {
    if (!Object.hasOwn(RECIPES, name)) throw new UserInputError(`--algorithms: unknown algorithm "${name}"; known: ${COMPARE_ALGORITHMS.join(", ")}`);
    if (names.indexOf(name) !== i) throw new UserInputError(`--algorithms: ${name} is given twice`);
  }
  return names as CompareAlgorithm[];
}
