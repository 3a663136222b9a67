/**
 * Every key of our run config and what it becomes in verl's PPO trainer (`python3 -m
 * verl.trainer.main_ppo`), mapped against volcengine/verl @ b178a3cd (2026-01-29, 0.8.0.dev):
 * verl/trainer/config/_generated_ppo_trainer.yaml for the option names, core_algos.py,
 * fsdp_workers.py and the examples for their meaning. A rule reads the resolved config and gives
 * verl overrides, a note saying why the value does not carry over (printed with the command), or
 * nothing (the key is unused by this recipe, or verl's behaviour is already ours).
 *
 * Semantics that differ and are converted here:
 *   - verl's ppo_mini_batch_size counts prompts (it is multiplied by rollout.n); ours counts responses.
 *   - verl steps its LR scheduler once per RL step (fsdp_workers.update_actor), starting at 0 (HF's
 *     warm-up); ours once per optimizer step, starting at lr/warmup_steps.
 *   - verl always applies the dual clip (clip_ratio_c, default 3) and always whitens GAE advantages;
 *     our null clip_ratio_c is a constant too large to act (1e9 > exp(20), verl's ratio bound).
 *   - top_k: verl's "all" is -1, ours 0. Hydra's `+key=value` adds a key the config does not have.
 */
import type { RunConfig } from "../trainer/config.ts";

export type VerlValue = string | number | boolean | readonly number[] | Readonly<Record<string, number>>;

export interface Mapped {
  /** verl overrides, key → value (a leading "+" adds a key verl's config lacks). */
  set?: Record<string, VerlValue>;
  /** Why this value does not carry over, or what to do instead. */
  note?: string;
}

export type Rule = (c: RunConfig) => Mapped;

const A = "actor_rollout_ref.actor";
const R = "actor_rollout_ref.rollout";
/** A value too large to act, for our "off" where verl has no off. */
const NEVER = 1e9;

const set = (values: Record<string, VerlValue>): Mapped => ({ set: values });
const none = (note: string): Rule => () => ({ note });
const nothing: Mapped = {};

const usesCritic = (c: RunConfig) => c.algorithm.name === "ppo";
const remote = (c: RunConfig) => c.rollout.engine === "openai";
const responses = (c: RunConfig) => c.rollout.prompts_per_step * c.rollout.samples_per_prompt;

/** Our mini-batch of responses as verl's, of prompts. */
function miniBatch(c: RunConfig, part: "actor" | "critic", key: string): Mapped {
  const mb = c[part].mini_batch_size ?? responses(c);
  const prompts = mb / c.rollout.samples_per_prompt;
  if (Number.isInteger(prompts)) return set({ [key]: prompts });
  return { set: { [key]: Math.max(1, Math.round(prompts)) }, note: `${mb} responses are not whole groups of ${c.rollout.samples_per_prompt}: verl's mini-batches count prompts, rounded here` };
}

/** Our warm-up in optimizer steps as verl's, in RL steps (verl steps its scheduler once per RL step). */
function warmup(c: RunConfig, part: "actor" | "critic", key: string): Mapped {
  const o = c[part];
  const perStep = o.epochs * Math.max(1, Math.round(responses(c) / (o.mini_batch_size ?? responses(c))));
  const steps = Math.ceil(o.warmup_steps / perStep);
  const note = perStep > 1 && o.warmup_steps > 0
    ? `${o.warmup_steps} optimizer steps of warm-up are ${o.warmup_steps / perStep} RL steps (${perStep} optimizer steps each): verl ramps once per RL step, from 0`
    : undefined;
  return { set: { [key]: steps }, note };
}

/** The optimizer keys of the actor or the critic. */
function optimizer(part: "actor" | "critic"): Record<string, Rule> {
  const prefix = part === "actor" ? A : "critic";
  const used = (c: RunConfig) => part === "actor" || usesCritic(c);
  const rule = (f: Rule): Rule => (c) => (used(c) ? f(c) : nothing);
  return {
    [`${part}.lr`]: rule((c) => set({ [`${prefix}.optim.lr`]: c[part].lr })),
    [`${part}.lr_schedule`]: rule((c) => set({ [`${prefix}.optim.lr_scheduler_type`]: c[part].lr_schedule })),
    [`${part}.min_lr`]: rule((c) => (c[part].lr_schedule === "cosine" ? set({ [`${prefix}.optim.min_lr_ratio`]: c[part].min_lr / c[part].lr }) : nothing)),
    [`${part}.warmup_steps`]: rule((c) => warmup(c, part, `${prefix}.optim.lr_warmup_steps`)),
    [`${part}.betas`]: rule((c) => set({ [`${prefix}.optim.betas`]: c[part].betas })),
    [`${part}.eps`]: rule((c) => set({ [`${prefix}.optim.override_optimizer_config`]: { eps: c[part].eps } })),
    [`${part}.weight_decay`]: rule((c) => set({ [`${prefix}.optim.weight_decay`]: c[part].weight_decay })),
    [`${part}.grad_clip`]: rule((c) => set({ [`${prefix}.optim.clip_grad`]: c[part].grad_clip })),
    [`${part}.mini_batch_size`]: rule((c) => miniBatch(c, part, `${prefix}.ppo_mini_batch_size`)),
    [`${part}.epochs`]: rule((c) => set({ [`${prefix}.ppo_epochs`]: c[part].epochs })),
  };
}

const ADV_ESTIMATOR: Partial<Record<RunConfig["algorithm"]["name"], string>> = {
  ppo: "gae", grpo: "grpo", rloo: "rloo", reinforce_pp: "reinforce_plus_plus_baseline",
};
const KL_TYPE = { k1: "kl", k2: "mse", k3: "low_var_kl" } as const;
const FILTERS = ["reinforce_rej", "raft", "raftpp"];

export const VERL_MAP: Record<string, Rule> = {
  seed: (c) => set({ "data.seed": c.seed, [`${A}.data_loader_seed`]: c.seed, ...(usesCritic(c) ? { "critic.data_loader_seed": c.seed } : {}) }),
  run_dir: (c) => set({ "trainer.default_local_dir": c.run_dir, "trainer.experiment_name": c.run_dir.split("/").filter(Boolean).at(-1) ?? c.run_dir }),

  "model.path": (c) => set({ "actor_rollout_ref.model.path": c.model.path, ...(usesCritic(c) && !c.model.critic_path ? { "critic.model.path": c.model.path } : {}) }),
  "model.critic_path": (c) => (usesCritic(c) && c.model.critic_path ? set({ "critic.model.path": c.model.critic_path }) : nothing),

  "data.train": none("verl reads parquet rows (a chat `prompt`, `data_source`, `reward_model.ground_truth`): convert the data as verl's examples/data_preprocess scripts do, and set data.train_files"),
  "data.eval[].name": (c) => (c.data.eval.length > 0 ? { note: "convert each held-out set to verl's parquet format and list them in data.val_files" } : nothing),
  "data.eval[].dataset": () => nothing, // with data.eval[].name
  "data.eval[].n": (c) => {
    const ns = [...new Set(c.data.eval.map((e) => e.n))];
    if (ns.length === 0) return nothing;
    return { set: { [`${R}.val_kwargs.n`]: Math.max(...ns) }, note: ns.length > 1 ? `verl takes one n for all held-out sets (${ns.join(", ")} here)` : undefined };
  },
  "data.eval[].temperature": (c) => {
    const ts = [...new Set(c.data.eval.map((e) => e.temperature ?? c.rollout.temperature))];
    if (ts.length === 0) return nothing;
    return { set: { [`${R}.val_kwargs.temperature`]: ts[0]!, [`${R}.val_kwargs.do_sample`]: ts[0]! > 0, [`${R}.val_kwargs.top_p`]: c.rollout.top_p }, note: ts.length > 1 ? `verl takes one temperature for all held-out sets (${ts.join(", ")} here)` : undefined };
  },
  "data.template.name": none("verl renders the parquet's chat `prompt` with the tokenizer's chat template: write the template's text into the prompts when converting the data"),
  "data.template.path": () => nothing, // with data.template.name
  "data.template.system": () => nothing, // with data.template.name
  "data.template.stop": () => nothing, // with rollout.stop
  "data.template.format": () => nothing, // with reward.format
  "data.shuffle": (c) => set({ "data.shuffle": c.data.shuffle }),
  "data.max_prompt_tokens": (c) => set({ "data.max_prompt_length": c.data.max_prompt_tokens, "data.filter_overlong_prompts": true }),

  "reward.grader": none("verl scores with a Python compute_score(data_source, solution_str, ground_truth): point custom_reward_function.path/name at one that grades as this grader does"),
  "reward.format": () => nothing, // with reward.grader
  "reward.values": none("the reward values are what your compute_score returns"),
  "reward.module": (c) => (c.reward.module ? { note: "a TypeScript grader does not run in verl: port it to compute_score" } : nothing),
  "reward.timeout_ms": none("verl's reward functions run without a per-response time limit"),
  "reward.workers": none("verl's reward runs in its reward loop workers (reward_model.num_workers)"),
  "reward.reflection_pattern": none("a metric of ours (train/reflection_rate) that verl does not compute"),

  "rollout.engine": (c) => set({ [`${R}.name`]: c.rollout.engine === "openai" && c.rollout.weight_sync.protocol === "sglang" ? "sglang" : "vllm" }),
  "rollout.prompts_per_step": (c) => set({ "data.train_batch_size": c.rollout.prompts_per_step }),
  "rollout.samples_per_prompt": (c) => set({ [`${R}.n`]: c.rollout.samples_per_prompt }),
  "rollout.max_new_tokens": (c) => set({ "data.max_response_length": c.rollout.max_new_tokens }),
  "rollout.temperature": (c) => set({ [`${R}.temperature`]: c.rollout.temperature }),
  "rollout.top_p": (c) => set({ [`${R}.top_p`]: c.rollout.top_p }),
  "rollout.top_k": (c) => set({ [`${R}.top_k`]: c.rollout.top_k > 0 ? c.rollout.top_k : -1 }),
  "rollout.stop": none("verl's rollout ends a sample at EOS or the length limit only: stop strings (the template's, e.g. Open-Reasoner-Zero's </answer>) have no option in main_ppo"),
  "rollout.servers.endpoints": (c) => (remote(c) ? { note: "verl starts and drives its own inference engines (rollout.name, tensor_model_parallel_size, gpu_memory_utilization)" } : nothing),
  "rollout.servers.served_model_name": () => nothing, // with rollout.servers.endpoints
  "rollout.servers.api_key_env": () => nothing,
  "rollout.servers.concurrency": () => nothing,
  "rollout.servers.timeout_s": () => nothing,
  "rollout.servers.retries": () => nothing,
  "rollout.weight_sync.protocol": (c) => (remote(c) ? { note: "verl syncs weights to its engines itself (in memory or over NCCL)" } : nothing),
  "rollout.weight_sync.dir": () => nothing, // with rollout.weight_sync.protocol
  "rollout.weight_sync.dtype": (c) => (remote(c) ? set({ [`${R}.dtype`]: c.rollout.weight_sync.dtype === "bf16" ? "bfloat16" : "float32" }) : nothing),
  "rollout.weight_sync.keep": () => nothing,
  "rollout.async": (c) => (c.rollout.async ? { note: "one step off the policy is verl's separate trainer: python3 -m verl.experimental.one_step_off_policy.main_ppo (its own config, one_step_off_ppo_trainer.yaml)" } : nothing),
  "rollout.tis_cap": (c) => (c.rollout.tis_cap === null ? nothing : set({
    "algorithm.rollout_correction.rollout_is": "token", "algorithm.rollout_correction.rollout_is_threshold": c.rollout.tis_cap, [`${R}.calculate_log_probs`]: true,
  })),

  "algorithm.name": (c) => {
    const estimator = ADV_ESTIMATOR[c.algorithm.name];
    if (estimator) return set({ "algorithm.adv_estimator": estimator });
    return { note: `${c.algorithm.name} has no advantage estimator in upstream verl (RLHFlow/Minimal-RL's fork of verl, @ e3b49f0, adds the Minimalist paper's); the command is incomplete without one` };
  },
  "algorithm.clip_ratio_low": (c) => (c.algorithm.name === "raft" || c.algorithm.name === "dpo" ? nothing : set({ [`${A}.clip_ratio_low`]: c.algorithm.clip_ratio_low })),
  "algorithm.clip_ratio_high": (c) => (c.algorithm.name === "raft" || c.algorithm.name === "dpo" ? nothing : set({ [`${A}.clip_ratio_high`]: c.algorithm.clip_ratio_high })),
  "algorithm.clip_ratio_c": (c) => set({ [`${A}.clip_ratio_c`]: c.algorithm.clip_ratio_c ?? NEVER }),
  "algorithm.ratio_level": (c) => set({ [`${A}.policy_loss.loss_mode`]: c.algorithm.ratio_level === "sequence" ? "gspo" : "vanilla" }),
  "algorithm.loss_agg_mode": (c) => set({ [`${A}.loss_agg_mode`]: c.algorithm.loss_agg_mode, ...(usesCritic(c) ? { "critic.loss_agg_mode": "token-mean" } : {}) }),
  "algorithm.loss_agg_length": (c) => (c.algorithm.loss_agg_mode === "seq-mean-token-sum-norm"
    ? set({ [`${A}.loss_scale_factor`]: c.algorithm.loss_agg_length ?? c.rollout.max_new_tokens }) : nothing),
  "algorithm.kl.placement": (c) => set({ [`${A}.use_kl_loss`]: c.algorithm.kl.placement === "loss", "algorithm.use_kl_in_reward": c.algorithm.kl.placement === "reward" }),
  "algorithm.kl.estimator": (c) => {
    const type = KL_TYPE[c.algorithm.kl.estimator];
    if (c.algorithm.kl.placement === "loss") return set({ [`${A}.kl_loss_type`]: type });
    return c.algorithm.kl.placement === "reward" ? set({ "algorithm.kl_penalty": type }) : nothing;
  },
  "algorithm.kl.coef": (c) => {
    if (c.algorithm.kl.placement === "loss") return set({ [`${A}.kl_loss_coef`]: c.algorithm.kl.coef });
    return c.algorithm.kl.placement === "reward" ? set({ "algorithm.kl_ctrl.type": "fixed", "algorithm.kl_ctrl.kl_coef": c.algorithm.kl.coef }) : nothing;
  },
  "algorithm.entropy_coef": (c) => set({ [`${A}.entropy_coeff`]: c.algorithm.entropy_coef }),
  "algorithm.gamma": (c) => (usesCritic(c) ? set({ "algorithm.gamma": c.algorithm.gamma }) : nothing),
  "algorithm.lambda": (c) => (usesCritic(c) ? set({ "algorithm.lam": c.algorithm.lambda }) : nothing),
  "algorithm.normalize_advantages": (c) => (usesCritic(c) && !c.algorithm.normalize_advantages
    ? { note: "verl always whitens GAE advantages over the batch" } : nothing),
  "algorithm.value_clip": (c) => (usesCritic(c) ? set({ "critic.cliprange_value": c.algorithm.value_clip ?? NEVER }) : nothing),
  "algorithm.scale_rewards": (c) => {
    if (c.algorithm.name !== "grpo") return nothing;
    if (c.algorithm.scale_rewards === "batch") return { note: "GRPO scaled by the batch's std has no option in verl (norm_adv_by_std_in_grpo divides by the group's)" };
    return set({ "algorithm.norm_adv_by_std_in_grpo": c.algorithm.scale_rewards === "group" });
  },
  "algorithm.reject_all_correct": (c) => (FILTERS.includes(c.algorithm.name) ? { note: "the Minimalist paper's group filters are not in upstream verl" } : nothing),
  "algorithm.reject_all_wrong": () => nothing, // with algorithm.reject_all_correct
  "algorithm.drop_filtered": () => nothing, // with algorithm.reject_all_correct
  "algorithm.dpo_beta": (c) => (c.algorithm.name === "dpo" ? { note: "iterative DPO is not in verl's main_ppo" } : nothing),
  "algorithm.dynamic_sampling.enabled": (c) => (c.algorithm.dynamic_sampling.enabled
    ? { note: `dynamic sampling is verl-recipe's DAPO trainer, not main_ppo (there: algorithm.filter_groups.enable=True, metric=acc, max_num_gen_batches=${c.algorithm.dynamic_sampling.max_rounds})` } : nothing),
  "algorithm.dynamic_sampling.max_rounds": () => nothing, // with algorithm.dynamic_sampling.enabled
  "algorithm.overlong.enabled": (c) => (c.algorithm.overlong.enabled ? set({
    "reward_model.reward_manager": "dapo",
    "+reward_model.reward_kwargs.overlong_buffer_cfg.enable": true,
    "+reward_model.reward_kwargs.max_resp_len": c.rollout.max_new_tokens,
  }) : nothing),
  "algorithm.overlong.cache_length": (c) => (c.algorithm.overlong.enabled ? set({ "+reward_model.reward_kwargs.overlong_buffer_cfg.len": c.algorithm.overlong.cache_length! }) : nothing),
  "algorithm.overlong.factor": (c) => (c.algorithm.overlong.enabled ? set({ "+reward_model.reward_kwargs.overlong_buffer_cfg.penalty_factor": c.algorithm.overlong.factor }) : nothing),
  "algorithm.mask_truncated": (c) => (c.algorithm.mask_truncated ? { note: "masking truncated responses out of the loss has no option in verl's main_ppo" } : nothing),

  ...optimizer("actor"),
  ...optimizer("critic"),

  "trainer.steps": (c) => set({ "trainer.total_training_steps": c.trainer.steps }),
  "trainer.micro_batch_tokens": (c) => ({
    set: {
      [`${A}.use_dynamic_bsz`]: true, [`${A}.ppo_max_token_len_per_gpu`]: c.trainer.micro_batch_tokens,
      ...(usesCritic(c) ? { "critic.ppo_max_token_len_per_gpu": c.trainer.micro_batch_tokens } : {}),
    },
    note: "a token budget per GPU in verl (memory, not results); size it to the GPUs",
  }),
  "trainer.eval_every": (c) => set({ "trainer.test_freq": c.trainer.eval_every > 0 ? c.trainer.eval_every : -1, "trainer.val_before_train": c.trainer.eval_every > 0 && c.data.eval.length > 0 }),
  "trainer.save_every": (c) => (c.trainer.save_every > 0
    ? set({ "trainer.save_freq": c.trainer.save_every })
    : { set: { "trainer.save_freq": c.trainer.steps }, note: "0 (only at the end) is verl's save_freq = the last step" }),
  "trainer.keep_checkpoints": (c) => set({ "trainer.max_actor_ckpt_to_keep": c.trainer.keep_checkpoints, ...(usesCritic(c) ? { "trainer.max_critic_ckpt_to_keep": c.trainer.keep_checkpoints } : {}) }),
  "trainer.log_samples": none("verl dumps every rollout with trainer.rollout_data_dir, and validation samples with trainer.log_val_generations"),
  "trainer.log_kl": none("verl logs the KL to the reference only when it uses a reference (use_kl_loss or use_kl_in_reward)"),
  "trainer.max_failed_steps": none("verl does not skip NaN steps"),
};
