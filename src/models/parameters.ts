/**
 * The parameters of a Qwen2 / Llama decoder under their Hugging Face names, with shapes from
 * the config; building them from loaded weights (with errors that name the key) or at random.
 */
import type { ModelConfig } from "./config.ts";
import type { NamedTensor } from "./weights.ts";
import { Tensor, parameter } from "../tensor/tensor.ts";
import { UserInputError } from "../errors.ts";
import { Rng } from "../util/rng.ts";

export const VALUE_HEAD = "value_head.weight";

/** name -> shape, in the order Hugging Face lists them. */
export function expectedShapes(cfg: ModelConfig, opts: { valueHead?: boolean } = {}): Map<string, number[]> {
  const { hiddenSize: d, headDim: D, numHeads: Hq, numKvHeads: Hkv, intermediateSize: I } = cfg;
  const shapes = new Map<string, number[]>();
  shapes.set("model.embed_tokens.weight", [cfg.vocabSize, d]);
  for (let i = 0; i < cfg.numLayers; i++) {
    const p = `model.layers.${i}.`;
    shapes.set(`${p}input_layernorm.weight`, [d]);
    shapes.set(`${p}self_attn.q_proj.weight`, [Hq * D, d]);
    shapes.set(`${p}self_attn.k_proj.weight`, [Hkv * D, d]);
    shapes.set(`${p}self_attn.v_proj.weight`, [Hkv * D, d]);
    if (cfg.attentionBias) {
      shapes.set(`${p}self_attn.q_proj.bias`, [Hq * D]);
      shapes.set(`${p}self_attn.k_proj.bias`, [Hkv * D]);
      shapes.set(`${p}self_attn.v_proj.bias`, [Hkv * D]);
    }
    shapes.set(`${p}self_attn.o_proj.weight`, [d, Hq * D]);
    shapes.set(`${p}post_attention_layernorm.weight`, [d]);
    shapes.set(`${p}mlp.gate_proj.weight`, [I, d]);
    shapes.set(`${p}mlp.up_proj.weight`, [I, d]);
    shapes.set(`${p}mlp.down_proj.weight`, [d, I]);
  }
  shapes.set("model.norm.weight", [d]);
  if (opts.valueHead) shapes.set(VALUE_HEAD, [1, d]);
  else if (!cfg.tieWordEmbeddings) shapes.set("lm_head.weight", [cfg.vocabSize, d]);
  return shapes;
}

/** Keys found in real checkpoints that carry nothing we need. */
function ignorable(name: string, cfg: ModelConfig, valueHead: boolean): boolean {
  return name.endsWith("rotary_emb.inv_freq") || (name === "lm_head.weight" && (cfg.tieWordEmbeddings || valueHead));
}

/**
 * Checks loaded weights against the config and wraps them as parameters. A critic loaded from a
 * policy checkpoint (no value head yet) gets a fresh head from `initValueHead`.
 */
export function parametersFromWeights(cfg: ModelConfig, weights: Map<string, NamedTensor>, source: string,
  opts: { valueHead?: boolean; initValueHead?: () => Float32Array } = {}): Map<string, Tensor> {
  const shapes = expectedShapes(cfg, opts);
  const params = new Map<string, Tensor>();
  for (const [name, shape] of shapes) {
    const w = weights.get(name);
    if (!w) {
      if (name === VALUE_HEAD && opts.initValueHead) {
        params.set(name, parameter(name, opts.initValueHead(), shape));
        continue;
      }
      throw new UserInputError(`${source}: tensor "${name}" is missing (config.json says ${cfg.numLayers} layers, ` +
        `tie_word_embeddings=${cfg.tieWordEmbeddings})`);
    }
    if (w.shape.length !== shape.length || w.shape.some((s, i) => s !== shape[i])) {
      throw new UserInputError(`${source}: tensor "${name}" has shape [${w.shape}] but config.json implies [${shape}]`);
    }
    params.set(name, parameter(name, w.data, shape));
  }
  for (const name of weights.keys()) {
    if (!shapes.has(name) && !ignorable(name, cfg, opts.valueHead ?? false)) {
      throw new UserInputError(`${source}: unexpected tensor "${name}" for ${cfg.architecture}`);
    }
  }
  return params;
}

/** A fresh value head [1, hidden], normal(0, 1/(hidden+1)) as Open-Reasoner-Zero's code does, from its own seeded stream. */
export function randomValueHead(cfg: ModelConfig, seed: number): Float32Array {
  const rng = Rng.derive(seed, VALUE_HEAD_STREAM);
  return Float32Array.from({ length: cfg.hiddenSize }, () => rng.normal() / (cfg.hiddenSize + 1));
}

/** Key of the value head's stream (Rng.derive(seed, 1)), apart from the backbone's. */
const VALUE_HEAD_STREAM = 1;

/**
 * Random parameters as Hugging Face initialises them: normal(0, std) matrices, ones for norms,
 * zeros for biases; the value head normal(0, 1/(hidden+1)) as Open-Reasoner-Zero's code does.
 */
export function randomParameters(cfg: ModelConfig, seed: number, opts: { valueHead?: boolean; std?: number } = {}): Map<string, Tensor> {
  const rng = Rng.fromSeed(seed);
  const std = opts.std ?? 0.02;
  const params = new Map<string, Tensor>();
  for (const [name, shape] of expectedShapes(cfg, opts)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith("norm.weight")) data.fill(1);
    else if (name === VALUE_HEAD) data.set(randomValueHead(cfg, seed));
    else if (!name.endsWith(".bias")) data.forEach((_, i) => (data[i] = rng.normal() * std));
    params.set(name, parameter(name, data, shape));
  }
  return params;
}
