import { test } from "node:test";
import assert from "node:assert/strict";
import { native } from "../../src/native/index.ts";
import { assertClose, randn, rng } from "./helpers.ts";

/** float64 reference of C = alpha op(A) op(B) + beta C. */
function gemmRef(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, A: Float32Array,
  B: Float32Array, beta: number, C: Float32Array): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (tA ? A[k * M + i] : A[i * K + k]) * (tB ? B[j * K + k] : B[k * N + j]);
      out[i * N + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * N + j]);
    }
  }
  return out;
}

test(`gemm (${native.info().backend}): all transposes, alpha/beta, odd sizes`, () => {
  const rand = rng(1);
  const shapes = [[1, 1, 1], [7, 13, 5], [65, 33, 129], [64, 96, 300], [3, 200, 17]];
  const scalars = [[1, 0], [0.5, 1], [-2, 0.25], [1, 1]];
  for (const [M, N, K] of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        for (const [alpha, beta] of scalars) {
          const A = randn(rand, M * K), B = randn(rand, K * N), C0 = randn(rand, M * N);
          const C = C0.slice();
          if (beta === 0) C.fill(NaN); // beta = 0 must overwrite, not scale
          native.gemm(tA, tB, M, N, K, alpha, A, B, beta, C);
          const ref = gemmRef(tA, tB, M, N, K, alpha, A, B, beta, C0);
          assertClose(C, ref, 1e-4 * Math.sqrt(K), 1e-4, `gemm ${M}x${N}x${K} tA=${tA} tB=${tB} a=${alpha} b=${beta}`);
        }
      }
    }
  }
});

test("gemm: K = 0 gives beta * C", () => {
  const C = new Float32Array([1, 2, 3, 4]);
  native.gemm(false, false, 2, 2, 0, 1, new Float32Array(0), new Float32Array(0), 0.5, C);
  assert.deepEqual([...C], [0.5, 1, 1.5, 2]);
});

test("info reports backend, threads and features; setThreads changes threads", () => {
  const info = native.info();
  assert.ok(["onednn", "openblas", "portable"].includes(info.backend));
  assert.ok(info.threads >= 1);
  assert.ok(Array.isArray(info.cpuFeatures));
  assert.ok(info.backendVersion.length > 0);
  native.setThreads(1);
  assert.equal(native.info().threads, 1);
  native.setThreads(info.threads);
  assert.equal(native.info().threads, info.threads);
});
