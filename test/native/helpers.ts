/**
 * Shared test helpers for the native kernels: a seeded RNG, float64 comparisons, and a
 * finite-difference check of a backward pass along random directions.
 */
import assert from "node:assert/strict";

/** Mulberry32: deterministic uniforms in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n standard-normal values (times `scale`) as a Float32Array. */
export function randn(rand: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(rand(), 1e-12), v = rand();
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

/** Asserts |actual - expected| <= atol + rtol * |expected| elementwise, naming the first failure. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number,
  what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** x + t * v as a new Float32Array. */
export function axpy(x: Float32Array, t: number, v: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + t * v[i];
  return out;
}

/**
 * Finite-difference check of one input's gradient. `loss(x)` evaluates the scalar projection
 * L = sum(out * R) with the input replaced by x; `grad` is the analytic dL/dx. For `dirs` random
 * directions v (unit-variance entries), the Richardson-extrapolated central difference
 * (4 c(eps) - c(2 eps)) / 3, c(h) = (L(x + h v) - L(x - h v)) / (2 h), must match <grad, v>
 * within tol * max(1, |<grad, v>|). The extrapolation cancels the O(eps^2) truncation error, which
 * grows with the dimension of x; the kernels run in float32, so eps = 1e-2 keeps the rounding
 * error (~1e-7 |L| / eps) small too, and tol = 1e-3 is tight but robust.
 */
export function checkGrad(name: string, x: Float32Array, grad: ArrayLike<number>, loss: (x: Float32Array) => number,
  rand: () => number, { eps = 1e-2, tol = 1e-3, dirs = 3 } = {}): void {
  const central = (v: Float32Array, h: number) => (loss(axpy(x, h, v)) - loss(axpy(x, -h, v))) / (2 * h);
  for (let d = 0; d < dirs; d++) {
    const v = randn(rand, x.length);
    const analytic = dot(grad, v);
    const numeric = (4 * central(v, eps) - central(v, 2 * eps)) / 3;
    const err = Math.abs(numeric - analytic);
    assert.ok(err <= tol * Math.max(1, Math.abs(analytic)),
      `${name}: directional derivative ${analytic} vs finite difference ${numeric} (|diff| ${err.toExponential(2)})`);
  }
}
