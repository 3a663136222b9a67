import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/util/rng.ts";

const draws = (r: Rng, n = 8): number[] => Array.from({ length: n }, () => r.nextUint32());

test("Rng.derive: the same keys give the same stream, any different key another one", () => {
  assert.deepEqual(draws(Rng.derive(42, 3, 7, 1)), draws(Rng.derive(42, 3, 7, 1)));
  const variants = [[42, 3, 7, 2], [42, 3, 8, 1], [42, 4, 7, 1], [43, 3, 7, 1], [42, 3, 7], [42, 3, 7, 1, 0], [42, 3, 7, 1 + 2 ** 32]];
  for (const keys of variants) assert.notDeepEqual(draws(Rng.derive(...keys)), draws(Rng.derive(42, 3, 7, 1)), `keys ${keys}`);
  assert.throws(() => Rng.derive(0.5), /safe integer/);
});

test("Rng: derived streams are uniform and uncorrelated across neighbouring keys", () => {
  // Mean of 20,000 uniforms drawn one from each of 20,000 neighbouring streams: 0.5 within 5 sigma.
  const n = 20000;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Rng.derive(1, 0, i, 0).uniform();
  assert.ok(Math.abs(sum / n - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${sum / n}`);
});

test("Rng: a state restored from state() continues the same sequence", () => {
  const a = Rng.fromSeed(9);
  draws(a, 5);
  const b = Rng.fromState(a.state());
  assert.deepEqual(draws(a), draws(b));
});
