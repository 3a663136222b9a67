/**
 * Verifier pools by grader and answer format, made when first asked for: benchmarks graded
 * in different formats (math in `orz` or `auto`, GPQA in `choice`) each get a pool, the same
 * one every time. The caller closes them all at the end.
 */
import type { AnswerFormat, VerifierConfig } from "../rewards/config.ts";
import { VerifierPool } from "../rewards/pool.ts";

export class VerifierPools {
  private readonly pools = new Map<string, VerifierPool>();

  constructor(private readonly base: { size?: number; config?: Partial<VerifierConfig> } = {}) {}

  get(format: AnswerFormat, grader = "math"): VerifierPool {
    const key = `${grader}:${format}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new VerifierPool({ size: this.base.size, grader, config: { ...this.base.config, format } });
      this.pools.set(key, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}
