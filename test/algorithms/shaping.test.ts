import { test } from "node:test";
import assert from "node:assert/strict";
import { informativeGroups, maskTruncated, overlongPenalty } from "../../src/algorithms/shaping.ts";
import { offsetsOf } from "./helpers.ts";

test("overlong shaping: 0 before the soft zone, a linear ramp inside it, −factor beyond the limit", () => {
  // L_max 100, L_cache 20: the zone is (80, 100]
  assert.equal(overlongPenalty(70, 100, 20, 1), 0);
  assert.equal(overlongPenalty(80, 100, 20, 1), 0);
  assert.equal(overlongPenalty(90, 100, 20, 1), -0.5);
  assert.equal(overlongPenalty(100, 100, 20, 1), -1);
  assert.equal(overlongPenalty(120, 100, 20, 1), -1);
  assert.equal(overlongPenalty(90, 100, 20, 0.5), -0.25);
  assert.throws(() => overlongPenalty(90, 100, 0, 1), /cache length 0 must be in \(0, 100\]/);
  assert.throws(() => overlongPenalty(90, 100, 200, 1), /cache length 200/);
});

test("informative groups: those whose values are not all equal, in order of first appearance", () => {
  // group 0 mixed, group 1 all 1, group 2 alone, group 3 all 0.5
  assert.deepEqual(informativeGroups(Int32Array.of(0, 0, 1, 1, 2, 3, 3), [1, 0, 1, 1, 1, 0.5, 0.5]), [0]);
  assert.deepEqual(informativeGroups(Int32Array.of(5, 2, 5, 2), [1, 0, 1, 1]), [2]);
});

test("maskTruncated zeroes every token of a truncated response and leaves the input alone", () => {
  const mask = Float32Array.of(1, 1, 1, 0, 1);
  const out = maskTruncated(mask, offsetsOf([2, 3]), Uint8Array.of(0, 1));
  assert.deepEqual(Array.from(out), [1, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(mask), [1, 1, 1, 0, 1]);
});
