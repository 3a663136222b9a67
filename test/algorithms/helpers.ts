/** Small builders and approximate comparisons for the algorithm tests. */
import assert from "node:assert/strict";
import { tensor } from "../../src/tensor/tensor.ts";
import { parseAlgorithmConfig, type AlgorithmConfig } from "../../src/algorithms/config.ts";
import type { AdvantageInput, LossInput } from "../../src/algorithms/types.ts";

export function close(actual: number, expected: number, tol = 1e-5, what = ""): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what} ${actual} != ${expected}`);
}

export function closeArray(actual: ArrayLike<number>, expected: number[], tol = 1e-5, what = ""): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  expected.forEach((e, i) => close(actual[i], e, tol, `${what}[${i}]`));
}

/** [S+1] offsets of responses with these token counts. */
export function offsetsOf(lengths: number[]): Int32Array {
  const o = new Int32Array(lengths.length + 1);
  lengths.forEach((n, i) => (o[i + 1] = o[i] + n));
  return o;
}

export const cfg = (overrides: Record<string, unknown> = {}): AlgorithmConfig => parseAlgorithmConfig(overrides);

/** An AdvantageInput from response lengths and per-response fields; per-token fields default to 0 and mask 1. */
export function advantageInput(p: { lengths: number[]; groups: number[]; scores: number[]; correct?: number[]; mask?: number[];
  oldLogp?: number[]; refLogp?: number[]; values?: number[] }): AdvantageInput {
  const n = p.lengths.reduce((a, b) => a + b, 0);
  return {
    offsets: offsetsOf(p.lengths),
    groups: Int32Array.from(p.groups),
    scores: Float32Array.from(p.scores),
    correct: Uint8Array.from(p.correct ?? p.scores.map((s) => Number(s > 0))),
    mask: p.mask ? Float32Array.from(p.mask) : new Float32Array(n).fill(1),
    oldLogp: p.oldLogp ? Float32Array.from(p.oldLogp) : new Float32Array(n),
    refLogp: p.refLogp && Float32Array.from(p.refLogp),
    values: p.values && Float32Array.from(p.values),
  };
}

/** A LossInput whose log-probs and entropies are leaves that require a gradient. */
export function lossInput(p: { lengths: number[]; logp: number[]; oldLogp?: number[]; advantages?: number[]; mask?: number[];
  entropy?: number[]; refLogp?: number[]; totals?: { tokens: number; sequences: number } }): LossInput {
  const n = p.logp.length;
  const mask = p.mask ? Float32Array.from(p.mask) : new Float32Array(n).fill(1);
  return {
    logp: tensor(Float32Array.from(p.logp), [n], true),
    entropy: tensor(p.entropy ? Float32Array.from(p.entropy) : new Float32Array(n), [n], true),
    oldLogp: Float32Array.from(p.oldLogp ?? p.logp),
    refLogp: p.refLogp && Float32Array.from(p.refLogp),
    advantages: p.advantages ? Float32Array.from(p.advantages) : new Float32Array(n),
    mask,
    offsets: offsetsOf(p.lengths),
    totals: p.totals ?? { tokens: mask.reduce((a, b) => a + b, 0), sequences: p.lengths.length },
  };
}
