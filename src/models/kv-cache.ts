/**
 * Key/value cache for batched decoding, in fixed slots. Per layer, keys are [slots, Hkv, D, maxT]
 * (transposed, so the attention kernel reads a block of keys in place) and values
 * [slots, Hkv, maxT, D]. A sequence owns one slot while it is generated; when it finishes, its
 * slot goes to the next sequence, so nothing is copied or reallocated as rows finish. A prompt
 * prefilled once can be copied into the slots of its other samples (`copySlot`).
 */
import type { ModelConfig } from "./config.ts";

export interface LayerCache {
  k: Float32Array; // [slots, Hkv, D, maxT]
  v: Float32Array; // [slots, Hkv, maxT, D]
}

export class KVCache {
  readonly layers: LayerCache[];
  private readonly heads: number;
  private readonly headDim: number;

  constructor(cfg: ModelConfig, readonly slots: number, readonly maxT: number) {
    this.heads = cfg.numKvHeads;
    this.headDim = cfg.headDim;
    const n = slots * cfg.numKvHeads * maxT * cfg.headDim;
    this.layers = Array.from({ length: cfg.numLayers }, () => ({ k: new Float32Array(n), v: new Float32Array(n) }));
  }

  /** Copies positions 0 .. length-1 of slot `from` into slot `to`, in every layer. */
  copySlot(from: number, to: number, length: number): void {
    const { heads, headDim: D, maxT } = this;
    for (const { k, v } of this.layers) {
      for (let h = 0; h < heads; h++) {
        const src = (from * heads + h) * maxT * D, dst = (to * heads + h) * maxT * D;
        for (let d = 0; d < D; d++) k.copyWithin(dst + d * maxT, src + d * maxT, src + d * maxT + length);
        v.copyWithin(dst, src, src + length * D);
      }
    }
  }
}
