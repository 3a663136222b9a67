import { test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck, randomTensor } from "../helpers/gradcheck.ts";
import { Rng } from "../../src/util/rng.ts";
import { add, affine } from "../../src/tensor/elementwise.ts";
import * as nn from "../../src/tensor/nn.ts";

const rng = Rng.fromSeed(3);
const rand = (shape: number[], scale = 1) => randomTensor(rng, shape, scale);

test("linear backward (with and without bias) matches finite differences", () => {
  gradcheck("linear", ([x, W, b]) => nn.linear(x, W, b), [rand([5, 7]), rand([3, 7]), rand([3])]);
  gradcheck("linear no bias", ([x, W]) => nn.linear(x, W), [rand([2, 4, 6]), rand([5, 6])]);
});

test("rmsnorm backward matches finite differences", () => {
  gradcheck("rmsnorm", ([x, w]) => nn.rmsnorm(x, w, 1e-6), [rand([4, 8]), rand([8])]);
});

test("rope backward matches finite differences", () => {
  const invFreq = Float32Array.from([1, 0.1, 0.01, 0.001]);
  const positions = Int32Array.from([0, 1, 2, 7, 0, 3]);
  gradcheck("rope", ([x]) => nn.rope(x, positions, invFreq, 2, 8), [rand([6, 2 * 8])]);
});

test("swiglu backward matches finite differences", () => {
  gradcheck("swiglu", ([g, u]) => nn.swiglu(g, u), [rand([3, 5], 2), rand([3, 5])]);
});

test("embedding backward accumulates repeated ids", () => {
  const ids = Int32Array.from([2, 0, 2, 3]);
  gradcheck("embedding", ([W]) => nn.embedding(W, ids), [rand([4, 6])]);
});

test("attention backward matches finite differences (GQA, B=2, T=5)", () => {
  const s = { B: 2, T: 5, Hq: 4, Hkv: 2, D: 8 };
  gradcheck("attention", ([q, k, v]) => nn.attention(q, k, v, s),
    [rand([2, 5, 4 * 8]), rand([2, 5, 2 * 8]), rand([2, 5, 2 * 8])]);
});

test("gatherRows backward scatters into the picked rows", () => {
  gradcheck("gatherRows", ([x]) => nn.gatherRows(x, Int32Array.from([3, 0, 3])), [rand([4, 5])]);
  assert.throws(() => nn.gatherRows(rand([2, 3]), Int32Array.from([2])), RangeError);
});

test("tokenLogprobs backward (log-prob and entropy paths) matches finite differences", () => {
  const targets = Int32Array.from([0, 9, 4, 4, 11]);
  const run = ([h, W]: ReturnType<typeof rand>[]) => {
    const { logp, entropy } = nn.tokenLogprobs(h, W, targets, 1 / 0.7);
    return add(logp, affine(entropy, 0.5));
  };
  gradcheck("tokenLogprobs", run, [rand([5, 6]), rand([13, 6])]);
});

test("tokenLogprobs equals a direct log-softmax", () => {
  const h = rand([3, 4]);
  const W = rand([7, 4]);
  const targets = Int32Array.from([6, 0, 3]);
  const { logp, entropy } = nn.tokenLogprobs(h, W, targets, 2);
  for (let n = 0; n < 3; n++) {
    const z = Array.from({ length: 7 }, (_, v) => 2 * [0, 1, 2, 3].reduce((s, j) => s + h.data[n * 4 + j] * W.data[v * 4 + j], 0));
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, zi) => s + Math.exp(zi - m), 0));
    const H = -z.reduce((s, zi) => s + Math.exp(zi - lse) * (zi - lse), 0);
    assert.ok(Math.abs(logp.data[n] - (z[targets[n]] - lse)) < 1e-5);
    assert.ok(Math.abs(entropy.data[n] - H) < 1e-5);
  }
});
