/**
 * One model's update from a rollout batch: for each epoch, the units (responses, or DPO pairs)
 * are shuffled and cut into mini-batches of about `miniBatchSize` responses; each mini-batch is
 * cut into micro-batches by the token budget, whose losses are back-propagated one by one so
 * their gradients accumulate; then the gradients are clipped and AdamW takes one step.
 *
 * A mini-batch whose loss or gradient norm is NaN or infinite is not applied: its gradients are
 * dropped and it is counted in `skipped`, so the caller can stop a run that keeps failing.
 */
import type { LossOutput, MiniBatchTotals } from "../algorithms/types.ts";
import type { AdamW } from "../nn/adamw.ts";
import { clipGradNorm } from "../nn/clip.ts";
import { backward, zeroGrad, type Tensor } from "../tensor/tensor.ts";
import { withScratch } from "../tensor/scratch.ts";
import { Rng } from "../util/rng.ts";
import { planMicroBatches } from "./micro-batches.ts";

export interface Optimized {
  params: Tensor[];
  adam: AdamW;
  gradClip: number;
}

export interface UpdatePlan {
  /** Groups of response indices that stay in one micro-batch; every kept response is in one unit. */
  units: number[][];
  /** [S] masked token count of each response (the loss's denominators). */
  tokens: ArrayLike<number>;
  /** [S] prompt + response length (the micro-batch cost). */
  lengths: ArrayLike<number>;
  miniBatchSize: number;
  epochs: number;
  budget: number;
  /** Keys of the shuffling stream (e.g. seed, step, a model tag). */
  shuffleKeys: number[];
  /** Learning rate at an optimizer step (1-based, over the whole run), the `fraction` ∈ [0, 1) of this update done before it. */
  lr: (optimizerStep: number, fraction: number) => number;
}

export interface UpdateResult {
  /** Loss metrics, averaged over the applied mini-batch steps. */
  metrics: Record<string, number>;
  /** Gradient norm before clipping, averaged over the applied steps. */
  gradNorm: number;
  steps: number;
  skipped: number;
  /** The learning rate of the last step taken. */
  lr: number;
}

/** Shuffles units with a keyed stream (Fisher-Yates) and cuts them into mini-batches of ~size responses. */
export function miniBatches(units: readonly number[][], size: number, rng: Rng): number[][][] {
  const order = [...units];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const total = order.reduce((n, u) => n + u.length, 0);
  const count = Math.max(1, Math.round(total / size));
  const out: number[][][] = Array.from({ length: count }, () => []);
  let seen = 0;
  for (const u of order) {
    out[Math.min(count - 1, Math.floor((seen * count) / total))].push(u);
    seen += u.length;
  }
  return out.filter((m) => m.length > 0);
}

export function runUpdate(model: Optimized, plan: UpdatePlan,
  lossFor: (responses: number[], totals: MiniBatchTotals) => LossOutput,
  beforeStep?: (params: Tensor[]) => void): UpdateResult {
  const sums: Record<string, number> = {};
  let gradNorm = 0;
  let steps = 0;
  let skipped = 0;
  let lr = plan.lr(model.adam.step + 1, 0);
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    const rng = Rng.derive(...plan.shuffleKeys, epoch);
    const minis = miniBatches(plan.units, plan.miniBatchSize, rng);
    for (const [m, mini] of minis.entries()) {
      const responses = mini.flat();
      const totals: MiniBatchTotals = {
        tokens: responses.reduce((n, i) => n + plan.tokens[i], 0),
        sequences: responses.length,
      };
      const metrics: Record<string, number> = {};
      let loss = 0;
      for (const micro of planMicroBatches(mini, plan.lengths, plan.budget)) {
        withScratch(() => { // the micro-batch's activations are dead after its backward
          const out = lossFor(micro, totals);
          loss += out.loss.item();
          backward(out.loss);
          for (const [k, v] of Object.entries(out.metrics)) metrics[k] = (metrics[k] ?? 0) + v;
        });
      }
      beforeStep?.(model.params);
      const norm = clipGradNorm(model.params, model.gradClip);
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        zeroGrad(model.params);
        skipped++;
        continue;
      }
      lr = plan.lr(model.adam.step + 1, (epoch * minis.length + m) / (plan.epochs * minis.length));
      model.adam.update(lr);
      zeroGrad(model.params);
      steps++;
      gradNorm += norm;
      for (const [k, v] of Object.entries(metrics)) sums[k] = (sums[k] ?? 0) + v;
    }
  }
  const mean = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(steps, 1)]));
  return { metrics: mean, gradNorm: gradNorm / Math.max(steps, 1), steps, skipped, lr };
}
