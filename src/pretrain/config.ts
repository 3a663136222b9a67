/**
 * The pretraining configuration (`rlzero pretrain --config FILE`): one zod schema, every key
 * described (docs/PRETRAIN_CONFIG.md is generated from these descriptions), unknown keys
 * rejected, errors naming the file, line and key (src/trainer/config-file.ts). A run starts
 * from a model directory (`model.path`) or from scratch (`model.config`, Qwen2 or Llama shapes,
 * and `model.tokenizer`), and trains on a JSONL corpus or a built-in task's corpus.
 */
import path from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { applyOverrides, readConfigFile, validateConfig, type ConfigSource } from "../trainer/config-file.ts";
import { UserInputError } from "../errors.ts";

const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();

/** DEFAULT_MIX of src/tasks/corpus.ts, overridable key by key. */
const MixSchema = z.strictObject({
  reason: z.number().min(0).max(1).optional().describe("P(a worked solution); the rest are direct answers"),
  slip: z.number().min(0).max(1).optional().describe("P(an uncaught slip | worked)"),
  selfcheck: z.number().min(0).max(1).optional().describe("P(a slip caught by a check: line | worked)"),
  one_line: z.number().min(0).max(1).optional().describe("P(a one-line think | direct); the rest have an empty think"),
});

const FILE_KEYS = ["format", "text_field", "prompt_field", "response_field", "limit"] as const;
const TASK_KEYS = ["count", "seed", "mix"] as const;

/**
 * A corpus: a JSONL file (`{"text"}` lines, or `{"prompt", "response"}` lines, loss on the
 * response only), or a built-in task's corpus generated when the run starts (src/tasks/corpus.ts).
 * One mapping with both kinds' keys rather than a union, so that a misspelt key is reported as
 * itself, with its line.
 */
export const CorpusSourceSchema = z.strictObject({
  path: z.string().min(1).optional().describe("a JSONL file, one example a line"),
  format: z.enum(["auto", "text", "prompt_response"]).optional()
    .describe("file: text (loss on every token) or prompt_response (loss on the response and the EOS after it only); auto (default): prompt_response when the first line has the prompt field, else text"),
  text_field: z.string().min(1).optional().describe("file, text format: field holding the text (default: text)"),
  prompt_field: z.string().min(1).optional().describe("file, prompt_response format: field holding the prompt (default: prompt)"),
  response_field: z.string().min(1).optional().describe("file, prompt_response format: field holding the response (default: response)"),
  limit: posInt.optional().describe("file: use only the first N lines"),
  task: z.string().min(1).optional().describe("a built-in task's corpus: arith-corpus (every arithmetic level), arith, countdown, or task:levels,... (docs/TASKS.md)"),
  count: posInt.optional().describe("task: examples generated (training-split problems, repeats allowed)"),
  seed: nonNegInt.optional().describe("task: seed of the corpus (problems, response kinds, slips) (default: 0)"),
  mix: MixSchema.optional().describe("task: proportions of the response kinds (default: DEFAULT_MIX in src/tasks/corpus.ts)"),
}).superRefine((s, ctx) => {
  const fail = (message: string, key?: string) => ctx.addIssue({ code: "custom", message, path: key ? [key] : [] });
  if ((s.path === undefined) === (s.task === undefined)) return fail("give path (a JSONL file) or task (a built-in task's corpus), not both");
  if (s.task !== undefined && s.count === undefined) fail("a task corpus needs count (examples to generate)", "count");
  const others = s.task !== undefined ? FILE_KEYS : TASK_KEYS;
  for (const k of others) if (s[k] !== undefined) fail(`${k} goes with ${s.task !== undefined ? "path" : "task"}`, k);
});

export type CorpusSource = z.output<typeof CorpusSourceSchema>;

/** Model shapes for training from scratch: Hugging Face config.json keys. */
const ShapeSchema = z.strictObject({
  architecture: z.enum(["Qwen2ForCausalLM", "LlamaForCausalLM"]).default("Qwen2ForCausalLM").describe("architecture written to config.json"),
  hidden_size: posInt.describe("model width"),
  intermediate_size: posInt.describe("width of the SwiGLU MLP"),
  num_hidden_layers: posInt.describe("decoder layers"),
  num_attention_heads: posInt.describe("query heads"),
  num_key_value_heads: posInt.optional().describe("key/value heads (grouped-query attention; default: num_attention_heads)"),
  max_position_embeddings: posInt.default(512).describe("context length in tokens"),
  rope_theta: z.number().positive().default(10000).describe("RoPE base"),
  rms_norm_eps: z.number().positive().default(1e-6).describe("RMSNorm epsilon"),
  tie_word_embeddings: z.boolean().default(true).describe("share the embedding matrix with the LM head"),
  vocab_size: posInt.optional().describe("vocabulary size (default: the tokenizer's)"),
});

const ModelSchema = z.strictObject({
  path: z.string().min(1).optional().describe("a Hugging Face model directory to continue training (its tokenizer included)"),
  config: ShapeSchema.optional().describe("from scratch: the model's shapes (config.json keys)"),
  tokenizer: z.string().min(1).optional().describe("from scratch: a directory with tokenizer.json, or `tasks` for the built-in tasks' tokenizer (src/tasks/tokenizer.ts), written into the run directory"),
  init_std: z.number().positive().default(0.02).describe("from scratch: standard deviation of the initial weight matrices (norms start at 1, biases at 0)"),
})
  .refine((m) => (m.path === undefined) === (m.config !== undefined), { message: "give model.path (a model directory) or model.config (from scratch), not both" })
  .refine((m) => m.config === undefined || m.tokenizer !== undefined, { message: "training from scratch (model.config) needs model.tokenizer" })
  .refine((m) => m.path === undefined || m.tokenizer === undefined, { message: "model.tokenizer goes with model.config; a model directory brings its own" });

/** One corpus source, or (`list`) several mixed into one corpus. */
const sources = (list: boolean) => (list ? z.array(CorpusSourceSchema).min(1) : CorpusSourceSchema);

/**
 * The schema, with data.train and data.eval taking one source or a list: two variants rather
 * than a union, so that a bad key in either form is reported as itself, with its line.
 */
function pretrainSchema(list: { train: boolean; eval: boolean }) {
  return z.strictObject({
  seed: nonNegInt.default(0).describe("seed of the initial weights, the data order and the micro-batch order"),
  run_dir: z.string().min(1).default("runs/pretrain").describe("directory the run writes (docs/RUN_DIRECTORY.md)"),
  out_dir: z.string().min(1).optional().describe("where the final model goes, as a Hugging Face directory with the tokenizer (default: <run_dir>/model)"),
  out_dtype: z.enum(["F32", "BF16"]).default("F32").describe("dtype of the final model's safetensors (checkpoints are always F32, so a resume is exact)"),
  model: ModelSchema.describe("The model to train: a model directory, or shapes and a tokenizer for a new one."),
  data: z.strictObject({
    train: sources(list.train).describe("the training corpus: a JSONL file ({path, format, ...}) or a built-in task's ({task, count, seed, mix}); or a list of them, mixed into one corpus"),
    eval: sources(list.eval).optional().describe("held-out examples (one source or a list) whose loss is logged as val/loss every trainer.eval_every steps"),
    order: z.enum(["shuffle", "curriculum", "none"]).default("shuffle").describe("the order training examples are visited in, epoch after epoch: shuffle (one seeded random order, the sources mixed), curriculum (the sources of data.train one after another, each in a seeded random order), none (as written)"),
    max_tokens: posInt.optional().describe("examples longer than this (prompt + response + EOS) are left out and counted (default: the model's context)"),
    add_eos: z.boolean().default(true).describe("append the tokenizer's EOS to every example (and train on it), so the model learns to stop"),
  }).describe("The corpora (docs/PRETRAIN.md)."),
  optim: z.strictObject({
    lr: z.number().positive().default(1e-3).describe("peak learning rate"),
    lr_schedule: z.enum(["constant", "cosine"]).default("cosine").describe("after warm-up: constant, or cosine decay to min_lr at the last step"),
    min_lr: z.number().nonnegative().default(1e-4).describe("floor of the cosine schedule"),
    warmup_steps: nonNegInt.default(100).describe("steps of linear warm-up from lr/warmup_steps to lr"),
    betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.9, 0.95]).describe("AdamW betas"),
    eps: z.number().positive().default(1e-8).describe("AdamW epsilon"),
    weight_decay: z.number().nonnegative().default(0).describe("AdamW decoupled weight decay (applied to every parameter)"),
    grad_clip: z.number().positive().default(1).describe("clip the global gradient norm to this value"),
  }).prefault({}).describe("AdamW and its learning-rate schedule (one optimizer step per training step)."),
  trainer: z.strictObject({
    steps: posInt.default(1000).describe("optimizer steps"),
    batch_size: posInt.default(64).describe("examples per step; the loss is the mean negative log-probability over their trained tokens"),
    micro_batch_tokens: posInt.default(2048).describe("padded tokens per forward/backward micro-batch; gradients accumulate over micro-batches (memory, not results)"),
    eval_every: nonNegInt.default(100).describe("compute val/loss every this many steps (0: never); also before the first step and after the last"),
    save_every: nonNegInt.default(500).describe("checkpoint every this many steps (0: only at the end)"),
    keep_checkpoints: posInt.default(2).describe("newest checkpoints kept"),
    max_failed_steps: posInt.default(3).describe("consecutive steps with NaN/Inf losses or gradients before the run stops"),
  }).prefault({}).describe("The loop: steps, batch, memory, evaluation, checkpoints."),
  });
}

/** The documented form (one source each); a list validates against its own variant. */
export const PretrainConfigSchema = pretrainSchema({ train: false, eval: false });

export type PretrainConfig = z.output<ReturnType<typeof pretrainSchema>>;

export interface PretrainConfigRequest {
  file?: string;
  set?: readonly string[];
  /** Resume this run directory: its config.yaml is the base. */
  resume?: string;
}

/** The pretraining config from a YAML file (or a run's config.yaml to resume) and `--set` overrides. */
export function resolvePretrainConfig(req: PretrainConfigRequest): PretrainConfig {
  const file = req.resume ? path.join(req.resume, "config.yaml") : req.file;
  if (!file) throw new UserInputError("rlzero pretrain needs --config FILE (see configs/pretrain-tiny.yaml) or --resume RUN_DIR");
  const source: ConfigSource = applyOverrides(readConfigFile(file), req.set ?? []);
  const data = (source.value.data ?? {}) as Record<string, unknown>;
  const cfg = validateConfig(pretrainSchema({ train: Array.isArray(data.train), eval: Array.isArray(data.eval) }), source);
  if (req.resume) cfg.run_dir = req.resume;
  return cfg;
}

export function pretrainConfigToYaml(cfg: PretrainConfig): string {
  return YAML.stringify(cfg);
}
