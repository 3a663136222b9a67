import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_MIX, generateCorpus } from "../../src/tasks/corpus.ts";
import { hasSelfCheck, isWorked, orzResponse, taskPrompt } from "../../src/tasks/format.ts";
import { corpusStats, formatCorpusStats } from "../../src/tasks/stats.ts";

test("the prompt is the short ORZ form and responses are in the ORZ format", () => {
  assert.equal(taskPrompt("347 + 589 = ?"), "User: 347 + 589 = ?\nAssistant: <think>");
  assert.equal(orzResponse([], "936"), " </think> <answer> \\boxed{936} </answer>");
  assert.equal(orzResponse(["7 + 9 + 0 = 16", "4 + 8 + 1 = 13"], "936"), " 7 + 9 + 0 = 16\n4 + 8 + 1 = 13 </think> <answer> \\boxed{936} </answer>");
});

test("isWorked and hasSelfCheck tell the response kinds apart", () => {
  const cases: [string, boolean, boolean][] = [
    [" </think> <answer> \\boxed{936} </answer>", false, false],
    [" 347 + 589 = 936 </think> <answer> \\boxed{936} </answer>", false, false],
    [" 7 + 9 = 16 </think> <answer> \\boxed{16} </answer>", false, false],
    [" 29 = 7 × 3 + 8 </think> <answer> \\boxed{7 × 3 + 8} </answer>", false, false],
    [" 7 + 9 + 0 = 16\n4 + 8 + 1 = 13 </think> <answer> \\boxed{36} </answer>", true, false],
    [" 17 - 9 - 0 = 8 </think> <answer> \\boxed{8} </answer>", true, false],
    [" 7 × 6 + 0 = 42 </think> <answer> \\boxed{42} </answer>", true, false],
    [" 8 × 3 = 24, 24 + 7 = 31, no\n7 × 3 = 21, 21 + 8 = 29, yes </think> <answer> \\boxed{7 × 3 + 8} </answer>", true, false],
    [" 4 + 8 + 1 = 12\ncheck: 4 + 8 + 1 = 13, not 12\n4 + 8 + 1 = 13 </think> <answer> \\boxed{3} </answer>", true, true],
    // Only the think part counts: step lines or checks after </think> are not reasoning.
    [" </think> <answer> 7 + 9 + 0 = 16\ncheck: \\boxed{16} </answer>", false, false],
    ["User: 1 + 2 = ?\nAssistant: <think> 1 + 2 + 0 = 03 </think> <answer> \\boxed{3} </answer>", true, false],
  ];
  for (const [response, worked, check] of cases) {
    assert.equal(isWorked(response), worked, response);
    assert.equal(hasSelfCheck(response), check, response);
  }
});

test("corpus statistics: kind shares follow the mix, kinds have their designed accuracy, detectors agree with the labels", () => {
  const corpus = generateCorpus({ count: 6000, seed: 21 });
  for (const e of corpus) {
    assert.equal(isWorked(e.response), e.kind !== "direct", e.response);
    assert.equal(hasSelfCheck(e.response), e.kind === "selfcheck", e.response);
  }
  const stats = corpusStats(corpus, (t) => t.length);
  const all = stats.filter((s) => s.level === null);
  assert.deepEqual(all.map((s) => s.task), ["add", "mul", "sub"]);
  for (const s of all) {
    assert.ok(Math.abs(s.worked.share - DEFAULT_MIX.reason) < 0.04, `${s.task} worked share ${s.worked.share}`);
    assert.ok(Math.abs(s.selfCheck.share - DEFAULT_MIX.reason * DEFAULT_MIX.selfcheck) < 0.02, `${s.task} self-check share ${s.selfCheck.share}`);
    assert.equal(s.selfCheck.accuracy, 1);
    assert.ok(Math.abs(s.worked.accuracy - (1 - DEFAULT_MIX.slip)) < 0.05, `${s.task} worked accuracy ${s.worked.accuracy}`);
  }
  const level = (task: string, l: number) => stats.find((s) => s.task === task && s.level === l)!;
  assert.ok(level("add", 1).direct.accuracy > 0.85 && level("add", 5).direct.accuracy < 0.15);
  assert.ok(level("add", 5).tokens!.mean > level("add", 1).tokens!.mean);
  assert.match(formatCorpusStats(stats), /^\| task \| level \|/);
});

test("corpus statistics count by hand-made examples", () => {
  const right = " 7 + 9 + 0 = 16 </think> <answer> \\boxed{16} </answer>";
  const stats = corpusStats(
    [
      { task: "add", level: 1, prompt: "p", response: right, answer: "16" },
      { task: "add", level: 1, prompt: "p", response: " </think> <answer> \\boxed{15} </answer>", answer: "16" },
      { task: "add", level: 1, prompt: "p", response: " </think> <answer> \\boxed{16} </answer>", answer: "16" },
      { task: "add", level: 2, prompt: "p", response: " 1 + 2 + 0 = 13\ncheck: 1 + 2 + 0 = 03, not 13\n1 + 2 + 0 = 03 </think> <answer> \\boxed{3} </answer>", answer: "3" },
    ],
    (t) => t.length,
  );
  const l1 = stats.find((s) => s.level === 1)!;
  assert.equal(l1.count, 3);
  assert.deepEqual([l1.worked.share, l1.worked.accuracy], [1 / 3, 1]);
  assert.deepEqual([l1.direct.share, l1.direct.accuracy], [2 / 3, 0.5]);
  assert.equal(l1.selfCheck.share, 0);
  assert.ok(Number.isNaN(l1.selfCheck.accuracy));
  assert.equal(l1.tokens!.max, 1 + right.length);
  const all = stats.find((s) => s.level === null)!;
  assert.deepEqual([all.count, all.accuracy, all.selfCheck.share], [4, 0.75, 0.25]);
});
