/**
 * Learning-rate schedules by optimizer step (1-based): a linear warm-up from lr/warmup to lr
 * over `warmup` steps, then constant (Open-Reasoner-Zero) or a cosine decay to `minLr` at
 * `total` steps.
 */
export interface Schedule {
  kind: "constant" | "cosine";
  lr: number;
  warmup: number;
  /** Last step of the cosine decay. */
  total: number;
  minLr: number;
}

export function learningRate(s: Schedule, step: number): number {
  if (step <= s.warmup) return (s.lr * step) / s.warmup;
  if (s.kind === "constant") return s.lr;
  const progress = Math.min(1, (step - s.warmup) / Math.max(1, s.total - s.warmup));
  return s.minLr + 0.5 * (s.lr - s.minLr) * (1 + Math.cos(Math.PI * progress));
}
