// Argument errors: RangeError for ids/positions/dimensions out of range, TypeError for wrong
// types and too-short arrays, each naming the argument.
import { test } from "node:test";
import assert from "node:assert/strict";
import { native } from "../../src/native/index.ts";

const f32 = (n: number) => new Float32Array(n);

test("out-of-range ids and positions throw RangeError", () => {
  assert.throws(() => native.embeddingForward(f32(12), 4, 3, new Int32Array([0, 4]), f32(6)), RangeError);
  assert.throws(() => native.embeddingBackward(f32(6), new Int32Array([-1, 0]), 4, 3, f32(12)), RangeError);
  assert.throws(() => native.lmHeadLogprobForward(f32(2), f32(6), new Int32Array([3]), 1, 2, 3, 1, f32(1), f32(1),
    f32(1)), /targets\[0\] = 3/);
  // start 3 + 2 tokens > maxT 4; a slot outside the cache; the same slot twice
  const cached = (slots: number[], start: number[], offsets: number[]) => () => native.attentionCached(f32(8), f32(8),
    f32(8), f32(16), f32(16), new Int32Array(slots), new Int32Array(start), new Int32Array(offsets), 1, 1, 2, 4, 1, f32(8));
  assert.throws(cached([0], [3], [0, 2]), /start\[0\] \+ tokens = 5/);
  assert.throws(cached([2], [0], [0, 2]), /slots\[0\] = 2/);
  assert.throws(cached([1, 1], [0, 0], [0, 1, 2]), /repeated/);
  assert.throws(() => native.attentionForward(f32(6), f32(4), f32(4), new Int32Array([0, 1]), 3, 2, 2, 1, f32(6), f32(3)),
    RangeError);
  assert.throws(() => native.attentionForward(f32(8), f32(8), f32(8), new Int32Array([0, 2, 1]), 1, 1, 2, 1, f32(8), f32(4)),
    /non-decreasing/);
  assert.throws(() => native.attentionForward(f32(8), f32(8), f32(8), new Int32Array([1, 2]), 1, 1, 2, 1, f32(8), f32(4)),
    /start at 0/);
  assert.throws(() => native.gemm(false, false, -1, 1, 1, 1, f32(1), f32(1), 0, f32(1)), RangeError);
  assert.throws(() => native.sample(f32(4), 1, 4, 1, 0, 0, f32(1), new Int32Array(1), f32(1)), RangeError);
});

test("short arrays and wrong types throw TypeError naming the argument", () => {
  assert.throws(() => native.gemm(false, false, 2, 2, 2, 1, f32(3), f32(4), 0, f32(4)), (e: Error) =>
    e instanceof TypeError && /\bA\b/.test(e.message));
  assert.throws(() => native.rmsnormForward(f32(6), f32(3), 2, 3, 1e-6, f32(6), f32(1)), /rstd/);
  assert.throws(() => native.attentionBackward(f32(8), f32(8), f32(8), f32(8), f32(8), f32(4), new Int32Array([0, 2]),
    2, 2, 2, 1, f32(8), f32(8), f32(7)), (e: Error) => e instanceof TypeError && /dv/.test(e.message));
  assert.throws(() => native.swigluForward(new Float64Array(2) as unknown as Float32Array, f32(2), 2, f32(2)),
    (e: Error) => e instanceof TypeError && /gate/.test(e.message));
  assert.throws(() => native.gemm(0 as unknown as boolean, false, 1, 1, 1, 1, f32(1), f32(1), 0, f32(1)), TypeError);
  assert.throws(() => native.adamw([f32(2)], [f32(3)], [f32(2)], [f32(2)], 1, 0.9, 0.99, 1e-8, 0, 1),
    (e: Error) => e instanceof TypeError && /grads\[0\]/.test(e.message));
  assert.throws(() => native.sample(f32(8), 2, 4, 1, 0, 1, f32(2), new Int32Array(1), f32(2)), /ids/);
});
