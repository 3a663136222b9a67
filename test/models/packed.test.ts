/**
 * Packed sequences (responses of different lengths end to end, no padding) against the padded
 * path on the same tokens: the same log-probs, entropies and critic values, and the same
 * gradient for every parameter.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadModel } from "../../src/models/load.ts";
import type { CausalLM } from "../../src/models/transformer.ts";
import { backward, noGrad, zeroGrad, type Tensor } from "../../src/tensor/tensor.ts";
import { add, weightedSum } from "../../src/tensor/elementwise.ts";
import { Rng } from "../../src/util/rng.ts";

const fixtures = fileURLToPath(new URL("../fixtures/models/", import.meta.url));
const lengths = [7, 3, 12, 1, 9, 12];

/** The same sequences packed and right-padded, with matching prediction rows in each. */
function batches(V: number) {
  const rng = Rng.fromSeed(5);
  const seqs = lengths.map((n) => Array.from({ length: n }, () => rng.int(V)));
  const T = Math.max(...lengths), B = seqs.length;
  const offsets = new Int32Array(B + 1);
  seqs.forEach((s, b) => (offsets[b + 1] = offsets[b] + s.length));
  const packed = Int32Array.from(seqs.flat());
  const padded = new Int32Array(B * T); // padding token 0
  seqs.forEach((s, b) => padded.set(s, b * T));
  const packedRows: number[] = [], paddedRows: number[] = [];
  seqs.forEach((s, b) => {
    for (let t = 0; t + 1 < s.length; t++) {
      packedRows.push(offsets[b] + t);
      paddedRows.push(b * T + t);
    }
  });
  const weights = Float32Array.from(packedRows, () => rng.normal());
  return { offsets, packed, padded, B, T, packedRows: Int32Array.from(packedRows), paddedRows: Int32Array.from(paddedRows), weights };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Every parameter's gradient of loss(model), as copies. */
function gradients(model: CausalLM, loss: () => Tensor): Map<string, Float32Array> {
  zeroGrad(model.parameters());
  backward(loss());
  const out = new Map<string, Float32Array>();
  for (const [name, p] of model.params) out.set(name, (p.grad ?? new Float32Array(p.size)).slice());
  return out;
}

function assertSameGradients(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  for (const [name, g] of a) {
    const scale = Math.max(1e-8, ...Array.from(g, Math.abs));
    const err = maxAbsDiff(g, b.get(name)!);
    assert.ok(err <= 1e-5 * scale, `${name}: packed vs padded gradient differs by ${err} (largest entry ${scale})`);
  }
}

for (const name of ["tiny-qwen2", "tiny-llama"]) {
  test(`${name}: packed and padded batches give the same log-probs, entropies and gradients`, () => {
    const model = loadModel(`${fixtures}${name}`);
    const b = batches(model.config.vocabSize);
    const packed = () => model.tokenLogprobsPacked(b.packed, b.offsets, b.packedRows);
    const padded = () => model.tokenLogprobs(b.padded, b.B, b.T, b.paddedRows);
    const p = noGrad(packed), q = noGrad(padded);
    assert.ok(maxAbsDiff(p.logp.data, q.logp.data) < 1e-5, "log-probs");
    assert.ok(maxAbsDiff(p.entropy.data, q.entropy.data) < 1e-5, "entropies");
    // A loss with an entropy term, so both of the LM head's backward paths are compared.
    const loss = (r: { logp: Tensor; entropy: Tensor }) => add(weightedSum(r.logp, b.weights), weightedSum(r.entropy, b.weights.map((w) => 0.1 * w)));
    assertSameGradients(gradients(model, () => loss(packed())), gradients(model, () => loss(padded())));
  });
}

test("critic values of packed sequences equal the padded batch's, and so do their gradients", () => {
  const critic = loadModel(`${fixtures}tiny-qwen2`, { valueHead: true, seed: 2 });
  const b = batches(critic.config.vocabSize);
  const packed = () => critic.valuesPacked(b.packed, b.offsets, b.packedRows);
  const padded = () => critic.values(b.padded, b.B, b.T, b.paddedRows);
  assert.ok(maxAbsDiff(noGrad(packed).data, noGrad(padded).data) < 1e-5);
  assertSameGradients(gradients(critic, () => weightedSum(packed(), b.weights)), gradients(critic, () => weightedSum(padded(), b.weights)));
});

test("packed rows must have a next token in their own sequence; offsets must cover the ids", () => {
  const model = loadModel(`${fixtures}tiny-qwen2`);
  const ids = Int32Array.from([1, 2, 3, 4, 5]), offsets = Int32Array.from([0, 2, 2, 5]);
  assert.doesNotThrow(() => noGrad(() => model.tokenLogprobsPacked(ids, offsets, Int32Array.from([0, 2, 3]))));
  assert.throws(() => model.tokenLogprobsPacked(ids, offsets, Int32Array.from([1])), /row 1 is the last token of sequence 0/);
  assert.throws(() => model.tokenLogprobsPacked(ids, offsets, Int32Array.from([4])), /row 4 is the last token of sequence 2/);
  assert.throws(() => model.hiddenPacked(ids, Int32Array.from([0, 4])), /offsets must run from 0 to the number of tokens \(5\)/);
  assert.throws(() => model.hiddenPacked(ids, Int32Array.from([0, 3, 2, 5])), /non-decreasing/);
});
