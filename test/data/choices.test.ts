/** Multiple choice: the seeded per-item permutation, the letter mapping, the rendering. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { choiceList, choicePermutation, renderChoices, shuffleChoices } from "../../src/data/choices.ts";

test("the permutation is seeded per (seed, row), a permutation, and spread evenly", () => {
  assert.deepEqual(choicePermutation(4, 0, 7), choicePermutation(4, 0, 7));
  const perms = Array.from({ length: 4000 }, (_, row) => choicePermutation(4, 3, row));
  for (const p of perms) assert.deepEqual([...p].sort(), [0, 1, 2, 3]);
  assert.ok(new Set(perms.map((p) => p.join())).size === 24, "all 24 orders occur");
  // Where the first choice lands: 1000 expected per position; 5 sigma is about ±137.
  for (let pos = 0; pos < 4; pos++) {
    const count = perms.filter((p) => p[pos] === 0).length;
    assert.ok(Math.abs(count - 1000) < 137, `position ${pos}: ${count}`);
  }
  assert.notDeepEqual(perms.slice(0, 20), Array.from({ length: 20 }, (_, row) => choicePermutation(4, 4, row)), "another seed, other orders");
});

test("the letter follows the correct choice; choices are written once under the stem", () => {
  const choices = ["red", "green", "blue", "gold"];
  const stem = "Which is a metal?" + renderChoices(choices);
  assert.equal(stem, "Which is a metal?\n\nA. red\nB. green\nC. blue\nD. gold");
  for (let row = 0; row < 50; row++) {
    const r = shuffleChoices(stem, choices, "D", 11, row);
    assert.ok(typeof r !== "string");
    assert.equal(r.choices["ABCD".indexOf(r.answer)], "gold");
    assert.equal(r.question, "Which is a metal?" + renderChoices(r.choices));
    const perm = choicePermutation(4, 11, row);
    assert.deepEqual(r.choices, perm.map((i) => choices[i]));
  }
  const kept = shuffleChoices("Bare stem?", choices, "b", null, 0);
  assert.deepEqual(kept, { question: "Bare stem?\n\nA. red\nB. green\nC. blue\nD. gold", choices, answer: "B" });
  assert.match(shuffleChoices("x", choices, "E", 0, 0) as string, /not one of the letters A, B, C, D/);
});

test("choices come from a list or an object keyed by letter", () => {
  assert.deepEqual(choiceList({ B: "y", A: "x" }), ["x", "y"]);
  assert.deepEqual(choiceList(["x", 2]), ["x", "2"]);
  assert.equal(choiceList({ first: "x" }), null);
  assert.equal(choiceList("x"), null);
});
