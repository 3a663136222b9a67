/** The findings' verdicts on hand-made numbers: holds, does not hold, not resolved, not measured. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { judgeFindings, type FindingInput } from "../../src/compare/findings.ts";
import { RECIPES, type CompareAlgorithm } from "../../src/compare/recipes.ts";
import { seedStat } from "../../src/compare/stats.ts";

/** Per-seed numbers of one algorithm; `perKl` null: no KL measured. */
function input(algorithm: CompareAlgorithm, early: number[], final: number[], drop: number[], perKl: number[] | null): FindingInput {
  return {
    algorithm, label: RECIPES[algorithm].label,
    earlyAccuracy: seedStat(early)!, finalAccuracy: seedStat(final)!, entropyDrop: seedStat(drop)!,
    rewardPerKl: perKl === null ? null : seedStat(perKl),
  };
}

const verdicts = (inputs: FindingInput[]) => Object.fromEntries(judgeFindings(inputs, 25).map((f) => [f.claim, f.verdict]));

test("the paper's picture, clearly apart at 3 seeds: every finding holds", () => {
  const f = judgeFindings([
    input("raft", [0.40, 0.41, 0.42], [0.50, 0.51, 0.52], [0.60, 0.62, 0.64], [1.0, 1.1, 1.2]),
    input("raftpp", [0.50, 0.51, 0.52], [0.55, 0.56, 0.57], [0.30, 0.31, 0.32], [1.0, 1.1, 1.2]),
    input("reinforce", [0.35, 0.36, 0.37], [0.52, 0.53, 0.54], [0.20, 0.21, 0.22], [1.0, 1.1, 1.2]),
    input("reinforce_rej", [0.45, 0.46, 0.47], [0.60, 0.61, 0.62], [0.10, 0.11, 0.12], [2.0, 2.1, 2.2]),
    input("grpo", [0.45, 0.47, 0.49], [0.60, 0.62, 0.64], [0.10, 0.12, 0.14], [1.5, 1.6, 1.7]),
  ], 25);
  assert.deepEqual(f.map((x) => x.verdict), ["holds", "holds", "holds", "holds", "holds"]);
  const early = f[0].detail;
  assert.match(early, /held-out accuracy \(%\) at step 25, mean ± std over 3 seeds: RAFT\+\+ 51\.0 ± 1\.0/);
  assert.match(early, /GRPO 47\.0 ± 2\.0 \(difference \+4\.0, 2 SE 2\.6\)/); // 2·sqrt(0.01²/3 + 0.02²/3) = 0.0258
  assert.match(f[4].detail, /Reinforce-Rej 2\.10 ± 0\.10; Reinforce 1\.10 ± 0\.10/);
});

test("a rival clearly ahead: does not hold; within the spread: not resolved at this seed count", () => {
  const v = verdicts([
    input("raft", [0.40, 0.41, 0.42], [0.60, 0.61, 0.62], [0.10, 0.30, 0.50], [1, 1, 1]),
    input("raftpp", [0.40, 0.45, 0.50], [0.55, 0.56, 0.57], [0.20, 0.21, 0.22], [1, 1, 1]),
    input("reinforce", [0.35, 0.36, 0.37], [0.52, 0.53, 0.54], [0.20, 0.21, 0.22], [1.0, 1.5, 2.0]),
    input("reinforce_rej", [0.30, 0.31, 0.32], [0.55, 0.62, 0.69], [0.10, 0.11, 0.12], [1.2, 1.6, 2.0]),
    input("grpo", [0.46, 0.47, 0.48], [0.40, 0.41, 0.42], [0.10, 0.12, 0.14], [1, 1, 1]),
  ]);
  assert.equal(v["RAFT++ learns fastest early"], "not resolved at this seed count"); // 45 ± 5 vs GRPO 47 ± 1
  assert.equal(v["GRPO is ahead of RAFT at the end"], "does not hold"); // 41 vs 61, tight
  assert.equal(v["Reinforce-Rej is ahead of RAFT at the end"], "not resolved at this seed count"); // 62 ± 7 vs 61 ± 1
  assert.equal(v["RAFT's entropy collapses fastest"], "not resolved at this seed count"); // 30 ± 20 vs at most 21
  assert.equal(v["Reinforce-Rej gains more reward per unit of KL than Reinforce"], "not resolved at this seed count");
});

test("one rival level with no spread: does not hold (not ahead)", () => {
  const v = verdicts([
    input("raft", [0.4, 0.4], [0.5, 0.5], [0.3, 0.3], [1, 1]),
    input("grpo", [0.4, 0.4], [0.5, 0.5], [0.1, 0.1], [1, 1]),
  ]);
  assert.equal(v["GRPO is ahead of RAFT at the end"], "does not hold");
  assert.equal(v["RAFT's entropy collapses fastest"], "holds");
});

test("one seed: never resolved; an algorithm not run or a figure not measured: not measured", () => {
  const f = judgeFindings([
    input("raftpp", [0.9], [0.9], [0.1], [1]),
    input("grpo", [0.1], [0.1], [0.1], [1]),
    input("reinforce", [0.1], [0.1], [0.1], null),
    input("reinforce_rej", [0.1], [0.1], [0.1], [2]),
  ], 10);
  assert.equal(f[0].verdict, "not resolved at this seed count");
  assert.match(f[0].detail, /one seed: no spread/);
  assert.deepEqual(f.slice(1, 4).map((x) => [x.verdict, x.detail]), [
    ["not measured", "needs grpo and raft in --algorithms"],
    ["not measured", "needs reinforce_rej and raft in --algorithms"],
    ["not measured", "needs raft and another algorithm in --algorithms"],
  ]);
  assert.deepEqual([f[4].verdict, f[4].detail], ["not measured", "no reward gain / KL for Reinforce"]);
});
