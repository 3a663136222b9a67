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

export interface PackedLayer {
  q: PackedLinear;
  k: PackedLinear;
  v: PackedLinear;
  o: PackedLinear;
  gate: PackedLinear;
  up: PackedLinear;
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
  const pack = (name: string, inBf16: boolean): PackedLinear => {
    const t = name === "lm_head" ? model.lmHead() : model.p(name);
    const [N, K] = t.shape;
    return native.packLinear(t.data, N, K, inBf16);
  };
  const all = bf16 === "all";
  const layers = Array.from({ length: model.config.numLayers }, (_, i): PackedLayer => {
    const l = `model.layers.${i}.`;
    return {
      q: pack(`${l}self_attn.q_proj.weight`, all),
      k: pack(`${l}self_attn.k_proj.weight`, all),
      v: pack(`${l}self_attn.v_proj.weight`, all),
      o: pack(`${l}self_attn.o_proj.weight`, all),
      gate: pack(`${l}mlp.gate_proj.weight`, all),
      up: pack(`${l}mlp.up_proj.weight`, all),
      down: pack(`${l}mlp.down_proj.weight`, all),
    };
  });
  return { layers, lmHead: pack("lm_head", bf16 !== "none"), bf16 };
}

/** Frees the packed copies now, not whenever the garbage collector's finalizers get to run. */
export function releaseWeights(w: PackedWeights): void {
  for (const layer of w.layers) for (const p of Object.values(layer)) native.releaseLinear(p);
  native.releaseLinear(w.lmHead);
}
