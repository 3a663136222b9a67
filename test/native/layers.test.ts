// RMSNorm, RoPE, SwiGLU and embedding: forwards against float64 references, backwards by
// finite differences of L = sum(out * R).
import { test } from "node:test";
import assert from "node:assert/strict";
import { native } from "../../src/native/index.ts";
import { assertClose, checkGrad, dot, randn, rng } from "./helpers.ts";

test("rmsnorm forward matches the float64 reference", () => {
  const rand = rng(2);
  for (const [N, dim] of [[1, 1], [3, 7], [5, 64], [4, 900]]) {
    const x = randn(rand, N * dim), w = randn(rand, dim), eps = 1e-6;
    x.fill(0, 0, dim); // an all-zero row
    const y = new Float32Array(N * dim), rstd = new Float32Array(N);
    native.rmsnormForward(x, w, N, dim, eps, y, rstd);
    const yRef: number[] = [], rRef: number[] = [];
    for (let n = 0; n < N; n++) {
      let ss = 0;
      for (let i = 0; i < dim; i++) ss += x[n * dim + i] ** 2;
      const r = 1 / Math.sqrt(ss / dim + eps);
      rRef.push(r);
      for (let i = 0; i < dim; i++) yRef.push(x[n * dim + i] * r * w[i]);
    }
    assertClose(y, yRef, 1e-5, 1e-5, `rmsnorm y ${N}x${dim}`);
    assertClose(rstd, rRef, 0, 1e-5, `rmsnorm rstd ${N}x${dim}`);
  }
});

test("rmsnorm backward: dx by finite differences, dweight accumulated", () => {
  const rand = rng(3);
  const N = 6, dim = 40, eps = 1e-5;
  const x = randn(rand, N * dim), w = randn(rand, dim), R = randn(rand, N * dim);
  const loss = (xx: Float32Array, ww: Float32Array) => {
    const y = new Float32Array(N * dim), rstd = new Float32Array(N);
    native.rmsnormForward(xx, ww, N, dim, eps, y, rstd);
    return dot(y, R);
  };
  const y = new Float32Array(N * dim), rstd = new Float32Array(N);
  native.rmsnormForward(x, w, N, dim, eps, y, rstd);
  const dx = new Float32Array(N * dim).fill(NaN), dw0 = randn(rand, dim), dw = dw0.slice();
  native.rmsnormBackward(R, x, w, rstd, N, dim, dx, dw);
  checkGrad("rmsnorm dx", x, dx, (xx) => loss(xx, w), rand);
  checkGrad("rmsnorm dweight", w, dw.map((g, i) => g - dw0[i]), (ww) => loss(x, ww), rand);
});

/** float64 rotate-half RoPE with angle pos * invFreq[i] (angle rounded to float32, as HF does). */
function ropeRef(x: Float32Array, pos: Int32Array, invFreq: Float32Array, N: number, H: number, D: number,
  sign: number): number[] {
  const out = new Array<number>(N * H * D);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < D / 2; i++) {
        const a = Math.fround(pos[n] * invFreq[i]), c = Math.cos(a), s = sign * Math.sin(a);
        const o = (n * H + h) * D, x1 = x[o + i], x2 = x[o + i + D / 2];
        out[o + i] = x1 * c - x2 * s;
        out[o + i + D / 2] = x2 * c + x1 * s;
      }
    }
  }
  return out;
}

test("rope forward, inverse, in place, and backward = inverse", () => {
  const rand = rng(4);
  const N = 5, H = 3, D = 8;
  const x = randn(rand, N * H * D), pos = new Int32Array([0, 1, 7, 100, 3]);
  const invFreq = new Float32Array(D / 2).map((_, i) => 10000 ** (-(2 * i) / D));
  const y = new Float32Array(N * H * D);
  native.rope(x, pos, invFreq, N, H, D, false, y);
  assertClose(y, ropeRef(x, pos, invFreq, N, H, D, 1), 1e-5, 1e-5, "rope forward");
  const back = new Float32Array(N * H * D);
  native.rope(y, pos, invFreq, N, H, D, true, back);
  assertClose(back, x, 1e-5, 1e-5, "rope inverse(forward(x)) = x");
  const inPlace = x.slice();
  native.rope(inPlace, pos, invFreq, N, H, D, false, inPlace);
  assertClose(inPlace, y, 0, 0, "rope in place");
  // RoPE is linear, so its backward (dx = inverse rotation of dy) is checked by finite differences too.
  const R = randn(rand, N * H * D), dx = new Float32Array(N * H * D);
  native.rope(R, pos, invFreq, N, H, D, true, dx);
  checkGrad("rope dx", x, dx, (xx) => {
    const yy = new Float32Array(N * H * D);
    native.rope(xx, pos, invFreq, N, H, D, false, yy);
    return dot(yy, R);
  }, rand);
});

test("swiglu forward and backward", () => {
  const rand = rng(5);
  const n = 1000;
  const gate = randn(rand, n, 3), up = randn(rand, n), out = new Float32Array(n);
  native.swigluForward(gate, up, n, out);
  assertClose(out, Array.from(gate, (g, i) => (g / (1 + Math.exp(-g))) * up[i]), 1e-6, 1e-5, "swiglu forward");
  const R = randn(rand, n), dgate = new Float32Array(n), dup = new Float32Array(n);
  native.swigluBackward(R, gate, up, n, dgate, dup);
  const loss = (g: Float32Array, u: Float32Array) => {
    const o = new Float32Array(n);
    native.swigluForward(g, u, n, o);
    return dot(o, R);
  };
  checkGrad("swiglu dgate", gate, dgate, (g) => loss(g, up), rand);
  checkGrad("swiglu dup", up, dup, (u) => loss(gate, u), rand);
});

test("embedding forward gathers rows; backward scatter-adds (repeated ids, accumulated)", () => {
  const rand = rng(6);
  const V = 11, dim = 70;
  const weight = randn(rand, V * dim), ids = new Int32Array([3, 0, 10, 3, 3, 7]);
  const out = new Float32Array(ids.length * dim);
  native.embeddingForward(weight, V, dim, ids, out);
  ids.forEach((id, n) => assertClose(out.subarray(n * dim, (n + 1) * dim), weight.subarray(id * dim, (id + 1) * dim),
    0, 0, `embedding row ${n}`));
  const R = randn(rand, ids.length * dim), dw0 = randn(rand, V * dim), dw = dw0.slice();
  native.embeddingBackward(R, ids, V, dim, dw);
  checkGrad("embedding dweight", weight, dw.map((g, i) => g - dw0[i]), (ww) => {
    const o = new Float32Array(ids.length * dim);
    native.embeddingForward(ww, V, dim, ids, o);
    return dot(o, R);
  }, rand);
  assert.equal(dw[1 * dim], dw0[1 * dim], "untouched rows stay as they were");
});

test("rope on heads inside wider rows (row strides) equals rope on the packed heads", () => {
  const rand = rng(6);
  const N = 4, H = 2, D = 8, wide = 5 * D, at = 3 * D; // heads at column `at` of rows `wide` floats long
  const rows = randn(rand, N * wide), pos = new Int32Array([0, 4, 9, 2]);
  const invFreq = new Float32Array(D / 2).map((_, i) => 10000 ** (-(2 * i) / D));
  const packed = new Float32Array(N * H * D);
  for (let n = 0; n < N; n++) packed.set(rows.subarray(n * wide + at, n * wide + at + H * D), n * H * D);
  const want = new Float32Array(N * H * D);
  native.rope(packed, pos, invFreq, N, H, D, false, want);
  const out = new Float32Array(N * H * D);
  native.rope(rows.subarray(at), pos, invFreq, N, H, D, false, out, wide, H * D);
  assert.deepEqual(out, want);
  const inPlace = rows.slice();
  native.rope(inPlace.subarray(at), pos, invFreq, N, H, D, false, inPlace.subarray(at), wide, wide);
  for (let n = 0; n < N; n++) {
    assert.deepEqual(inPlace.subarray(n * wide + at, n * wide + at + H * D), want.subarray(n * H * D, (n + 1) * H * D));
    assert.deepEqual(inPlace.subarray(n * wide, n * wide + at), rows.subarray(n * wide, n * wide + at), "other columns untouched");
  }
  assert.throws(() => native.rope(rows, pos, invFreq, N, H, D, false, out, H * D - 1), /row strides/);
  assert.throws(() => native.rope(rows.subarray(at), pos, invFreq, N, H, D, false, out, wide + 1, H * D), /\bx\b/);
});

test("swigluRows over fused [gate | up] rows equals swigluForward on the halves", () => {
  const rand = rng(7);
  const rows = 3, I = 37, gu = randn(rand, rows * 2 * I, 3);
  const out = new Float32Array(rows * I);
  native.swigluRows(gu, rows, I, out);
  for (let r = 0; r < rows; r++) {
    const want = new Float32Array(I);
    native.swigluForward(gu.subarray(2 * r * I, (2 * r + 1) * I), gu.subarray((2 * r + 1) * I, (2 * r + 2) * I), I, want);
    assert.deepEqual(out.subarray(r * I, (r + 1) * I), want);
  }
  assert.throws(() => native.swigluRows(gu.subarray(1), rows, I, out), /gateUp/);
});
