import { test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck, randomTensor } from "../helpers/gradcheck.ts";
import { Rng } from "../../src/util/rng.ts";
import { tensor } from "../../src/tensor/tensor.ts";
import { segmentSum } from "../../src/tensor/elementwise.ts";

test("segmentSum sums each packed segment, empty segments give 0", () => {
  const y = segmentSum(tensor([1, 2, 3, 4, 5, 6]), Int32Array.of(0, 2, 2, 5, 6));
  assert.deepEqual(Array.from(y.data), [3, 0, 12, 6]);
  assert.deepEqual(y.shape, [4]);
});

test("segmentSum backward matches finite differences", () => {
  const rng = Rng.fromSeed(3);
  gradcheck("segmentSum", ([x]) => segmentSum(x, Int32Array.of(0, 3, 4, 4, 9)), [randomTensor(rng, [9])]);
});

test("segmentSum rejects offsets that do not cover the input", () => {
  assert.throws(() => segmentSum(tensor([1, 2, 3]), Int32Array.of(0, 2)), /offsets must run from 0 to 3/);
  assert.throws(() => segmentSum(tensor([1, 2, 3]), Int32Array.of(0, 2, 1, 3)), /decrease/);
});
