/** pass@k, maj@k and avg@n against hand-computed values. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { majorityCorrect, passAtK, reportedKs, scoreItems, type Vote } from "../../src/eval/metrics.ts";

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ""} ${a} vs ${b}`);

/** C(n, k) by the multiplicative formula, for small n. */
function binom(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

test("pass@k is 1 - C(n-c, k)/C(n, k)", () => {
  close(passAtK(4, 1, 2), 1 - 3 / 6); // C(3,2)=3, C(4,2)=6
  close(passAtK(5, 2, 2), 1 - 3 / 10); // C(3,2)=3, C(5,2)=10
  close(passAtK(10, 3, 5), 1 - 21 / 252); // C(7,5)=21, C(10,5)=252
  close(passAtK(16, 4, 1), 4 / 16, "pass@1 is c/n");
  assert.equal(passAtK(3, 2, 2), 1, "fewer wrong than k: certain");
  assert.equal(passAtK(8, 0, 8), 0);
  assert.equal(passAtK(8, 8, 1), 1);
  for (let n = 1; n <= 20; n++) for (let c = 0; c <= n; c++) for (let k = 1; k <= n; k++) close(passAtK(n, c, k), 1 - binom(n - c, k) / binom(n, k), `n=${n} c=${c} k=${k}`);
  assert.throws(() => passAtK(4, 1, 5), /1 <= k <= n/);
});

const v = (extracted: string | null, correct: boolean): Vote => ({ extracted, correct });

test("maj@k: the most frequent answer, ties to the first occurrence, equal forms vote together", () => {
  assert.equal(majorityCorrect([v("2", true), v("3", false), v("3", false)]), false);
  assert.equal(majorityCorrect([v("3", false), v("2", true), v("2", true)]), true);
  assert.equal(majorityCorrect([v("3", false), v("2", true)]), false, "tie: 3 came first");
  assert.equal(majorityCorrect([v("2", true), v("3", false)]), true, "tie: 2 came first");
  assert.equal(majorityCorrect([v("2", true), v("3", false), v("3", false), v("2", true)]), true, "2-2 tie: 2 first");
  assert.equal(majorityCorrect([v(null, false), v(null, false), v("2", true)]), true, "no answer does not vote");
  assert.equal(majorityCorrect([v(null, false)]), false);
  assert.equal(majorityCorrect([v("\\dfrac{1}{2}", true), v("7", false), v("\\frac{1}{2}", true), v("7", false), v(" \\frac{1}{2} ", true)]), true);
});

test("avg@n, pass@k and maj@k over items; items short of k samples are left out of @k", () => {
  // Item A: 2 of 4 correct; answers 5,5,6,6 (tie -> 5, correct). Item B: 0 of 4; answers 1,1,2,null (1 wins, wrong).
  // Item C: failed twice, 1 of 2 scored correct.
  const A = [v("5", true), v("6", false), v("5", true), v("6", false)];
  const B = [v("1", false), v("1", false), v("2", false), v(null, false)];
  const C = [v("9", false), v("8", true)];
  const s = scoreItems([{ votes: A }, { votes: B }, { votes: C }, { votes: [] }], 4);
  close(s.acc!, (0.5 + 0 + 0.5) / 3);
  assert.equal(s.scoredItems, 3);
  close(s.passAtK["1"]!, (0.5 + 0 + 0.5) / 3);
  close(s.passAtK["2"]!, ((1 - 1 / 6) + 0 + 1) / 3, "C(2,2)/C(4,2) = 1/6; C has n=2, c=1: 1");
  close(s.passAtK["4"]!, (1 + 0) / 2, "only A and B have 4 samples");
  close(s.majAtK["1"]!, (1 + 0 + 0) / 3);
  close(s.majAtK["2"]!, (1 + 0 + 0) / 3, "A: 5,6 tie -> 5; C: 9,8 tie -> 9 wrong");
  close(s.majAtK["4"]!, (1 + 0) / 2);
  assert.deepEqual(reportedKs(16), [1, 2, 4, 8, 16]);
  assert.deepEqual(reportedKs(6), [1, 2, 4, 6]);
  assert.deepEqual(reportedKs(1), [1]);
  assert.equal(scoreItems([{ votes: [] }], 2).acc, null);
});
