/** Curation's filters: references the verifier cannot use, duplicates, the pass-rate band. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { bandFilter, defaultBand, prefilter, responseGiving } from "../../src/data/curate.ts";
import type { PromptItem } from "../../src/data/types.ts";
import { VerifierPool } from "../../src/rewards/pool.ts";

const pools = { orz: new VerifierPool({ size: 1, config: { format: "orz" } }), boxed: new VerifierPool({ size: 1, config: { format: "boxed" } }) };
after(async () => {
  await pools.orz.close();
  await pools.boxed.close();
});

test("prefilter drops references that do not grade against themselves, then duplicates", async () => {
  const items: PromptItem[] = [
    { id: "a", question: "One?", answer: "\\frac{1}{2}" },
    { id: "b", question: "Two?", answer: "\\frac{1" },
    { id: "c", question: "Three?", answer: { numbers: [1, 2], target: 3 } },
    { id: "d", question: "one?", answer: "0.5" },
    { id: "e", question: "Four?", answer: "x".repeat(3000) },
    { id: "f", question: "Five?", answer: "(1, 2]" },
  ];
  for (const pool of [pools.orz, pools.boxed]) {
    const r = await prefilter(items, pool);
    assert.deepEqual(r.items.map((i) => i.id), ["a", "f"]);
    assert.deepEqual(r.unparseable.map((u) => [u.id, u.reason]), [["b", "no_answer"], ["c", "not_text"], ["e", "too_large"]]);
    assert.deepEqual(r.duplicates, [{ id: "d", duplicateOf: "a", exact: false }]);
  }
  assert.equal(responseGiving("7", "orz"), "<answer> \\boxed{7} </answer>");
});

test("the band keeps c/k in [min, max]; the histogram counts c; short items are unscored", () => {
  const items: PromptItem[] = ["p0", "p1", "p2", "p3", "short"].map((id) => ({ id, question: id, answer: "1" }));
  const graded = [
    ...[false, false, false, false].map((correct) => ({ id: "p0", correct })),
    ...[true, false, false, false].map((correct) => ({ id: "p1", correct })),
    ...[true, true, true, false].map((correct) => ({ id: "p2", correct })),
    ...[true, true, true, true].map((correct) => ({ id: "p3", correct })),
    { id: "short", correct: true },
  ];
  const r = bandFilter(items, graded, 4, defaultBand(4));
  assert.deepEqual(r.histogram, [1, 1, 0, 1, 1]);
  assert.deepEqual(r.kept.map((i) => [i.id, i.pass_rate]), [["p1", 0.25], ["p2", 0.75]]);
  assert.deepEqual(r.dropped, [{ id: "p0", correct: 0 }, { id: "p3", correct: 4 }]);
  assert.deepEqual(r.unscored, ["short"]);
  const hard = bandFilter(items, graded, 4, { min: 0, max: 0.25 });
  assert.deepEqual(hard.kept.map((i) => i.id), ["p0", "p1"]);
  // 1/3 and 2/3 are not exact in binary: the default band of k = 3 still keeps them.
  const three = bandFilter(items.slice(0, 2), graded.filter((g) => g.id === "p1").slice(0, 3).concat([{ id: "p0", correct: true }, { id: "p0", correct: true }, { id: "p0", correct: false }]), 3, defaultBand(3));
  assert.deepEqual(three.kept.map((i) => i.id), ["p0", "p1"]);
});
