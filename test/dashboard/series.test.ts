/** The page's chart arithmetic (src/dashboard/page/series.js, a browser module with no DOM). */
import { test } from "node:test";
import assert from "node:assert/strict";

const series = await import(new URL("../../src/dashboard/page/series.js", import.meta.url).href);

const close = (actual: (number | null)[], expected: (number | null)[]) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => (expected[i] === null ? assert.equal(a, null) : assert.ok(Math.abs(a! - expected[i]!) < 1e-12, `${i}: ${a} vs ${expected[i]}`)));
};

test("ema is TensorBoard's debiased moving average, skipping nulls", () => {
  // w = 0.5 over [1, 2, null, 4]: s = 0.5, 1.25, -, 2.625; debias by 0.5, 0.75, -, 0.875.
  close(series.ema([1, 2, null, 4], 0.5), [1, 1.25 / 0.75, null, 2.625 / 0.875]);
  close(series.ema([3, -1, 7], 0), [3, -1, 7]);
  close(series.ema([5, 5, 5], 0.9), [5, 5, 5]);
});

test("toColumns orders records by step and keeps only finite numbers, null where a step lacks a key", () => {
  const { steps, columns } = series.toColumns([
    { step: 2, time: 10, "a/x": 2, note: "text" },
    { step: 1, time: 9, "a/x": 1, "val-core/b/acc/mean@4": 0.5 },
    { step: 3, "a/x": null },
  ]);
  assert.deepEqual(steps, [1, 2, 3]);
  assert.deepEqual([...columns.keys()].sort(), ["a/x", "val-core/b/acc/mean@4"]);
  assert.deepEqual(columns.get("a/x"), [1, 2, null]);
  assert.deepEqual(columns.get("val-core/b/acc/mean@4"), [0.5, null, null]);
});

test("sectionsFor puts known keys in their sections and the rest under their prefix", () => {
  const sections = series.sectionsFor(["critic/vf_loss", "critic/score/mean", "val-core/math/acc/mean@4", "val-core/arith/acc/mean@4", "critic/values/mean", "zeta", "perf/throughput", "custom/thing"]);
  assert.deepEqual(sections, [
    { title: "Reward and accuracy", keys: ["critic/score/mean"] },
    { title: "Evaluation accuracy", keys: ["val-core/arith/acc/mean@4", "val-core/math/acc/mean@4"] },
    { title: "Value loss and explained variance", keys: ["critic/vf_loss"] },
    { title: "Throughput and timing", keys: ["perf/throughput"] },
    { title: "critic/", keys: ["critic/values/mean"] },
    { title: "custom/", keys: ["custom/thing"] },
    { title: "other", keys: ["zeta"] },
  ]);
});

test("chartData aligns runs on the union of their steps and folds a group into mean, min and max", () => {
  const runs = [
    { label: "c/runs/ppo-seed0", group: "c · ppo", color: "#111111", steps: [1, 2, 3], values: [1, 2, 3] },
    { label: "c/runs/ppo-seed1", group: "c · ppo", color: "#111111", steps: [1, 2], values: [3, -2] },
    { label: "grpo", group: "grpo", color: "#222222", steps: [2, 4], values: [5, null] },
  ];
  const grouped = series.chartData(runs, { groupSeeds: true, log: false });
  assert.deepEqual(grouped.x, [1, 2, 3, 4]);
  assert.deepEqual(grouped.lines.map((l: { label: string; runs: number }) => [l.label, l.runs]), [["c · ppo", 2], ["grpo", 1]]);
  assert.deepEqual(grouped.lines[0].values, [2, 0, 3, null]);
  assert.deepEqual(grouped.lines[1].values, [null, 5, null, null]);
  assert.deepEqual(grouped.bands, [{ line: 0, lo: [1, -2, 3, null], hi: [3, 2, 3, null] }]);

  const separate = series.chartData(runs, { groupSeeds: false, log: true });
  assert.equal(separate.lines.length, 3);
  assert.deepEqual(separate.bands, []);
  assert.deepEqual(separate.lines[1].values, [3, null, null, null], "log scale: values <= 0 are not drawn");
  assert.equal(series.countPoints(separate.lines[0].values), 3);
});
