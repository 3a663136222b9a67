/**
 * Key/value cache for batched decoding, in fixed slots. Per layer, keys are [slots, Hkv, D, maxT]
 * (transposed, so the attention kernel reads a block of keys in place) and values
 * [slots, Hkv, maxT, D]. A sequence owns one slot while it is generated; when it finishes, its
 * slot goes to the next sequence, so nothing is copied or reallocated as rows finish. A prompt
 * prefilled once can be copied into the slots of its other samples (`copySlot`). Each slot holds
 * `stride` >= maxT positions: a stride of a multiple of 1024 floats would map a key block's D rows
 * onto the same few cache sets, so it is padded off it.
 */
import type { ModelConfig } from "./config.ts";
import { native } from "../native/index.ts";

export interface LayerCache {
  k: Float32Array; // [slots, Hkv, D, stride]
  v: Float32Array; // [slots, Hkv, stride, D]
}

export class KVCache {
  readonly layers: LayerCache[];
  private readonly heads: number;
  private readonly headDim: number;
  /** Positions allocated per slot (>= maxT, the most a sequence may hold). */
  readonly stride: number;

  constructor(cfg: ModelConfig, readonly slots: number, readonly maxT: number) {
    this.heads = cfg.numKvHeads;
    this.headDim = cfg.headDim;
    const rounded = Math.ceil(maxT / 16) * 16;
    this.stride = rounded % 1024 === 0 ? rounded + 16 : rounded;
    const n = slots * cfg.numKvHeads * this.stride * cfg.headDim;
    this.layers = Array.from({ length: cfg.numLayers }, () => ({ k: new Float32Array(n), v: new Float32Array(n) }));
  }

  /** Copies positions 0 .. length-1 of slot `from` into slot `to`, in every layer. */
  copySlot(from: number, to: number, length: number): void {
    for (const { k, v } of this.layers) native.kvCopySlot(k, v, this.heads, this.headDim, this.stride, from, to, length);
  }
}
