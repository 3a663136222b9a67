/**
 * A model's linear layers prepared for generation by `native.packLinear`: in the GEMM backend's
 * preferred layout (oneDNN's blocked format, about 10-20% faster than reading the Hugging Face
 * [out, in] matrices as they are), and optionally in bf16 with f32 accumulation (about twice as
 * fast again on AVX512-BF16 or AMX). A snapshot: `generate` packs at its start, so weights updated
 * between calls are picked up; packing costs one pass over the weights and holds that much memory
 * until `releaseWeights` (generate releases its own when it returns).
 */
import { native, type PackedLinear } from "../native/index.ts";
import { UserInputError } from "../errors.ts";
import type { CausalLM } from "./transformer.ts";

/** Which linear layers run in bf16: none (the default), the LM head alone, or all of them. */
export type Bf16Mode = "none" | "lm-head" | "all";

/**
 * One decoder layer. The projections that read the same input are fused into one GEMM each, which
 * on a decode step's few rows costs about half of three (or two) small ones: q|k|v (rows of the
 * output are [q (Hq*D) | k (Hkv*D) | v (Hkv*D)]) and gate|up ([gate (I) | up (I)]).
 */
export interface PackedLayer {
  qkv: PackedLinear;
  /** [q | k | v] biases (attention_bias models), or null. */
  qkvBias: Float32Array | null;
  o: PackedLinear;
  gateUp: PackedLinear;
  down: PackedLinear;
}

export interface PackedWeights {
  layers: PackedLayer[];
  lmHead: PackedLinear;
  bf16: Bf16Mode;
}

export function packWeights(model: CausalLM, bf16: Bf16Mode = "none"): PackedWeights {
  if (bf16 !== "none" && !native.info().bf16) {
    throw new UserInputError(`bf16 generation needs the oneDNN backend on a CPU with AVX512-BF16 or AMX (this one has: ${native.info().cpuFeatures.join(" ")})`);
  }
  /** The weights [N_i, K] of `names` stacked into one [sum N_i, K] matrix, packed. */
  const pack = (names: string[], inBf16: boolean): PackedLinear => {
    const ts = names.map((name) => (name === "lm_head" ? model.lmHead() : model.p(name)));
    const K = ts[0].shape[1], N = ts.reduce((n, t) => n + t.shape[0], 0);
    return native.packLinear(ts.length === 1 ? ts[0].data : concat(ts.map((t) => t.data)), N, K, inBf16);
  };
  const all = bf16 === "all";
  const layers = Array.from({ length: model.config.numLayers }, (_, i): PackedLayer => {
    const l = `model.layers.${i}.`;
    const qkv = ["q_proj", "k_proj", "v_proj"].map((m) => `${l}self_attn.${m}`);
    return {
      qkv: pack(qkv.map((m) => `${m}.weight`), all),
      qkvBias: model.config.attentionBias ? concat(qkv.map((m) => model.p(`${m}.bias`).data)) : null,
      o: pack([`${l}self_attn.o_proj.weight`], all),
      gateUp: pack([`${l}mlp.gate_proj.weight`, `${l}mlp.up_proj.weight`], all),
      down: pack([`${l}mlp.down_proj.weight`], all),
    };
  });
  return { layers, lmHead: pack(["lm_head"], bf16 !== "none"), bf16 };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Frees the packed copies now, not whenever the garbage collector's finalizers get to run. */
export function releaseWeights(w: PackedWeights): void {
  for (const { qkv, o, gateUp, down } of w.layers) for (const p of [qkv, o, gateUp, down]) native.releaseLinear(p);
  native.releaseLinear(w.lmHead);
}
