/**
 * Per-layer key/value cache for batched decoding: k and v are [B, Hkv, maxT, D] per layer, so a
 * row's history is one contiguous block per layer and dropping finished rows is a block copy.
 */
import type { ModelConfig } from "./config.ts";

export interface LayerCache {
  k: Float32Array; // [B, Hkv, maxT, D]
  v: Float32Array; // [B, Hkv, maxT, D]
}

export class KVCache {
  private constructor(
    readonly layers: LayerCache[],
    readonly batch: number,
    readonly maxT: number,
    private readonly rowSize: number, // Hkv * maxT * D
  ) {}

  static create(cfg: ModelConfig, batch: number, maxT: number): KVCache {
    const rowSize = cfg.numKvHeads * maxT * cfg.headDim;
    const layers = Array.from({ length: cfg.numLayers }, () => ({
      k: new Float32Array(batch * rowSize),
      v: new Float32Array(batch * rowSize),
    }));
    return new KVCache(layers, batch, maxT, rowSize);
  }

  /** A cache holding only the given rows (in that order), e.g. the unfinished sequences. */
  select(rows: readonly number[]): KVCache {
    const n = this.rowSize;
    const layers = this.layers.map(({ k, v }) => {
      const nk = new Float32Array(rows.length * n);
      const nv = new Float32Array(rows.length * n);
      rows.forEach((r, i) => {
        nk.set(k.subarray(r * n, (r + 1) * n), i * n);
        nv.set(v.subarray(r * n, (r + 1) * n), i * n);
      });
      return { k: nk, v: nv };
    });
    return new KVCache(layers, rows.length, this.maxT, n);
  }
}
