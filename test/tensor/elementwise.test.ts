import { test } from "node:test";
import assert from "node:assert/strict";
import { gradcheck, randomTensor } from "../helpers/gradcheck.ts";
import { Rng } from "../../src/util/rng.ts";
import { tensor, backward } from "../../src/tensor/tensor.ts";
import * as E from "../../src/tensor/elementwise.ts";

const rng = Rng.fromSeed(1);
const x = () => randomTensor(rng, [3, 5]);
// Inputs kept away from kinks (|v| > 0.1 apart) so a finite difference does not cross one.
const apart = () => tensor(Float32Array.from({ length: 15 }, (_, i) => (i % 2 ? 1 : -1) * (0.3 + 0.1 * i)), [3, 5], true);

test("element-wise backward matches finite differences", () => {
  gradcheck("add", ([a, b]) => E.add(a, b), [x(), x()]);
  gradcheck("sub", ([a, b]) => E.sub(a, b), [x(), x()]);
  gradcheck("mul", ([a, b]) => E.mul(a, b), [x(), x()]);
  gradcheck("affine", ([a]) => E.affine(a, -1.7, 0.3), [x()]);
  gradcheck("neg", ([a]) => E.neg(a), [x()]);
  gradcheck("exp", ([a]) => E.exp(a), [x()]);
  gradcheck("log", ([a]) => E.log(a), [E.exp(x())].map((t) => tensor(t.data, t.shape, true)));
  gradcheck("square", ([a]) => E.square(a), [x()]);
  gradcheck("logSigmoid", ([a]) => E.logSigmoid(E.affine(a, 8)), [x()]);
  gradcheck("clamp", ([a]) => E.clamp(a, -0.55, 0.75), [apart()], { eps: 1e-3 });
  gradcheck("minimum", ([a, b]) => E.minimum(a, b), [apart(), E.neg(apart())].map((t) => tensor(t.data.slice(), t.shape, true)), { eps: 1e-3 });
  gradcheck("maximum", ([a, b]) => E.maximum(a, b), [apart(), E.neg(apart())].map((t) => tensor(t.data.slice(), t.shape, true)), { eps: 1e-3 });
  gradcheck("sum", ([a]) => E.sum(a), [x()]);
  gradcheck("mean", ([a]) => E.mean(a), [x()]);
  gradcheck("weightedSum", ([a]) => E.weightedSum(a, Float32Array.from({ length: 15 }, (_, i) => i - 7)), [x()]);
  gradcheck("reshape", ([a]) => E.mul(E.reshape(a, [15]), E.reshape(a, [15])), [x()]);
});

test("a tensor used twice receives both gradients", () => {
  const a = tensor([2, 3], [2], true);
  backward(E.sum(E.mul(a, a))); // d/da sum(a^2) = 2a
  assert.deepEqual(Array.from(a.grad!), [4, 6]);
});

test("logSigmoid is finite for large inputs", () => {
  const y = E.logSigmoid(tensor([-1000, 0, 1000]));
  assert.ok(Math.abs(y.data[0] + 1000) < 1e-3);
  assert.ok(Math.abs(y.data[1] - Math.log(0.5)) < 1e-6);
  assert.ok(Math.abs(y.data[2]) < 1e-30);
});

test("backward rejects a non-scalar or constant loss", () => {
  assert.throws(() => backward(randomTensor(rng, [2])), /scalar/);
  assert.throws(() => backward(tensor([1])), /does not depend/);
});
