// Prepacked linear layers: f32 equals the plain GEMM exactly for every row count (the kernels
// run on a few bucketed row counts), bf16 equals the GEMM on bf16-rounded inputs up to f32
// rounding, accumulate adds, and the errors name the argument.
import { test } from "node:test";
import assert from "node:assert/strict";
import { native } from "../../src/native/index.ts";
import { bf16ToF32Bits, bitsToF32, f32Bits, f32BitsToBf16 } from "../../src/models/safetensors.ts";
import { assertClose, randn, rng } from "./helpers.ts";

const N = 40, K = 24;

function plain(x: Float32Array, W: Float32Array, M: number): Float32Array {
  const y = new Float32Array(M * N);
  native.gemm(false, true, M, N, K, 1, x, W, 0, y);
  return y;
}

test("linearRows: M itself below 16, then M rounded up by less than an eighth (8 row counts per octave)", () => {
  for (let M = 0; M <= 5000; M++) {
    const rows = native.linearRows(M);
    assert.ok(rows >= M && (M <= 8 ? rows === M : rows - M < M / 8 + 1), `M=${M}: ${rows}`);
  }
  assert.ok(new Set(Array.from({ length: 1000 }, (_, M) => native.linearRows(M + 1))).size < 100, "few distinct row counts");
});

test("f32 packed weights give exactly the plain GEMM, for any row count; accumulate adds", () => {
  const rand = rng(3);
  const W = randn(rand, N * K), packed = native.packLinear(W, N, K, false);
  for (const M of [1, 3, 8, 9, 17, 33, 100]) {
    const rows = native.linearRows(M);
    const x = randn(rand, rows * K), y = new Float32Array(rows * N);
    native.linearForward(x, M, packed, y, false);
    assert.deepEqual(y.subarray(0, M * N), plain(x, W, M), `M=${M}`);
    const before = y.slice(0, M * N);
    native.linearForward(x, M, packed, y, true);
    assertClose(y.subarray(0, M * N), before.map((v) => 2 * v), 1e-6, 1e-6, `accumulate M=${M}`);
  }
});

test("bf16 packed weights: the GEMM of the bf16-rounded weights and inputs, accumulated in f32", { skip: !native.info().bf16 && "no AVX512-BF16 or AMX here" }, () => {
  const rand = rng(4);
  const round = (a: Float32Array) => a.map((v) => bitsToF32(bf16ToF32Bits(f32BitsToBf16(f32Bits(v)))));
  const W = randn(rand, N * K), M = 13, rows = native.linearRows(M), x = randn(rand, rows * K);
  const y = new Float32Array(rows * N);
  native.linearForward(x, M, native.packLinear(W, N, K, true), y, false);
  assertClose(y.subarray(0, M * N), plain(round(x), round(W), M), 1e-5, 1e-5, "bf16 linear");
});

test("linearForward checks its arguments", () => {
  const packed = native.packLinear(new Float32Array(N * K), N, K, false);
  assert.equal(native.linearRows(17), 18);
  assert.throws(() => native.linearForward(new Float32Array(17 * K), 17, packed, new Float32Array(18 * N), false),
    (e: Error) => e instanceof TypeError && /\bx\b/.test(e.message)); // 17 rows run as 18
  assert.throws(() => native.linearForward(new Float32Array(K), 1, {} as never, new Float32Array(N), false), /packed/);
  native.releaseLinear(packed);
  native.releaseLinear(packed); // twice is harmless
  assert.throws(() => native.linearForward(new Float32Array(18 * K), 17, packed, new Float32Array(18 * N), false), /released/);
  assert.throws(() => native.packLinear(new Float32Array(3), 2, 2, false), /\bW\b/);
  if (!native.info().bf16) assert.throws(() => native.packLinear(new Float32Array(4), 2, 2, true), RangeError);
});
