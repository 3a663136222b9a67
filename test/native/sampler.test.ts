// Sampler: greedy, top-k = 1, determinism under fixed uniforms, logp under the unfiltered
// tempered softmax, top-k and top-p sets on hand-made distributions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { native } from "../../src/native/index.ts";
import { assertClose, randn, rng } from "./helpers.ts";

function sample(logits: Float32Array, B: number, V: number, temperature: number, topK: number, topP: number,
  uniforms: number[]) {
  const ids = new Int32Array(B), logp = new Float32Array(B);
  native.sample(logits, B, V, temperature, topK, topP, new Float32Array(uniforms), ids, logp);
  return { ids: [...ids], logp: [...logp] };
}

/** float64 log-softmax of row b of logits / temperature, at id. */
function logSoftmaxAt(logits: Float32Array, V: number, b: number, temperature: number, id: number): number {
  const z = Array.from(logits.subarray(b * V, (b + 1) * V), (x) => x / temperature);
  const m = z.reduce((a, x) => Math.max(a, x), -Infinity);
  return z[id] - m - Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
}

test("greedy = argmax (lowest id on ties), logp under softmax(logits); top-k = 1 = greedy", () => {
  const rand = rng(12);
  const B = 4, V = 5000;
  const logits = randn(rand, B * V, 3);
  logits[2 * V + 17] = 50; // a tie in row 2: id 17 must win over id 4000
  logits[2 * V + 4000] = 50;
  const greedy = sample(logits, B, V, 0, 0, 1, [0.5, 0.5, 0.5, 0.5]);
  for (let b = 0; b < B; b++) {
    const row = logits.subarray(b * V, (b + 1) * V);
    assert.equal(greedy.ids[b], row.indexOf(row.reduce((a, x) => Math.max(a, x), -Infinity)), `row ${b} argmax`);
    assert.ok(Math.abs(greedy.logp[b] - logSoftmaxAt(logits, V, b, 1, greedy.ids[b])) < 1e-5);
  }
  assert.equal(greedy.ids[2], 17);
  const top1 = sample(logits, B, V, 0.8, 1, 1, [0.1, 0.5, 0.9, 0.999]);
  assert.deepEqual(top1.ids, greedy.ids);
  for (let b = 0; b < B; b++) {
    assert.ok(Math.abs(top1.logp[b] - logSoftmaxAt(logits, V, b, 0.8, top1.ids[b])) < 1e-4, "logp before filtering");
  }
});

test("fixed uniforms give fixed samples; the inverse-CDF draw follows the probabilities", () => {
  const rand = rng(13);
  const B = 3, V = 151936;
  const logits = randn(rand, B * V, 2);
  const a = sample(logits, B, V, 1, 0, 1, [0.1, 0.5, 0.9]), b = sample(logits, B, V, 1, 0, 1, [0.1, 0.5, 0.9]);
  assert.deepEqual(a, b);
  for (let r = 0; r < B; r++) {
    assert.ok(Math.abs(a.logp[r] - logSoftmaxAt(logits, V, r, 1, a.ids[r])) < 1e-4, `row ${r} logp`);
  }
  // Probabilities [0.1, 0.2, 0.3, 0.4] in id order: u picks the id whose cumulative interval holds it.
  const p = [0.1, 0.2, 0.3, 0.4], small = new Float32Array(p.map(Math.log));
  const picks = [0.05, 0.15, 0.45, 0.65].map((u) => sample(small, 1, 4, 1, 0, 1, [u]).ids[0]);
  assert.deepEqual(picks, [0, 1, 2, 3]);
  assertClose(sample(small, 1, 4, 1, 0, 1, [0.45]).logp, [Math.log(0.3)], 1e-6, 1e-5, "logp");
});

test("top-k keeps the k most likely; top-p keeps the smallest set reaching p", () => {
  // Probabilities in id order [0.05, 0.4, 0.1, 0.3, 0.15]: sorted ids 1 (0.4), 3 (0.3), 4 (0.15), 2 (0.1), 0 (0.05).
  const p = [0.05, 0.4, 0.1, 0.3, 0.15], logits = new Float32Array(p.map(Math.log));
  const us = Array.from({ length: 99 }, (_, i) => (i + 0.5) / 99);
  const support = (topK: number, topP: number) =>
    new Set(us.map((u) => sample(logits, 1, 5, 1, topK, topP, [u]).ids[0]));
  assert.deepEqual([...support(2, 1)].sort(), [1, 3]);
  assert.deepEqual([...support(0, 0.65)].sort(), [1, 3]); // 0.4 + 0.3 = 0.7 >= 0.65
  assert.deepEqual([...support(0, 0.75)].sort(), [1, 3, 4]); // 0.85 >= 0.75
  assert.deepEqual([...support(0, 0.3)].sort(), [1]);
  assert.deepEqual([...support(3, 0.8)].sort(), [1, 3]); // within top-3 (mass 0.85): 0.4/0.85 + 0.3/0.85 >= 0.8
  assert.deepEqual([...support(0, 1)].sort(), [0, 1, 2, 3, 4]);
  // Within the kept set, the draw follows the renormalised probabilities: top-k = 2 splits 4:3.
  const ones = us.filter((u) => sample(logits, 1, 5, 1, 2, 1, [u]).ids[0] === 1).length;
  assert.ok(Math.abs(ones / us.length - 0.4 / 0.7) < 0.02);
  // logp stays the unfiltered log-probability.
  assertClose(sample(logits, 1, 5, 1, 2, 0.5, [0.3]).logp, [Math.log(0.4)], 1e-6, 1e-5, "logp unfiltered");
});

test("top-p on a large peaked vocabulary equals the sorted reference set", () => {
  const rand = rng(14);
  const V = 151936, logits = randn(rand, V, 4), topP = 0.9;
  const order = [...logits.keys()].sort((a, b) => logits[b] - logits[a]);
  const m = logits[order[0]], e = order.map((i) => Math.exp(logits[i] - m)), total = e.reduce((a, x) => a + x, 0);
  const keep = new Set<number>();
  for (let acc = 0, n = 0; acc < topP * total; n++) (acc += e[n], keep.add(order[n]));
  for (const u of [0, 0.3, 0.6, 0.999]) {
    const id = sample(logits, 1, V, 1, 0, topP, [u]).ids[0];
    assert.ok(keep.has(id), `u=${u}: id ${id} outside the top-p set of ${keep.size}`);
  }
  const last = sample(logits, 1, V, 1, 0, topP, [0.99999]).ids[0];
  assert.equal(last, order[keep.size - 1], "u -> 1 draws the least likely kept token");
});
