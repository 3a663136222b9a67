/**
 * The run configuration: one zod schema, every key described (docs/CONFIG.md is generated from
 * these descriptions), defaults as Open-Reasoner-Zero's code runs them where a default applies,
 * unknown keys rejected. Batch arithmetic is checked once here, with errors that name the keys.
 */
import { z } from "zod";
import { AlgorithmConfigSchema } from "../algorithms/config.ts";
import { DatasetSpecSchema } from "../data/spec.ts";
import { TemplateSchema } from "../data/templates.ts";
import { TaskSetSpecSchema } from "../tasks/dataset.ts";
import { RewardValuesSchema, AnswerFormatSchema } from "../rewards/config.ts";
import { WEIGHT_SYNC_PROTOCOLS } from "../rollout/weight-sync.ts";
import { UserInputError } from "../errors.ts";

const posInt = z.number().int().positive();
/** A data file or preset, or a built-in task's problems. */
const DataSource = z.union([TaskSetSpecSchema, DatasetSpecSchema]);
const nonNegInt = z.number().int().nonnegative();
const rate = z.number().positive();

/** rollout.servers: OpenAI-compatible servers, as OpenAIEngine takes them (src/rollout/openai.ts). */
const ServersSchema = z.strictObject({
  endpoints: z.array(z.url()).default([]).describe("base URLs of the servers (http://host:port or .../v1); requests are spread over them"),
  served_model_name: z.string().min(1).optional().describe("the model name the servers serve (`model` in each request; default: not sent, the server's only model)"),
  api_key_env: z.string().min(1).optional().describe("name of the environment variable holding the servers' API key (default: none)"),
  concurrency: posInt.default(8).describe("requests in flight per server"),
  timeout_s: rate.default(600).describe("time limit of one request (and of one weight load), seconds"),
  retries: nonNegInt.default(4).describe("further attempts of a request that failed or timed out, on another server when there is one"),
});

/** rollout.weight_sync: where policy versions are written and how servers load them (src/rollout/weight-sync.ts). */
const WeightSyncSchema = z.strictObject({
  protocol: z.enum(WEIGHT_SYNC_PROTOCOLS).default("sglang").describe("sglang (POST /update_weights_from_disk; also `rlzero serve`) or vllm (its dev routes /collective_rpc reload_weights and /reset_prefix_cache; start vLLM on <dir>/current)"),
  dir: z.string().min(1).optional().describe("a directory the servers can read: each policy version is written to <dir>/v<N>, and <dir>/current links the newest (default: <run_dir>/weights)"),
  dtype: z.enum(["f32", "bf16"]).default("f32").describe("dtype of the written checkpoints (bf16 halves the bytes; the servers' log-probs then differ more from the trainer's f32 ones)"),
  keep: posInt.default(2).describe("newest versions kept on disk"),
});

const optimizer = (lr: number, what: string) => z.strictObject({
  lr: rate.default(lr).describe(`peak learning rate of the ${what}`),
  lr_schedule: z.enum(["constant", "cosine"]).default("constant").describe("after warm-up: constant (Open-Reasoner-Zero) or a cosine decay towards min_lr over the RL steps"),
  min_lr: z.number().nonnegative().default(0).describe("floor of the cosine schedule"),
  warmup_steps: nonNegInt.default(50).describe("optimizer steps of linear warm-up from lr/warmup_steps to lr"),
  betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.9, 0.95]).describe("AdamW betas"),
  eps: rate.default(1e-8).describe("AdamW epsilon"),
  weight_decay: z.number().nonnegative().default(0).describe("AdamW decoupled weight decay"),
  grad_clip: rate.default(1).describe("clip the global gradient norm to this value"),
  mini_batch_size: posInt.optional().describe("responses per optimizer step (default: the whole rollout batch, one step per epoch); must divide prompts_per_step × samples_per_prompt"),
  epochs: posInt.default(1).describe("passes over the rollout batch per step"),
});

export const RunConfigSchema = z.strictObject({
  seed: nonNegInt.default(42).describe("seed of every random stream (sampling, data order, shuffles, value-head init)"),
  run_dir: z.string().min(1).default("runs/train").describe("directory the run writes (docs/RUN_DIRECTORY.md)"),
  model: z.strictObject({
    path: z.string().min(1).describe("Hugging Face model directory the policy starts from (also the KL reference)"),
    critic_path: z.string().min(1).optional().describe("model directory the critic starts from (default: model.path, with a fresh value head)"),
  }).describe("The policy and critic to start from (Hugging Face directories)."),
  data: z.strictObject({
    train: DataSource.describe("training prompts: a file or preset ({path} / {preset}, fields...) or a built-in task ({task, count, seed})"),
    eval: z.array(z.strictObject({
      name: z.string().min(1).describe("name in metrics (val-core/<name>/acc/mean@N) and in eval/step-N/"),
      dataset: DataSource.describe("evaluation prompts: a file or preset, or a built-in task (from its eval split by default)"),
      n: posInt.default(1).describe("samples per prompt (acc is their mean: avg@n)"),
      temperature: z.number().nonnegative().optional().describe("sampling temperature (default: rollout.temperature)"),
    })).default([]).describe("held-out sets evaluated every trainer.eval_every steps"),
    template: TemplateSchema.prefault({}).describe("prompt template"),
    shuffle: z.boolean().default(true).describe("visit training prompts in a seeded random order, epoch after epoch"),
    max_prompt_tokens: posInt.default(2048).describe("longer prompts are dropped from the training set (and counted), as are prompts that leave no room for rollout.max_new_tokens in the model's context"),
  }).describe("Training prompts, held-out sets and the prompt template (docs/EVALUATION.md)."),
  reward: z.strictObject({
    grader: z.string().min(1).optional().describe("\"math\" (answer extraction in reward.format, equivalence with a CAS), or a registered grader (e.g. \"countdown\"); default: the built-in task's grader for task data, else math"),
    format: AnswerFormatSchema.optional().describe("answer extraction of the math grader: orz (last \\boxed{} inside <answer>), boxed, auto (with fallbacks), choice (default: the template's: orz for the orz template; choice for multiple choice)"),
    values: z.union([z.enum(["orz", "minimalist"]), RewardValuesSchema]).default("orz").describe("reward values: orz {correct 1, else 0}, minimalist {correct 1, else -1}, or {correct, incorrect, noAnswer, truncated}"),
    module: z.string().min(1).optional().describe("a TS/JS module exporting your own grader, used instead of `grader`"),
    timeout_ms: posInt.default(2000).describe("time limit per response in the verifier pool"),
    workers: posInt.default(2).describe("verifier worker threads"),
    reflection_pattern: z.string().default("\\b(wait|recheck|re-check|retry|alternatively|however|check:)").describe("regular expression (case-insensitive) whose presence marks a response as reflecting (train/reflection_rate); Open-Reasoner-Zero's reflection words by default"),
  }).prefault({}).describe("How responses are scored (src/rewards/)."),
  rollout: z.strictObject({
    engine: z.enum(["local", "openai"]).default("local").describe("where responses are sampled: local (this process, from the trainer's policy) or openai (the OpenAI-compatible servers of rollout.servers: SGLang, vLLM, `rlzero serve`; weights synced after every update, docs/SCALING.md)"),
    prompts_per_step: posInt.default(128).describe("prompts per step"),
    samples_per_prompt: posInt.default(64).describe("responses sampled per prompt (the group size)"),
    max_new_tokens: posInt.default(8000).describe("generation limit in tokens; longer responses are truncated (finish reason length)"),
    temperature: z.number().positive().default(1).describe("sampling temperature; log-probs are computed at the same temperature"),
    top_p: z.number().gt(0).max(1).default(1).describe("nucleus sampling mass"),
    top_k: nonNegInt.default(0).describe("keep the k most likely tokens (0: all)"),
    stop: z.array(z.string().min(1)).optional().describe("stop strings, kept in the output (default: the template's, e.g. User:, Human:, Assistant:, </answer> for orz)"),
    servers: ServersSchema.prefault({}).describe("engine openai: the inference servers"),
    weight_sync: WeightSyncSchema.prefault({}).describe("engine openai: how each new policy reaches the servers"),
    async: z.boolean().default(false).describe("engine openai: generate step k+1's responses while step k trains (one step off the policy, staleness 1; needs tis_cap)"),
    tis_cap: rate.nullable().default(null).describe("truncated importance sampling: the policy-gradient loss of each token is weighted by min(π_old/π_sampler, tis_cap), π_old the trainer's recomputed log-prob and π_sampler the sampler's (verl's rollout_is_threshold, e.g. 2); null: off"),
  }).prefault({}).describe("How responses are sampled: batch sizes, sampling settings, and the servers that sample them."),
  algorithm: AlgorithmConfigSchema.prefault({}).describe("The RL algorithm and its options (docs/ALGORITHMS.md)."),
  actor: optimizer(1e-6, "policy").prefault({}).describe("The policy's optimizer (AdamW)."),
  critic: optimizer(5e-6, "critic").prefault({}).describe("The critic's optimizer (PPO); Open-Reasoner-Zero takes 12 critic steps per rollout batch (mini_batch_size = responses / 12)."),
  trainer: z.strictObject({
    steps: posInt.default(100).describe("RL steps (each: rollouts, rewards, advantages, updates)"),
    micro_batch_tokens: posInt.default(16384).describe("tokens (prompt + response, packed without padding) per forward/backward micro-batch; gradients accumulate over micro-batches (memory, not results)"),
    eval_every: nonNegInt.default(10).describe("evaluate data.eval every this many steps (0: never); also before the first step and after the last"),
    save_every: nonNegInt.default(50).describe("checkpoint every this many steps (0: only at the end)"),
    keep_checkpoints: posInt.default(2).describe("newest checkpoints kept"),
    log_samples: nonNegInt.default(8).describe("responses written to samples.jsonl per step"),
    log_kl: z.boolean().default(true).describe("compute the reference model's log-probs to log actor/kl (KL to the initial model) even when the algorithm does not use it"),
    max_failed_steps: posInt.default(3).describe("consecutive steps with NaN/Inf losses or gradients before the run stops"),
  }).prefault({}).describe("The loop: steps, memory, evaluation, checkpoints, logging."),
});

export type RunConfig = z.output<typeof RunConfigSchema>;

/** Batch arithmetic and cross-key rules, checked once at start-up. */
export function checkConfig(cfg: RunConfig, label: string): void {
  const responses = cfg.rollout.prompts_per_step * cfg.rollout.samples_per_prompt;
  for (const part of ["actor", "critic"] as const) {
    const mb = cfg[part].mini_batch_size;
    if (mb !== undefined && (mb > responses || responses % mb !== 0)) {
      throw new UserInputError(`${label}: ${part}.mini_batch_size (${mb}) must divide rollout.prompts_per_step × rollout.samples_per_prompt ` +
        `(${cfg.rollout.prompts_per_step} × ${cfg.rollout.samples_per_prompt} = ${responses} responses)`);
    }
  }
  const overlong = cfg.algorithm.overlong;
  if (overlong.enabled && overlong.cache_length! > cfg.rollout.max_new_tokens) {
    throw new UserInputError(`${label}: algorithm.overlong.cache_length (${overlong.cache_length}) must be at most rollout.max_new_tokens (${cfg.rollout.max_new_tokens})`);
  }
  checkRollout(cfg, label);
  const groupwise = ["grpo", "rloo", "reinforce_pp", "reinforce_rej", "dpo"];
  if (groupwise.includes(cfg.algorithm.name) && cfg.rollout.samples_per_prompt < 2) {
    throw new UserInputError(`${label}: algorithm.name ${cfg.algorithm.name} compares responses within a group: rollout.samples_per_prompt must be at least 2`);
  }
}

/** The rollout section's cross-key rules: servers go with engine openai, and so does async (with its correction). */
function checkRollout(cfg: RunConfig, label: string): void {
  const r = cfg.rollout;
  const remote = r.engine === "openai";
  if (remote && r.servers.endpoints.length === 0) throw new UserInputError(`${label}: rollout.engine openai needs rollout.servers.endpoints (the servers' URLs)`);
  if (!remote && r.servers.endpoints.length > 0) throw new UserInputError(`${label}: rollout.servers.endpoints is set but rollout.engine is local (set rollout.engine: openai to use the servers)`);
  if (r.async && !remote) {
    throw new UserInputError(`${label}: rollout.async needs rollout.engine openai: the local engine samples on the trainer's thread, so nothing would run meanwhile (serve the model with \`rlzero serve\` and list it in rollout.servers.endpoints)`);
  }
  if (r.async && r.tis_cap === null) {
    throw new UserInputError(`${label}: rollout.async samples each step with the weights of one update before: set rollout.tis_cap (e.g. 2) so the loss is corrected by min(π_old/π_sampler, tis_cap)`);
  }
  if (r.tis_cap !== null && cfg.algorithm.name === "dpo") throw new UserInputError(`${label}: rollout.tis_cap weights a per-token policy-gradient loss; dpo has none`);
}
