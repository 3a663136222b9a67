/**
 * The Qwen2 / Qwen2.5 / Llama decoder (pre-norm, RoPE, grouped-query attention, SwiGLU MLP),
 * written as tape ops for training and as a KV-cache forward for generation. One class serves the
 * policy (LM head: tied embeddings or `lm_head.weight`) and the critic (a `value_head.weight`
 * [1, hidden] on the same backbone, no bias, as OpenRLHF / Open-Reasoner-Zero).
 *
 * Batches are right-padded [B, T]; a row's padding comes after its tokens, so causal attention
 * never lets a real token see it.
 */
import type { ModelConfig } from "./config.ts";
import { ropeInvFreq } from "./config.ts";
import { Tensor, noGrad } from "../tensor/tensor.ts";
import { add } from "../tensor/elementwise.ts";
import { attention, embedding, linear, rmsnorm, rope, swiglu, tokenLogprobs, gatherRows } from "../tensor/nn.ts";
import { native } from "../native/index.ts";
import { VALUE_HEAD } from "./parameters.ts";
import type { KVCache } from "./kv-cache.ts";
import { UserInputError } from "../errors.ts";

export class CausalLM {
  readonly invFreq: Float32Array;

  constructor(readonly config: ModelConfig, readonly params: Map<string, Tensor>) {
    this.invFreq = ropeInvFreq(config);
  }

  /** Every parameter, in Hugging Face order. */
  parameters(): Tensor[] {
    return [...this.params.values()];
  }

  p(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw new Error(`model has no parameter "${name}"`);
    return t;
  }

  /** The [V, hidden] matrix of the LM head. */
  lmHead(): Tensor {
    return this.config.tieWordEmbeddings ? this.p("model.embed_tokens.weight") : this.p("lm_head.weight");
  }

  checkIds(ids: Int32Array): void {
    const V = this.config.vocabSize;
    for (const id of ids) {
      if (!(id >= 0 && id < V)) throw new UserInputError(`token id ${id} is outside the vocabulary [0, ${V})`);
    }
  }

  /** Final-normed hidden states [B*T, hidden] of a right-padded batch ids[B*T]. */
  hidden(ids: Int32Array, B: number, T: number): Tensor {
    const cfg = this.config;
    if (ids.length !== B * T) throw new Error(`hidden: ${ids.length} ids for B=${B}, T=${T}`);
    if (T > cfg.maxPositions) {
      throw new UserInputError(`sequence of ${T} tokens is longer than the context (max_position_embeddings = ${cfg.maxPositions})`);
    }
    this.checkIds(ids);
    const positions = new Int32Array(B * T).map((_, i) => i % T);
    let x = embedding(this.p("model.embed_tokens.weight"), ids);
    for (let i = 0; i < cfg.numLayers; i++) {
      x = this.block(i, x, (q, k, v) => attention(q, k, v, { B, T, Hq: cfg.numHeads, Hkv: cfg.numKvHeads, D: cfg.headDim }), positions);
    }
    return rmsnorm(x, this.p("model.norm.weight"), cfg.rmsNormEps);
  }

  /**
   * Log-probability of each next token and the entropy of each next-token distribution, at the
   * rows `rowIds` of the batch (row r predicts ids[r + 1]). Returns logp and entropy [rows].
   */
  tokenLogprobs(ids: Int32Array, B: number, T: number, rowIds: Int32Array, temperature = 1): { logp: Tensor; entropy: Tensor } {
    if (!(temperature > 0)) throw new RangeError(`tokenLogprobs: temperature must be > 0, got ${temperature}`);
    for (const r of rowIds) {
      if (!(r >= 0 && r < B * T && r % T !== T - 1)) {
        throw new RangeError(`tokenLogprobs: row ${r} is not a position with a next token in a [${B}, ${T}] batch`);
      }
    }
    const h = gatherRows(this.hidden(ids, B, T), rowIds);
    const targets = rowIds.map((r) => ids[r + 1]);
    return tokenLogprobs(h, this.lmHead(), targets, 1 / temperature);
  }

  /** Critic values [rows] at the given rows: value_head · hidden. */
  values(ids: Int32Array, B: number, T: number, rowIds: Int32Array): Tensor {
    const h = gatherRows(this.hidden(ids, B, T), rowIds);
    return linear(h, this.p(VALUE_HEAD));
  }

  /** One decoder layer: x + attn(norm(x)), then + mlp(norm(.)). x[N, hidden]. */
  private block(i: number, x: Tensor, attend: (q: Tensor, k: Tensor, v: Tensor) => Tensor, positions: Int32Array): Tensor {
    const cfg = this.config;
    const l = `model.layers.${i}.`;
    const bias = (name: string): Tensor | undefined => (cfg.attentionBias ? this.p(`${l}self_attn.${name}.bias`) : undefined);
    const a = rmsnorm(x, this.p(`${l}input_layernorm.weight`), cfg.rmsNormEps);
    const q = rope(linear(a, this.p(`${l}self_attn.q_proj.weight`), bias("q_proj")), positions, this.invFreq, cfg.numHeads, cfg.headDim);
    const k = rope(linear(a, this.p(`${l}self_attn.k_proj.weight`), bias("k_proj")), positions, this.invFreq, cfg.numKvHeads, cfg.headDim);
    const v = linear(a, this.p(`${l}self_attn.v_proj.weight`), bias("v_proj"));
    x = add(x, linear(attend(q, k, v), this.p(`${l}self_attn.o_proj.weight`)));
    const m = rmsnorm(x, this.p(`${l}post_attention_layernorm.weight`), cfg.rmsNormEps);
    const gate = linear(m, this.p(`${l}mlp.gate_proj.weight`));
    const up = linear(m, this.p(`${l}mlp.up_proj.weight`));
    return add(x, linear(swiglu(gate, up), this.p(`${l}mlp.down_proj.weight`)));
  }

  /**
   * KV-cache forward for generation (no gradients): ids[B*T] are the next T tokens of each of the
   * cache's B rows, placed at positions start[b] .. start[b]+T-1. Returns final-normed hidden
   * states [B*T, hidden]; the cache holds the new keys and values afterwards.
   */
  forwardCached(ids: Int32Array, T: number, cache: KVCache, start: Int32Array): Float32Array {
    const cfg = this.config;
    const B = cache.batch;
    for (let b = 0; b < B; b++) {
      if (start[b] + T > cache.maxT) {
        throw new UserInputError(`sequence of ${start[b] + T} tokens is longer than the context (${cache.maxT})`);
      }
    }
    this.checkIds(ids);
    const positions = new Int32Array(B * T).map((_, i) => start[Math.floor(i / T)] + (i % T));
    return noGrad(() => {
      let x = embedding(this.p("model.embed_tokens.weight"), ids);
      for (let i = 0; i < cfg.numLayers; i++) {
        const layer = cache.layers[i];
        x = this.block(i, x, (q, k, v) => {
          const out = new Float32Array(q.size);
          native.attentionWithCache(q.data, k.data, v.data, layer.k, layer.v, start, B, T,
            cfg.numHeads, cfg.numKvHeads, cfg.headDim, cache.maxT, 1 / Math.sqrt(cfg.headDim), out);
          return new Tensor(out, q.shape);
        }, positions);
      }
      return rmsnorm(x, this.p("model.norm.weight"), cfg.rmsNormEps).data;
    });
  }

  /** logits[rows, V] = hidden[rows, hidden] @ lmHead^T, for sampling. */
  logits(hidden: Float32Array, rows: number): Float32Array {
    const W = this.lmHead();
    const [V, d] = W.shape;
    const out = new Float32Array(rows * V);
    native.gemm(false, true, rows, V, d, 1, hidden, W.data, 0, out);
    return out;
  }
}
