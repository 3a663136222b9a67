/**
 * Learning-rate schedules by optimizer step (1-based): a linear warm-up from lr/warmup to lr
 * over `warmup` steps, then constant (Open-Reasoner-Zero) or a cosine decay towards `minLr`.
 * The decay's position is 0 at the first step after the warm-up and (total − warmup − 1)/(total −
 * warmup) at step `total` (0-based, as Hugging Face's schedules: the peak is used, the floor is
 * approached); a caller whose optimizer steps per stage vary (RL steps with a varying number of
 * mini-batches) passes the position itself.
 */
export interface Schedule {
  kind: "constant" | "cosine";
  lr: number;
  warmup: number;
  /** Optimizer steps of the whole run (warm-up included). */
  total: number;
  minLr: number;
}

/** lr at optimizer step `step`; `progress` ∈ [0, 1), when given, is the cosine's position in the run. */
export function learningRate(s: Schedule, step: number, progress?: number): number {
  if (step <= s.warmup) return (s.lr * step) / s.warmup;
  if (s.kind === "constant") return s.lr;
  const p = progress ?? Math.min(1, (step - s.warmup - 1) / Math.max(1, s.total - s.warmup));
  return s.minLr + 0.5 * (s.lr - s.minLr) * (1 + Math.cos(Math.PI * p));
}
