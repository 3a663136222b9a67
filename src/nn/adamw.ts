/**
 * AdamW (decoupled weight decay, bias-corrected moments) over all parameters in one native call.
 * The moments are plain arrays keyed by parameter name, so a checkpoint saves and restores them.
 */
import { native } from "../native/index.ts";
import type { Tensor } from "../tensor/tensor.ts";

export interface AdamWOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { lr: 1e-6, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 };

export class AdamW {
  /** Steps taken so far (the bias correction uses step + 1 on the next call). */
  step = 0;
  readonly m: Map<string, Float32Array>;
  readonly v: Map<string, Float32Array>;

  constructor(readonly params: Tensor[], readonly options: AdamWOptions = ADAMW_DEFAULTS) {
    this.m = new Map(params.map((p) => [p.name, new Float32Array(p.size)]));
    this.v = new Map(params.map((p) => [p.name, new Float32Array(p.size)]));
  }

  /** Updates every parameter that has a gradient; `lr` overrides the configured rate (schedules). */
  update(lr = this.options.lr): void {
    const withGrad = this.params.filter((p) => p.grad !== null);
    if (withGrad.length === 0) return;
    this.step += 1;
    const [b1, b2] = this.options.betas;
    native.adamw(withGrad.map((p) => p.data), withGrad.map((p) => p.grad!),
      withGrad.map((p) => this.m.get(p.name)!), withGrad.map((p) => this.v.get(p.name)!),
      lr, b1, b2, this.options.eps, this.options.weightDecay, this.step);
  }
}
