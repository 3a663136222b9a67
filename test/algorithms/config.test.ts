import { test } from "node:test";
import assert from "node:assert/strict";
import { AlgorithmConfigSchema, parseAlgorithmConfig } from "../../src/algorithms/config.ts";
import { UserInputError } from "../../src/errors.ts";

test("defaults: the Open-Reasoner-Zero recipe", () => {
  const c = parseAlgorithmConfig(undefined);
  assert.equal(c.name, "ppo");
  assert.deepEqual([c.clip_ratio_low, c.clip_ratio_high, c.clip_ratio_c], [0.2, 0.2, null]);
  assert.deepEqual([c.gamma, c.lambda, c.value_clip, c.normalize_advantages], [1, 1, 0.2, true]);
  assert.deepEqual(c.kl, { placement: "none", estimator: "k3", coef: 0.001 });
  assert.equal(c.loss_agg_mode, "token-mean");
  assert.equal(c.loss_agg_length, undefined);
  assert.deepEqual(c.dynamic_sampling, { enabled: false, max_rounds: 10 });
  assert.deepEqual(c.overlong, { enabled: false, factor: 1 });
  assert.equal(c.mask_truncated, false);
});

test("every key is described (docs/CONFIG.md is generated from the descriptions)", () => {
  for (const [key, schema] of Object.entries(AlgorithmConfigSchema.shape)) {
    assert.ok(schema.description, `algorithm.${key} has no description`);
  }
});

test("unknown keys, nested or not, are errors naming them", () => {
  assert.throws(() => parseAlgorithmConfig({ clip_ratio: 0.2 }), (e: Error) => e instanceof UserInputError && /algorithm: unknown key\(s\) clip_ratio/.test(e.message));
  assert.throws(() => parseAlgorithmConfig({ kl: { type: "k3" } }), /algorithm\.kl: unknown key\(s\) type/);
  assert.throws(() => parseAlgorithmConfig({ name: "trpo" }), /algorithm\.name/);
});

test("bad values and combinations are errors naming the key", () => {
  assert.throws(() => parseAlgorithmConfig({ clip_ratio_c: 1 }), /algorithm\.clip_ratio_c/);
  assert.throws(() => parseAlgorithmConfig({ clip_ratio_low: 1 }), /algorithm\.clip_ratio_low/);
  assert.throws(() => parseAlgorithmConfig({ name: "dpo", kl: { placement: "loss" } }), /algorithm\.kl\.placement: dpo has no KL term/);
  assert.throws(() => parseAlgorithmConfig({ name: "dpo", entropy_coef: 0.001 }), /algorithm\.entropy_coef/);
  assert.throws(() => parseAlgorithmConfig({ name: "raft", kl: { placement: "reward" } }), /algorithm\.kl\.placement: raft selects/);
  assert.throws(() => parseAlgorithmConfig({ name: "raft", ratio_level: "sequence" }), /algorithm\.ratio_level: raft has no importance ratio/);
  assert.throws(() => parseAlgorithmConfig({ ratio_level: "sequence", clip_ratio_c: 3 }), /algorithm\.clip_ratio_c: GSPO/);
  assert.throws(() => parseAlgorithmConfig({ overlong: { enabled: true } }), /algorithm\.overlong\.cache_length: required/);
  assert.equal(parseAlgorithmConfig({ overlong: { enabled: true, cache_length: 256 } }).overlong.cache_length, 256);
});
