/**
 * Finite-difference check of a tape op's backward. The loss is a fixed random projection
 * L = sum(out * R); for each input, the analytic directional derivative <dL/dx, v> along a
 * random direction v is compared with the central difference (L(x + eps v) - L(x - eps v)) / 2eps.
 * Float32 forward passes limit the agreement to about 1e-3 relative; the default tolerance is 1e-2.
 */
import assert from "node:assert/strict";
import { Tensor, backward, noGrad, tensor } from "../../src/tensor/tensor.ts";
import { weightedSum } from "../../src/tensor/elementwise.ts";
import { Rng } from "../../src/util/rng.ts";

export function randomTensor(rng: Rng, shape: number[], scale = 1, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape, requiresGrad);
}

function projected(out: Tensor, R: Float64Array): number {
  let s = 0;
  for (let i = 0; i < out.size; i++) s += out.data[i] * R[i];
  return s;
}

export function gradcheck(name: string, fn: (xs: Tensor[]) => Tensor, inputs: Tensor[],
  opts: { eps?: number; tol?: number; seed?: number } = {}): void {
  const eps = opts.eps ?? 1e-2;
  const tol = opts.tol ?? 1e-2;
  const rng = Rng.fromSeed(opts.seed ?? 7);
  const probe = noGrad(() => fn(inputs));
  const R = Float64Array.from({ length: probe.size }, () => rng.normal());
  for (const x of inputs) x.grad = null;
  backward(weightedSum(fn(inputs), Float32Array.from(R)));
  inputs.forEach((x, idx) => {
    if (!x.requiresGrad) return;
    const grad = x.grad ?? new Float32Array(x.size);
    const v = Float64Array.from({ length: x.size }, () => rng.normal());
    let analytic = 0;
    for (let i = 0; i < x.size; i++) analytic += grad[i] * v[i];
    const saved = x.data.slice();
    const at = (sign: number): number => {
      for (let i = 0; i < x.size; i++) x.data[i] = saved[i] + sign * eps * v[i];
      return noGrad(() => projected(fn(inputs), R));
    };
    const numeric = (at(1) - at(-1)) / (2 * eps);
    x.data.set(saved);
    const scale = Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3);
    assert.ok(Math.abs(analytic - numeric) <= tol * scale,
      `${name}: input ${idx} analytic ${analytic} vs numeric ${numeric} (tol ${tol})`);
  });
}
