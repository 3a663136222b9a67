// AdamW, globalNorm and scaleInPlace over several arrays at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { native } from "../../src/native/index.ts";
import { assertClose } from "./helpers.ts";

test("adamw matches a hand-computed step (bias correction, decoupled weight decay)", () => {
  const p = [new Float32Array([1, -2]), new Float32Array([0.5])];
  const g = [new Float32Array([0.1, 0.2]), new Float32Array([-1])];
  const m = [new Float32Array([0.01, 0]), new Float32Array([0])];
  const v = [new Float32Array([0.001, 0]), new Float32Array([0])];
  const lr = 0.01, b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.1, step = 2;
  const expect = (p0: number, g0: number, m0: number, v0: number) => {
    const m1 = b1 * m0 + (1 - b1) * g0, v1 = b2 * v0 + (1 - b2) * g0 * g0;
    const upd = m1 / (1 - b1 ** step) / (Math.sqrt(v1 / (1 - b2 ** step)) + eps);
    return [p0 - lr * (upd + wd * p0), m1, v1];
  };
  const want = [expect(1, 0.1, 0.01, 0.001), expect(-2, 0.2, 0, 0), expect(0.5, -1, 0, 0)];
  native.adamw(p, g, m, v, lr, b1, b2, eps, wd, step);
  const got = [[p[0][0], m[0][0], v[0][0]], [p[0][1], m[0][1], v[0][1]], [p[1][0], m[1][0], v[1][0]]];
  assertClose(got.flat(), want.flat(), 1e-7, 1e-5, "adamw p, m, v");
});

test("globalNorm and scaleInPlace", () => {
  const a = [new Float32Array([3, 4]), new Float32Array([12]), new Float32Array(0)];
  assert.equal(native.globalNorm(a), 13);
  assert.equal(native.globalNorm([]), 0);
  const big = new Float32Array(100001).fill(0.5);
  assert.ok(Math.abs(native.globalNorm([big]) - Math.sqrt(100001 * 0.25)) < 1e-9);
  native.scaleInPlace(a, 0.5);
  assert.deepEqual([...a[0], ...a[1]], [1.5, 2, 6]);
});
