import { test } from "node:test";
import assert from "node:assert/strict";
import { backward, tensor, type Tensor } from "../../src/tensor/tensor.ts";
import { add } from "../../src/tensor/elementwise.ts";
import { ALGORITHM_NAMES, getAlgorithm } from "../../src/algorithms/registry.ts";
import { miniBatchTotals } from "../../src/algorithms/common.ts";
import { Rng } from "../../src/util/rng.ts";
import { advantageInput, cfg } from "./helpers.ts";

/** The per-token slices of `arrays` for responses `idx` (in that order), packed again. */
function gather(offsets: Int32Array, idx: number[], arrays: Float32Array[]): { offsets: Int32Array; arrays: Float32Array[] } {
  const out = new Int32Array(idx.length + 1);
  idx.forEach((i, k) => (out[k + 1] = out[k] + offsets[i + 1] - offsets[i]));
  const packed = arrays.map((a) => {
    const p = new Float32Array(out[idx.length]);
    idx.forEach((i, k) => p.set(a.subarray(offsets[i], offsets[i + 1]), out[k]));
    return p;
  });
  return { offsets: out, arrays: packed };
}

test("every registered algorithm runs end to end: advantages, micro-batched loss, backward, finite values", () => {
  const rng = Rng.fromSeed(11);
  const lengths = [3, 2, 4, 1, 2, 3, 2, 2];
  const n = lengths.reduce((a, b) => a + b, 0);
  const randoms = (scale: number, shift = 0) => Array.from({ length: n }, () => shift + scale * rng.normal());
  const input = advantageInput({
    lengths,
    groups: [0, 0, 1, 1, 2, 2, 3, 3],
    scores: [1, -1, -1, 1, 1, 1, -1, -1], // groups 2 and 3 tie: all correct, all wrong
    oldLogp: randoms(0.3, -1.5),
    refLogp: randoms(0.3, -1.5),
    values: randoms(0.5),
  });
  for (const name of ALGORITHM_NAMES) {
    const c = cfg(name === "dpo" ? { name } : { name, kl: { placement: "loss" }, entropy_coef: 0.001 });
    const algo = getAlgorithm(name);
    const adv = algo.advantages(input, c);
    for (const [key, v] of Object.entries(adv.metrics)) assert.ok(Number.isFinite(v), `${name} ${key} = ${v}`);
    const units = adv.units ?? Array.from(adv.keep.keys()).filter((i) => adv.keep[i]).map((i) => [i]);
    assert.ok(units.length > 0, `${name}: nothing to train on`);
    const all = units.flat();
    const mb = gather(input.offsets, all, [input.mask]);
    const totals = miniBatchTotals(mb.arrays[0], mb.offsets);
    // two micro-batches of whole units
    const half = Math.ceil(units.length / 2);
    const micro = [units.slice(0, half).flat(), units.slice(half).flat()].filter((m) => m.length > 0);
    let loss: Tensor | null = null;
    const leaves: Tensor[] = [];
    for (const idx of micro) {
      const g = gather(input.offsets, idx, [input.oldLogp, input.refLogp!, adv.advantages, input.mask, input.values!, adv.returns ?? input.values!]);
      const [oldLogp, refLogp, advantages, mask, oldValues, returns] = g.arrays;
      const logp = tensor(oldLogp.map((v) => v + 0.05 * rng.normal()), [oldLogp.length], true);
      const entropy = tensor(oldLogp.map(() => 1 + rng.normal() * 0.1), [oldLogp.length], true);
      leaves.push(logp);
      const out = algo.policyLoss({ logp, entropy, oldLogp, refLogp, advantages, mask, offsets: g.offsets, totals }, c);
      for (const [key, v] of Object.entries(out.metrics)) assert.ok(Number.isFinite(v), `${name} ${key} = ${v}`);
      let micro = out.loss;
      if (algo.valueLoss) {
        const values = tensor(oldValues.map((v) => v + 0.1 * rng.normal()), [oldValues.length], true);
        leaves.push(values);
        micro = add(micro, algo.valueLoss({ values, oldValues, returns, mask, offsets: g.offsets, totals }, c).loss);
      }
      loss = loss ? add(loss, micro) : micro;
    }
    assert.ok(Number.isFinite(loss!.item()), `${name} loss ${loss!.item()}`);
    backward(loss!);
    const grads = leaves.flatMap((t) => Array.from(t.grad ?? []));
    assert.ok(grads.every(Number.isFinite), `${name}: non-finite gradient`);
    assert.ok(grads.some((g) => g !== 0), `${name}: zero gradient`);
    assert.equal(algo.usesCritic, name === "ppo");
    assert.equal(algo.needsReference(c), name !== "dpo");
  }
});

test("getAlgorithm names the known algorithms when the name is unknown", () => {
  assert.throws(() => getAlgorithm("trpo"), /unknown algorithm "trpo"; known: ppo, grpo, rloo, reinforce_pp, reinforce, reinforce_rej, raft, raftpp, dpo/);
  assert.equal(getAlgorithm("grpo").name, "grpo");
  for (const name of ALGORITHM_NAMES) assert.equal(getAlgorithm(name).name, name);
});
