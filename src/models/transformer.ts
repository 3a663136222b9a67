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
import { attentionPacked, embedding, linear, rmsnorm, rope, swiglu, tokenLogprobs, gatherRows } from "../tensor/nn.ts";
import { native } from "../native/index.ts";
import { VALUE_HEAD } from "./parameters.ts";
import type { KVCache } from "./kv-cache.ts";
import { packWeights, type Bf16Mode, type PackedWeights } from "./packed-weights.ts";
import { UserInputError } from "../errors.ts";

export class CausalLM {
  readonly invFreq: Float32Array;
  private readonly scratch = new Scratch();

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
    if (ids.length !== B * T) throw new Error(`hidden: ${ids.length} ids for B=${B}, T=${T}`);
    return this.hiddenPacked(ids, uniformOffsets(B, T));
  }

  /**
   * Final-normed hidden states [N, hidden] of packed sequences: sequence s is the tokens
   * ids[offsets[s] .. offsets[s+1]-1] (offsets[S+1] from 0 to N = ids.length), at positions
   * 0, 1, ... of its own, attending only within itself. Sequences of different lengths cost no
   * work on padding; a right-padded [B, T] batch is offsets 0, T, 2T, ...
   */
  hiddenPacked(ids: Int32Array, offsets: Int32Array): Tensor {
    const cfg = this.config;
    checkOffsets(offsets, ids.length);
    const positions = new Int32Array(ids.length);
    for (let s = 0; s + 1 < offsets.length; s++) {
      const n = offsets[s + 1] - offsets[s];
      if (n > cfg.maxPositions) {
        throw new UserInputError(`sequence of ${n} tokens is longer than the context (max_position_embeddings = ${cfg.maxPositions})`);
      }
      for (let i = 0; i < n; i++) positions[offsets[s] + i] = i;
    }
    this.checkIds(ids);
    const heads = { Hq: cfg.numHeads, Hkv: cfg.numKvHeads, D: cfg.headDim };
    let x = embedding(this.p("model.embed_tokens.weight"), ids);
    for (let i = 0; i < cfg.numLayers; i++) {
      x = this.block(i, x, (q, k, v) => attentionPacked(q, k, v, offsets, heads), positions);
    }
    return rmsnorm(x, this.p("model.norm.weight"), cfg.rmsNormEps);
  }

  /**
   * Log-probability of each next token and the entropy of each next-token distribution, at the
   * rows `rowIds` of the batch (row r predicts ids[r + 1]). Returns logp and entropy [rows].
   */
  tokenLogprobs(ids: Int32Array, B: number, T: number, rowIds: Int32Array, temperature = 1): { logp: Tensor; entropy: Tensor } {
    if (ids.length !== B * T) throw new Error(`tokenLogprobs: ${ids.length} ids for B=${B}, T=${T}`);
    return this.tokenLogprobsPacked(ids, uniformOffsets(B, T), rowIds, temperature);
  }

  /**
   * `tokenLogprobs` over packed sequences (see hiddenPacked): row r (an index into ids) predicts
   * ids[r + 1], which must belong to the same sequence. Returns logp and entropy [rows].
   */
  tokenLogprobsPacked(ids: Int32Array, offsets: Int32Array, rowIds: Int32Array, temperature = 1): { logp: Tensor; entropy: Tensor } {
    if (!(temperature > 0)) throw new RangeError(`tokenLogprobs: temperature must be > 0, got ${temperature}`);
    checkNextTokenRows(rowIds, offsets, ids.length);
    const h = gatherRows(this.hiddenPacked(ids, offsets), rowIds);
    const targets = rowIds.map((r) => ids[r + 1]);
    return tokenLogprobs(h, this.lmHead(), targets, 1 / temperature);
  }

  /** Critic values [rows] at the given rows: value_head · hidden. */
  values(ids: Int32Array, B: number, T: number, rowIds: Int32Array): Tensor {
    if (ids.length !== B * T) throw new Error(`values: ${ids.length} ids for B=${B}, T=${T}`);
    return this.valuesPacked(ids, uniformOffsets(B, T), rowIds);
  }

  /** Critic values [rows] at the given rows of packed sequences (see hiddenPacked). */
  valuesPacked(ids: Int32Array, offsets: Int32Array, rowIds: Int32Array): Tensor {
    for (const r of rowIds) if (!(r >= 0 && r < ids.length)) throw new RangeError(`values: row ${r} is outside [0, ${ids.length})`);
    return linear(gatherRows(this.hiddenPacked(ids, offsets), rowIds), this.p(VALUE_HEAD));
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
    x = linear(attend(q, k, v), this.p(`${l}self_attn.o_proj.weight`), undefined, x); // + x, the residual
    const m = rmsnorm(x, this.p(`${l}post_attention_layernorm.weight`), cfg.rmsNormEps);
    const gate = linear(m, this.p(`${l}mlp.gate_proj.weight`));
    const up = linear(m, this.p(`${l}mlp.up_proj.weight`));
    return linear(swiglu(gate, up), this.p(`${l}mlp.down_proj.weight`), undefined, x);
  }

  /**
   * KV-cache forward for generation (no gradients, no tape), over a packed batch: sequence s
   * brings the tokens ids[offsets[s] .. offsets[s+1]-1] (a prompt to prefill, or one token to
   * decode) at positions start[s].. of cache slot slots[s]. Returns the final-normed hidden state
   * of each sequence's last token, [S, hidden]. Every activation lives in buffers reused from call
   * to call (the returned array too: it is overwritten by the next call); residual additions are
   * accumulated into the residual stream by the GEMMs themselves (beta = 1).
   */
  forwardCached(ids: Int32Array, batch: CachedBatch, cache: KVCache, weights: PackedWeights): Float32Array {
    const cfg = this.config;
    const { slots, start, offsets } = batch;
    const S = slots.length, N = ids.length;
    if (offsets.length !== S + 1 || offsets[S] !== N || start.length !== S) {
      throw new Error(`forwardCached: ${S} slots, ${start.length} starts, offsets of length ${offsets.length} ending at ${offsets[S]} for ${N} ids`);
    }
    for (let s = 0; s < S; s++) {
      const end = start[s] + offsets[s + 1] - offsets[s];
      if (end > cache.maxT) throw new UserInputError(`sequence of ${end} tokens is longer than the context (${cache.maxT})`);
    }
    this.checkIds(ids);
    const { hiddenSize: d, numHeads: Hq, numKvHeads: Hkv, headDim: D, intermediateSize: I, rmsNormEps: eps } = cfg;
    const buf = this.scratch, rows = native.linearRows(N); // the GEMMs may run on a few rows past N
    const positions = buf.i32("positions", N);
    for (let s = 0; s < S; s++) for (let i = offsets[s]; i < offsets[s + 1]; i++) positions[i] = start[s] + i - offsets[s];
    const QKV = (Hq + 2 * Hkv) * D; // a fused q|k|v row
    const x = buf.f32("x", rows * d), h = buf.f32("h", rows * d), rstd = buf.f32("rstd", N);
    const qkv = buf.f32("qkv", rows * QKV), q = buf.f32("q", rows * Hq * D), att = buf.f32("att", rows * Hq * D);
    const k = qkv.subarray(Hq * D), v = qkv.subarray((Hq + Hkv) * D); // rows QKV apart
    const gateUp = buf.f32("gateUp", rows * 2 * I), act = buf.f32("act", rows * I);
    const w = (name: string): Float32Array => this.p(name).data;
    native.embeddingForward(w("model.embed_tokens.weight"), cfg.vocabSize, d, ids, x);
    for (let i = 0; i < cfg.numLayers; i++) {
      const l = `model.layers.${i}.`, P = weights.layers[i];
      native.rmsnormForward(x, w(`${l}input_layernorm.weight`), N, d, eps, h, rstd);
      if (P.qkvBias) for (let n = 0; n < N; n++) qkv.set(P.qkvBias, n * QKV);
      native.linearForward(h, N, P.qkv, qkv, P.qkvBias !== null);
      native.rope(qkv, positions, this.invFreq, N, Hq, D, false, q, QKV, Hq * D); // q out, packed
      native.rope(k, positions, this.invFreq, N, Hkv, D, false, k, QKV, QKV); // k in place
      const layer = cache.layers[i];
      native.attentionCached(q, k, v, layer.k, layer.v, slots, start, offsets, Hq, Hkv, D, cache.stride, 1 / Math.sqrt(D), att, QKV);
      native.linearForward(att, N, P.o, x, true);
      native.rmsnormForward(x, w(`${l}post_attention_layernorm.weight`), N, d, eps, h, rstd);
      native.linearForward(h, N, P.gateUp, gateUp, false);
      native.swigluRows(gateUp, N, I, act);
      native.linearForward(act, N, P.down, x, true);
    }
    const last = buf.f32("last", S * d), hidden = buf.f32("hidden", S * d);
    for (let s = 0; s < S; s++) last.set(x.subarray((offsets[s + 1] - 1) * d, offsets[s + 1] * d), s * d);
    native.rmsnormForward(last, w("model.norm.weight"), S, d, eps, hidden, rstd);
    return hidden.subarray(0, S * d);
  }

  /**
   * logits[rows, V] = hidden[rows, hidden] @ lmHead^T, for sampling, into a buffer reused from
   * call to call (overwritten by the next call).
   */
  logits(hidden: Float32Array, rows: number, weights: PackedWeights): Float32Array {
    const V = this.config.vocabSize, d = this.config.hiddenSize, padded = native.linearRows(rows);
    const input = this.scratch.f32("logitsIn", padded * d), out = this.scratch.f32("logits", padded * V);
    input.set(hidden.subarray(0, rows * d));
    native.linearForward(input, rows, weights.lmHead, out, false);
    return out.subarray(0, rows * V);
  }

  /** This model's linear layers packed for generation (see packed-weights.ts). */
  packed(bf16: Bf16Mode = "none"): PackedWeights {
    return packWeights(this, bf16);
  }
}

/** Offsets 0, T, 2T, ..., B*T: a right-padded [B, T] batch as packed sequences. */
function uniformOffsets(B: number, T: number): Int32Array {
  return Int32Array.from({ length: B + 1 }, (_, b) => b * T);
}

function checkOffsets(offsets: Int32Array, N: number): void {
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== N) {
    throw new RangeError(`offsets must run from 0 to the number of tokens (${N}), got [${offsets[0]} .. ${offsets[offsets.length - 1]}]`);
  }
  for (let s = 1; s < offsets.length; s++) {
    if (offsets[s] < offsets[s - 1]) throw new RangeError(`offsets must be non-decreasing (offsets[${s}] < offsets[${s - 1}])`);
  }
}

/** Each row must have a next token in its own sequence: offsets[s] <= r < offsets[s+1] - 1. */
function checkNextTokenRows(rowIds: Int32Array, offsets: Int32Array, N: number): void {
  checkOffsets(offsets, N);
  let s = 0;
  for (const r of rowIds) {
    if (!(r >= 0 && r < N)) throw new RangeError(`tokenLogprobs: row ${r} is outside the ${N} tokens`);
    if (r < offsets[s] || r >= offsets[s + 1]) { // find r's sequence (rows are usually increasing)
      let lo = 0, hi = offsets.length - 2;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (offsets[mid] <= r) lo = mid;
        else hi = mid - 1;
      }
      s = lo; // the last sequence starting at or before r: empty ones start where the next does
    }
    if (r === offsets[s + 1] - 1) throw new RangeError(`tokenLogprobs: row ${r} is the last token of sequence ${s}; it has no next token`);
  }
}

/** A packed batch for `CausalLM.forwardCached` (see there). */
export interface CachedBatch {
  slots: Int32Array;
  start: Int32Array;
  /** [S + 1] token offsets of the sequences in ids, from 0. */
  offsets: Int32Array;
}

/**
 * Named buffers reused across calls, grown when a call needs more and never shrunk. Kernels check
 * only that an array is long enough, so a buffer longer than this call's size is passed whole.
 */
class Scratch {
  private readonly f32s = new Map<string, Float32Array>();
  private readonly i32s = new Map<string, Int32Array>();

  f32(name: string, n: number): Float32Array {
    return grown(this.f32s, name, n, (len) => new Float32Array(len));
  }

  i32(name: string, n: number): Int32Array {
    return grown(this.i32s, name, n, (len) => new Int32Array(len));
  }
}

function grown<T extends { length: number }>(m: Map<string, T>, name: string, n: number, make: (n: number) => T): T {
  let a = m.get(name);
  if (!a || a.length < n) {
    a = make(Math.max(n, Math.ceil((a?.length ?? 0) * 1.5)));
    m.set(name, a);
  }
  return a;
}
