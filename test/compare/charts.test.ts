/** What the charts plot, apart from drawing them (compare.test.ts checks the SVG files). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluatedKl } from "../../src/compare/charts.ts";

test("evaluatedKl: the evaluation at step s pairs with step s + 1's KL (measured before that step's update)", () => {
  const kl = { steps: [1, 2, 3, 4], mean: [0, 0.1, 0.2, 0.3], min: [], max: [], seeds: [] };
  assert.deepEqual(evaluatedKl([0, 2, 4], kl), [0, 0.2, 0.3]); // the last evaluation: the last step's KL
});
