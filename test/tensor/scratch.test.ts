// Scratch buffers: pooled inside a scope, reused after it, fresh outside; and the training and
// scoring passes that run in scopes give exactly what they give without the pool, with released
// buffers poisoned (NaN) so that a read after a scope would show.
import { test } from "node:test";
import assert from "node:assert/strict";
import { poisonScratch, releaseScratch, scratch, withScratch } from "../../src/tensor/scratch.ts";
import { backward, noGrad, parameter, zeroGrad } from "../../src/tensor/tensor.ts";
import { linear } from "../../src/tensor/nn.ts";
import { mean, neg, sum } from "../../src/tensor/elementwise.ts";
import { randomModel } from "../../src/models/load.ts";
import { presetConfig } from "../../src/models/presets.ts";
import { scoreResponses } from "../../src/trainer/forward.ts";

test("inside a scope buffers are distinct; after it they are handed out again; outside, never", () => {
  releaseScratch();
  const [a, b] = withScratch(() => [scratch(1000).buffer, scratch(1000).buffer]);
  assert.notEqual(a, b);
  const again = withScratch(() => [scratch(1000).buffer, scratch(990).buffer, scratch(1000).buffer]);
  assert.ok(again[0] === b && again[1] === a, "the free buffers of the same size class come back, last in first out");
  assert.ok(again[2] !== a && again[2] !== b);
  // A request may take a free buffer up to two size classes larger, not more.
  releaseScratch();
  const big = withScratch(() => scratch(1200).buffer);
  assert.equal(withScratch(() => scratch(1000).buffer), big);
  const huge = withScratch(() => scratch(4000).buffer);
  assert.notEqual(withScratch(() => scratch(1000).buffer), huge);
  assert.notEqual(scratch(1000).buffer, scratch(1000).buffer);
  assert.equal(scratch(7).length, 7);
  assert.equal(withScratch(() => scratch(7).length), 7);
});

test("a nested scope returns only its own buffers", () => {
  releaseScratch();
  withScratch(() => {
    const outer = scratch(64).fill(1);
    withScratch(() => scratch(64).fill(2));
    assert.notEqual(withScratch(() => scratch(64).buffer), outer.buffer);
    assert.ok(outer.every((x) => x === 1));
  });
});

test("training steps and scoring in scopes equal those without the pool, bit for bit", () => {
  poisonScratch(true);
  try {
    const model = randomModel(presetConfig("mini"), 3);
    const T = 12, B = 3;
    const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % model.config.vocabSize);
    const rows = Int32Array.from({ length: B * (T - 1) }, (_, i) => Math.floor(i / (T - 1)) * T + (i % (T - 1)));
    const gradsOf = (pooled: boolean): Float32Array[] => {
      const step = () => backward(neg(mean(model.tokenLogprobs(ids, B, T, rows).logp)));
      if (pooled) withScratch(step);
      else step();
      const grads = model.parameters().map((p) => p.grad!.slice());
      zeroGrad(model.parameters());
      return grads;
    };
    const plain = gradsOf(false);
    for (let round = 0; round < 2; round++) { // the second round runs on reused (poisoned) buffers
      gradsOf(true).forEach((g, i) => assert.deepEqual(g, plain[i], `${model.parameters()[i].name}, round ${round}`));
    }
    const seqs = [0, 1, 2].map((b) => ({ ids: ids.slice(b * T, b * T + T - b), promptLength: 4 }));
    const scored = scoreResponses(model, seqs, 1, 16); // micro-batches of at most 16 tokens: three scopes
    const alone = seqs.map((s) => noGrad(() => model.tokenLogprobs(s.ids, 1, s.ids.length,
      Int32Array.from({ length: s.ids.length - s.promptLength }, (_, k) => s.promptLength - 1 + k)).logp.data));
    assert.deepEqual(scored.logp, Float32Array.from(alone.flatMap((a) => [...a])));
  } finally {
    poisonScratch(false);
  }
});

test("a parameter's gradient outlives the scope it was computed in, also where linear writes it directly", () => {
  poisonScratch(true);
  try {
    const X = parameter("x", Float32Array.from({ length: 12 }, (_, i) => i / 10), [3, 4]);
    const W = parameter("w", Float32Array.from({ length: 8 }, (_, i) => i - 3), [2, 4]);
    withScratch(() => backward(sum(linear(X, W))));
    // d sum(X W^T) / dX[n, k] = W[0, k] + W[1, k]; / dW[o, k] = sum_n X[n, k] = (12 + 3k) / 10
    assert.deepEqual([...X.grad!], [-2, 0, 2, 4, -2, 0, 2, 4, -2, 0, 2, 4]);
    [...W.grad!].forEach((g, i) => assert.ok(Math.abs(g - (12 + 3 * (i % 4)) / 10) < 1e-6, `dW[${i}] = ${g}`));
  } finally {
    poisonScratch(false);
  }
});
