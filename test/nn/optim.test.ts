import { test } from "node:test";
import assert from "node:assert/strict";
import { AdamW } from "../../src/nn/adamw.ts";
import { clipGradNorm } from "../../src/nn/clip.ts";
import { learningRate } from "../../src/nn/schedule.ts";
import { parameter } from "../../src/tensor/tensor.ts";

test("AdamW takes the hand-computed steps", () => {
  const p = parameter("w", Float32Array.from([1, -2]), [2]);
  const opt = new AdamW([p], { lr: 0.1, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.01 });
  // Step 1 with g = [0.5, -1]: m_hat = g, v_hat = g^2, so the update is lr * (sign(g) + wd * p).
  p.grad = Float32Array.from([0.5, -1]);
  opt.update();
  const expect1 = [1 - 0.1 * (1 + 0.01 * 1), -2 - 0.1 * (-1 + 0.01 * -2)];
  p.data.forEach((x, i) => assert.ok(Math.abs(x - expect1[i]) < 1e-6, `step 1: ${x} vs ${expect1[i]}`));
  // Step 2 with g = [0.1, 0.3]: moments by hand.
  p.grad = Float32Array.from([0.1, 0.3]);
  opt.update();
  [[0.5, 0.1], [-1, 0.3]].forEach(([g1, g2], i) => {
    const m = 0.9 * 0.1 * g1 + 0.1 * g2;
    const v = 0.95 * 0.05 * g1 * g1 + 0.05 * g2 * g2;
    const mh = m / (1 - 0.81);
    const vh = v / (1 - 0.95 * 0.95);
    const expected = expect1[i] - 0.1 * (mh / (Math.sqrt(vh) + 1e-8) + 0.01 * expect1[i]);
    assert.ok(Math.abs(p.data[i] - expected) < 1e-5, `step 2: ${p.data[i]} vs ${expected}`);
  });
  assert.equal(opt.step, 2);
});

test("AdamW skips parameters without a gradient", () => {
  const a = parameter("a", Float32Array.from([1]), [1]);
  const b = parameter("b", Float32Array.from([1]), [1]);
  a.grad = Float32Array.from([1]);
  new AdamW([a, b], { lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }).update();
  assert.ok(Math.abs(a.data[0] - 0.5) < 1e-6);
  assert.equal(b.data[0], 1);
});

test("clipGradNorm scales to the max norm and reports the norm before", () => {
  const a = parameter("a", new Float32Array(2), [2]);
  const b = parameter("b", new Float32Array(1), [1]);
  a.grad = Float32Array.from([3, 0]);
  b.grad = Float32Array.from([4]);
  assert.ok(Math.abs(clipGradNorm([a, b], 1) - 5) < 1e-6);
  assert.ok(Math.abs(a.grad[0] - 0.6) < 1e-5 && Math.abs(b.grad[0] - 0.8) < 1e-5);
  assert.ok(Math.abs(clipGradNorm([a, b], 10) - 1) < 1e-5);
  assert.ok(Math.abs(b.grad[0] - 0.8) < 1e-5, "no scaling below the max norm");
});

test("learning-rate schedules: linear warm-up, then constant or cosine from the peak towards the floor", () => {
  const constant = { kind: "constant", lr: 1e-3, warmup: 4, total: 100, minLr: 0 } as const;
  assert.deepEqual([1, 2, 4, 5, 99].map((s) => learningRate(constant, s)), [2.5e-4, 5e-4, 1e-3, 1e-3, 1e-3]);
  const cosine = { kind: "cosine", lr: 1, warmup: 0, total: 4, minLr: 0 } as const;
  const lrs = [1, 2, 3, 4].map((s) => learningRate(cosine, s));
  [1, 0.853553, 0.5, 0.146447].forEach((x, i) => assert.ok(Math.abs(lrs[i] - x) < 1e-6, `step ${i + 1}: ${lrs[i]}`)); // HF's get_cosine_schedule_with_warmup
  assert.equal(learningRate({ ...cosine, minLr: 0.1 }, 50), 0.1, "past the end: the floor");
  assert.ok(Math.abs(learningRate(cosine, 7, 0.5) - 0.5) < 1e-12, "a given position wins over the step count");
});
