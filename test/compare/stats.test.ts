/** Figures over seeds and the spread rule behind the findings' verdicts, against hand-computed values. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { band, compareStats, seedStat } from "../../src/compare/stats.ts";
import { formatStat } from "../../src/compare/format.ts";

const close = (x: number | null, y: number) => assert.ok(x !== null && Math.abs(x - y) < 1e-12, `${x} vs ${y}`);

test("seedStat: mean, sample std (n − 1), range; one seed has no std; no seeds is null", () => {
  const s = seedStat([1, 2, 3, 4])!;
  close(s.mean, 2.5);
  close(s.std, Math.sqrt(5 / 3)); // squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, over 3
  assert.deepEqual([s.min, s.max], [1, 4]);
  assert.equal(seedStat([0.7])!.std, null);
  assert.equal(seedStat([]), null);
});

test("compareStats: above / below beyond twice the standard error of the difference, unresolved within", () => {
  const a = seedStat([3, 4, 5])!; // mean 4, std 1
  const b = seedStat([1, 2, 3])!; // mean 2, std 1
  const c = seedStat([2, 3, 4])!; // mean 3, std 1
  const margin = 2 * Math.sqrt(1 / 3 + 1 / 3); // 1.633
  const ab = compareStats(a, b);
  assert.equal(ab.order, "above");
  close(ab.difference, 2);
  close(ab.margin, margin);
  assert.equal(compareStats(b, a).order, "below");
  assert.equal(compareStats(a, c).order, "unresolved"); // 1 < 1.633
  assert.equal(compareStats(seedStat([1, 1])!, seedStat([1, 1])!).order, "below", "level with no spread: not ahead");
  assert.equal(compareStats(seedStat([0.9])!, seedStat([0.1])!).order, "unresolved", "one seed: no spread to judge by");
  assert.equal(compareStats(seedStat([0.9])!, seedStat([0.1])!).margin, null);
});

test("band: element-wise mean, min and max over seeds", () => {
  assert.deepEqual(band([[1, 4], [3, 2]]), { mean: [2, 3], min: [1, 2], max: [3, 4] });
});

test("formatStat: percentage points or three significant digits, ± the sample std", () => {
  assert.equal(formatStat(seedStat([0.4, 0.5]), "percent"), "45.0 ± 7.1");
  assert.equal(formatStat(seedStat([0.0123, 0.0125]), "number"), "0.0124 ± 0.0001");
  assert.equal(formatStat(seedStat([312.4]), "number"), "312");
  assert.equal(formatStat(null, "number"), "–");
});
