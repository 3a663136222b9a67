import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserInputError } from "../../src/errors.ts";
import { DEFAULT_MIX, generateCorpus, writeCorpus } from "../../src/tasks/corpus.ts";
import { parseSuite, suiteGrader } from "../../src/tasks/registry.ts";
import { drawProblems, writePromptSet } from "../../src/tasks/sets.ts";
import { EVAL_SHARE, splitOf } from "../../src/tasks/split.ts";
import { TASKS } from "../../src/tasks/registry.ts";
import { Rng } from "../../src/util/rng.ts";

test("problem sets and corpora are deterministic by seed", () => {
  const opts = { suite: "arith", split: "train", count: 200, seed: 11 } as const;
  assert.deepEqual(drawProblems(opts), drawProblems(opts));
  assert.notDeepEqual(drawProblems(opts), drawProblems({ ...opts, seed: 12 }));
  assert.deepEqual(generateCorpus({ count: 300, seed: 4 }), generateCorpus({ count: 300, seed: 4 }));
  assert.notDeepEqual(generateCorpus({ count: 300, seed: 4 }), generateCorpus({ count: 300, seed: 5 }));
});

test("train and eval sets never share a problem, across seeds and with commuted operands", () => {
  for (const suite of ["arith", "countdown"]) {
    const evalSet = new Set<string>();
    for (const seed of [1, 2, 3]) for (const p of drawProblems({ suite, split: "eval", count: 300, seed })) evalSet.add(p.canonical);
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const p of drawProblems({ suite, split: "train", count: 1000, seed })) assert.ok(!evalSet.has(p.canonical), `${p.question} is in both splits`);
    }
    // The corpus holds training problems only.
    for (const e of generateCorpus({ suite: suite === "arith" ? "arith-corpus" : suite, count: 2000, seed: 9 })) {
      assert.ok(!evalSet.has(canonicalOfPrompt(e.task, e.prompt, e.answer)), `corpus prompt ${e.prompt} is an eval problem`);
    }
  }
  // a + b and b + a are one problem: the same canonical form, hence the same split.
  const [p, q] = [TASKS.add!.sample(Rng.fromSeed(1), 3), TASKS.add!.sample(Rng.fromSeed(1), 3)];
  assert.deepEqual(p, q);
  const [a, b] = p.question.split(" + ").map((s) => parseInt(s));
  assert.equal(p.canonical, `add:${Math.min(a!, b!)},${Math.max(a!, b!)}`);
});

/** The canonical form of a corpus line's problem, rebuilt from its prompt. */
function canonicalOfPrompt(task: string, prompt: string, answer: unknown): string {
  if (task === "countdown") {
    const { numbers, target } = answer as { numbers: number[]; target: number };
    return `countdown:${[...numbers].sort((x, y) => x - y).join(",")}->${target}`;
  }
  const [, x, op, y] = /User: (\d+) (.) (\d+) = \?/.exec(prompt)!;
  const [a, b] = [Number(x), Number(y)];
  return op === "-" ? `sub:${a}-${b}` : `${task}:${Math.min(a, b)},${Math.max(a, b)}`;
}

test("the split is a hash of the canonical form: about EVAL_SHARE of problems are eval", () => {
  let evalCount = 0;
  for (let i = 0; i < 20000; i++) evalCount += Number(splitOf(`add:${i},${i + 7}`) === "eval");
  assert.ok(Math.abs(evalCount / 20000 - EVAL_SHARE) < 0.015, `${evalCount / 20000}`);
  assert.equal(splitOf("add:347,589"), splitOf("add:347,589"));
});

test("sets hold distinct problems of the suite's tasks and levels; too small a split is a clear error", () => {
  const set = drawProblems({ suite: "add:3,mul:4", split: "eval", count: 400, seed: 2 });
  assert.equal(new Set(set.map((p) => p.canonical)).size, 400);
  for (const p of set) {
    assert.ok((p.task === "add" && p.level === 3) || (p.task === "mul" && p.level === 4));
    const [a, b] = p.question.split(/ [+×] /).map((s) => parseInt(s));
    if (p.task === "add") assert.deepEqual([String(a).length, String(b).length], [3, 3]);
    else assert.deepEqual([String(a).length, String(b).length], [2, 2]);
  }
  assert.throws(() => drawProblems({ suite: "add:1", split: "eval", count: 50, seed: 1 }), (e: Error) => e instanceof UserInputError && /fewer than 50 distinct problems/.test(e.message));
});

test("prompt sets are JSONL of {question, answer}", () => {
  const dir = mkdtempSync(join(tmpdir(), "tasks-"));
  const problems = [...drawProblems({ suite: "sub:2", split: "train", count: 3, seed: 1 }), ...drawProblems({ suite: "countdown:1", split: "train", count: 2, seed: 1 })];
  writePromptSet(join(dir, "set.jsonl"), problems);
  const rows = readFileSync(join(dir, "set.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 5);
  for (const [i, row] of rows.entries()) assert.deepEqual(row, { question: problems[i]!.question, answer: problems[i]!.answer });
  assert.equal(typeof rows[0].answer, "string");
  assert.deepEqual(Object.keys(rows[4].answer), ["numbers", "target"]);
});

test("suites parse task:levels, name their errors and have one grader", () => {
  assert.deepEqual(parseSuite("add:2-3,mul").map((i) => `${i.task.name}${i.level}`), ["add2", "add3", "mul1", "mul2", "mul3", "mul4", "mul5"]);
  assert.equal(suiteGrader(parseSuite("arith")), "task:arith");
  assert.equal(suiteGrader(parseSuite("countdown")), "task:countdown");
  assert.throws(() => parseSuite("add:7"), /add has levels 1, 2, 3, 4, 5, not 7/);
  assert.throws(() => parseSuite("div:2"), /"div:2" is not task/);
  assert.throws(() => parseSuite("add:4-2"), /empty level range/);
  assert.throws(() => suiteGrader(parseSuite("add,countdown")), /mixes task:arith, task:countdown/);
});

test("corpora are JSONL of {prompt, response, task, level, kind, answer}; a bad mix names its key", () => {
  const dir = mkdtempSync(join(tmpdir(), "tasks-"));
  const corpus = generateCorpus({ count: 20, seed: 1, suite: "add:2,countdown:1" });
  writeCorpus(join(dir, "corpus.jsonl"), corpus);
  const rows = readFileSync(join(dir, "corpus.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows, corpus);
  assert.deepEqual(Object.keys(rows[0]), ["prompt", "response", "task", "level", "kind", "answer"]);
  assert.throws(() => generateCorpus({ count: 1, seed: 1, mix: { ...DEFAULT_MIX, reason: 1.5 } }), /reason must be a probability/);
  assert.throws(() => generateCorpus({ count: 1, seed: 1, mix: { ...DEFAULT_MIX, slip: 0.6, selfcheck: 0.6 } }), /slip \+ selfcheck must be at most 1/);
});
