/**
 * `config.json` of a Qwen2 / Qwen2.5 / Llama model, validated with zod into ModelConfig.
 *
 * The shape keys (vocab_size, hidden_size, intermediate_size, num_hidden_layers,
 * num_attention_heads) are required: a silent 4096-wide default would only fail later, against
 * the weights. Every other key defaults as transformers' Qwen2Config / LlamaConfig does.
 * RoPE is read from `rope_theta` + `rope_scaling` (transformers 4) or `rope_parameters` (5).
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { UserInputError, fileAccessError } from "../errors.ts";

export type RopeScaling =
  | { type: "llama3"; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number }
  | { type: "linear"; factor: number };

export interface ModelConfig {
  architecture: "Qwen2ForCausalLM" | "LlamaForCausalLM";
  modelType: "qwen2" | "llama";
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  maxPositions: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  rmsNormEps: number;
  tieWordEmbeddings: boolean;
  /** q, k, v projections have biases: always for qwen2, `attention_bias` for llama. */
  attentionBias: boolean;
  bosTokenId: number | null;
  eosTokenIds: number[];
  hiddenAct: "silu";
  /** The original JSON, kept so saving preserves unknown keys. */
  raw: Record<string, unknown>;
}

const ARCHITECTURES = { Qwen2ForCausalLM: "qwen2", LlamaForCausalLM: "llama" } as const;
/** transformers' defaults where Qwen2Config and LlamaConfig differ. */
const DEFAULTS = {
  qwen2: { maxPositions: 32768, bos: null, eos: null },
  llama: { maxPositions: 2048, bos: 1, eos: 2 },
} as const;

const posInt = z.number().int().positive();
const tokenIds = z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullish();
const ropeScalingSchema = z.looseObject({
  type: z.string().optional(),
  rope_type: z.string().optional(),
  factor: z.number().positive().optional(),
  low_freq_factor: z.number().positive().optional(),
  high_freq_factor: z.number().positive().optional(),
  original_max_position_embeddings: posInt.optional(),
  rope_theta: z.number().positive().optional(),
}).nullish();

const schema = z.looseObject({
  architectures: z.array(z.string()).optional(),
  model_type: z.string().optional(),
  vocab_size: posInt,
  hidden_size: posInt,
  intermediate_size: posInt,
  num_hidden_layers: posInt,
  num_attention_heads: posInt,
  num_key_value_heads: posInt.nullish(),
  head_dim: posInt.nullish(),
  max_position_embeddings: posInt.optional(),
  rope_theta: z.number().positive().optional(),
  rope_scaling: ropeScalingSchema,
  rope_parameters: ropeScalingSchema,
  rms_norm_eps: z.number().positive().optional(),
  tie_word_embeddings: z.boolean().optional(),
  attention_bias: z.boolean().optional(),
  mlp_bias: z.boolean().optional(),
  use_sliding_window: z.boolean().optional(),
  hidden_act: z.string().optional(),
  bos_token_id: z.number().int().nonnegative().nullish(),
  eos_token_id: tokenIds,
});
type RawConfig = z.infer<typeof schema>;

export function readConfig(dir: string): ModelConfig {
  const file = path.join(dir, "config.json");
  const cfg = parseConfig(readJson(file), file);
  const genFile = path.join(dir, "generation_config.json");
  if (fs.existsSync(genFile)) {
    const genJson = readJson(genFile);
    const gen = z.looseObject({ eos_token_id: tokenIds, bos_token_id: z.number().int().nullish() }).safeParse(genJson);
    if (!gen.success) throw new UserInputError(`${genFile}: ${describeIssue(gen.error, genJson)}`);
    cfg.eosTokenIds = unique([...cfg.eosTokenIds, ...asList(gen.data.eos_token_id)]);
    cfg.bosTokenId ??= gen.data.bos_token_id ?? null;
  }
  return cfg;
}

export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw fileAccessError(file, e, "read");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserInputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** The first zod issue as "missing required key" or "key ...: problem (got value)". */
function describeIssue(error: z.ZodError, json: unknown): string {
  const issue = error.issues[0];
  const key = issue.path.join(".");
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    return `missing required key "${key}"`;
  }
  if (!key) return issue.message;
  const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], json);
  return `key "${key}": ${issue.message} (got ${JSON.stringify(value)})`;
}

/** Validates a parsed config.json; `fileLabel` (usually its path) prefixes every error. */
export function parseConfig(json: unknown, fileLabel: string): ModelConfig {
  const fail = (msg: string): never => {
    throw new UserInputError(`${fileLabel}: ${msg}`);
  };
  const parsed = schema.safeParse(json);
  if (!parsed.success) return fail(describeIssue(parsed.error, json));
  const c = parsed.data;
  const architecture = resolveArchitecture(c, fail);
  const modelType = ARCHITECTURES[architecture];
  if (c.model_type !== undefined && c.model_type !== modelType) {
    fail(`model_type "${c.model_type}" does not match architecture ${architecture} (expected "${modelType}")`);
  }
  const hiddenAct = c.hidden_act ?? "silu";
  if (hiddenAct !== "silu") fail(`hidden_act "${hiddenAct}" is not supported; supported: silu`);
  if (modelType === "llama" && c.mlp_bias) fail(`mlp_bias true is not supported`);
  if (c.use_sliding_window) fail(`use_sliding_window true is not supported`);
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % numKvHeads !== 0) {
    fail(`num_attention_heads ${c.num_attention_heads} is not divisible by num_key_value_heads ${numKvHeads}`);
  }
  if (c.head_dim == null && c.hidden_size % c.num_attention_heads !== 0) {
    fail(`hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`);
  }
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (headDim % 2 !== 0) fail(`head dimension ${headDim} must be even for rotary embeddings`);
  const defaults = DEFAULTS[modelType];
  return {
    architecture,
    modelType,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    maxPositions: c.max_position_embeddings ?? defaults.maxPositions,
    ropeTheta: c.rope_parameters?.rope_theta ?? c.rope_theta ?? 10000,
    ropeScaling: parseRopeScaling(c.rope_parameters ?? c.rope_scaling, fail),
    rmsNormEps: c.rms_norm_eps ?? 1e-6,
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
    attentionBias: modelType === "qwen2" ? true : (c.attention_bias ?? false),
    bosTokenId: c.bos_token_id === undefined ? defaults.bos : c.bos_token_id,
    eosTokenIds: asList(c.eos_token_id === undefined ? defaults.eos : c.eos_token_id),
    hiddenAct: "silu",
    raw: json as Record<string, unknown>,
  };
}

function resolveArchitecture(c: RawConfig, fail: (msg: string) => never): ModelConfig["architecture"] {
  const supported = Object.keys(ARCHITECTURES).join(", ");
  if (c.architectures !== undefined) {
    const arch = c.architectures.find((a): a is keyof typeof ARCHITECTURES => a in ARCHITECTURES);
    if (c.architectures.length !== 1 || arch === undefined) {
      fail(`architectures ${JSON.stringify(c.architectures)} is not supported; supported: ${supported}`);
    }
    return arch!;
  }
  const byType = Object.entries(ARCHITECTURES).find(([, t]) => t === c.model_type);
  if (byType) return byType[0] as ModelConfig["architecture"];
  return fail(c.model_type === undefined
    ? `missing required key "architectures"`
    : `model_type "${c.model_type}" is not supported; supported: qwen2, llama`);
}

function parseRopeScaling(s: z.infer<typeof ropeScalingSchema>, fail: (msg: string) => never): RopeScaling | null {
  const type = s?.rope_type ?? s?.type ?? "default";
  if (!s || type === "default") return null;
  const need = (key: "factor" | "low_freq_factor" | "high_freq_factor" | "original_max_position_embeddings") =>
    s[key] ?? fail(`rope_scaling (${type}) is missing "${key}"`);
  if (type === "linear") return { type, factor: need("factor") };
  if (type === "llama3") {
    const scaling = {
      type, factor: need("factor"), lowFreqFactor: need("low_freq_factor"), highFreqFactor: need("high_freq_factor"),
      originalMaxPositions: need("original_max_position_embeddings"),
    } as const;
    if (scaling.highFreqFactor <= scaling.lowFreqFactor) fail(`rope_scaling: high_freq_factor must exceed low_freq_factor`);
    return scaling;
  }
  return fail(`rope_scaling type "${type}" is not supported; supported: default, linear, llama3`);
}

function asList(ids: number | number[] | null | undefined): number[] {
  return ids == null ? [] : Array.isArray(ids) ? ids : [ids];
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}

/** config.json contents: the raw JSON with every known key overwritten from `cfg`. */
export function configToJson(cfg: ModelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...cfg.raw,
    architectures: [cfg.architecture],
    model_type: cfg.modelType,
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    num_key_value_heads: cfg.numKvHeads,
    max_position_embeddings: cfg.maxPositions,
    rms_norm_eps: cfg.rmsNormEps,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    hidden_act: cfg.hiddenAct,
    bos_token_id: cfg.bosTokenId,
    // config.json keeps its own eos list; the merged one goes to generation_config.json.
    eos_token_id: "eos_token_id" in cfg.raw ? cfg.raw.eos_token_id : idOrList(cfg.eosTokenIds),
  };
  if (cfg.modelType === "llama") out.attention_bias = cfg.attentionBias;
  if ("head_dim" in cfg.raw || cfg.headDim * cfg.numHeads !== cfg.hiddenSize) out.head_dim = cfg.headDim;
  const scaling = ropeScalingToJson(cfg.ropeScaling);
  if ("rope_parameters" in cfg.raw) {
    out.rope_parameters = { ...(cfg.raw.rope_parameters as object), rope_theta: cfg.ropeTheta, ...(scaling ?? { rope_type: "default" }) };
  } else {
    out.rope_theta = cfg.ropeTheta;
    out.rope_scaling = scaling;
  }
  return out;
}

export function idOrList(ids: number[]): number | number[] | null {
  return ids.length === 0 ? null : ids.length === 1 ? ids[0] : ids;
}

function ropeScalingToJson(s: RopeScaling | null): Record<string, unknown> | null {
  if (!s) return null;
  if (s.type === "linear") return { rope_type: "linear", factor: s.factor };
  return {
    rope_type: "llama3", factor: s.factor, low_freq_factor: s.lowFreqFactor,
    high_freq_factor: s.highFreqFactor, original_max_position_embeddings: s.originalMaxPositions,
  };
}

/**
 * RoPE inverse frequencies [headDim/2]: 1 / theta^(2i/D), then scaled as transformers'
 * `_compute_linear_scaling_rope_parameters` / `_compute_llama3_parameters`. Float64 inside.
 */
export function ropeInvFreq(cfg: ModelConfig): Float32Array {
  const D = cfg.headDim;
  const out = new Float32Array(D / 2);
  const s = cfg.ropeScaling;
  for (let i = 0; i < D / 2; i++) {
    const f = 1 / Math.pow(cfg.ropeTheta, (2 * i) / D);
    out[i] = s === null ? f : s.type === "linear" ? f / s.factor : llama3Scale(f, s);
  }
  return out;
}

function llama3Scale(f: number, s: Extract<RopeScaling, { type: "llama3" }>): number {
  const lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
  const wavelen = (2 * Math.PI) / f;
  if (wavelen < highFreqWavelen) return f;
  if (wavelen > lowFreqWavelen) return f / s.factor;
  const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
  return ((1 - smooth) * f) / s.factor + smooth * f;
}
