/** The data order: a shuffle of all sources, a curriculum of the sources in turn, or the file order; resumable from its state. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DataOrder } from "../../src/pretrain/data-order.ts";

test("curriculum: each source in its own random order, one after another, then the next epoch starts over", () => {
  const order = new DataOrder([5, 3], 7, "curriculum");
  const epoch = order.next(8);
  assert.deepEqual([...epoch.slice(0, 5)].sort(), [0, 1, 2, 3, 4], "the first source's examples first");
  assert.deepEqual([...epoch.slice(5)].sort(), [5, 6, 7]);
  assert.notDeepEqual(epoch.slice(0, 5), [0, 1, 2, 3, 4], "shuffled within the source");
  const next = order.next(8);
  assert.deepEqual([...next.slice(0, 5)].sort(), [0, 1, 2, 3, 4]);
  assert.notDeepEqual(next, epoch, "another permutation each epoch");
});

test("shuffle mixes the sources; none keeps the order; the state resumes the exact sequence", () => {
  const mixed = new DataOrder([5, 5], 7, "shuffle").next(10);
  assert.deepEqual([...mixed].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(mixed.slice(0, 5).some((i) => i >= 5), "the second source's examples are mixed in");
  assert.deepEqual(new DataOrder([2, 2], 7, "none").next(6), [0, 1, 2, 3, 0, 1]);
  const a = new DataOrder([4, 3], 1, "curriculum");
  a.next(5);
  const b = new DataOrder([4, 3], 1, "curriculum", a.state());
  assert.deepEqual(b.next(9), a.next(9));
});
