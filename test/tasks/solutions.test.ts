import { test } from "node:test";
import assert from "node:assert/strict";
import { addTask, mulTask, subTask } from "../../src/tasks/arithmetic.ts";
import { corpusResponse } from "../../src/tasks/corpus.ts";
import { countdownTask } from "../../src/tasks/countdown.ts";
import { gradeCountdown } from "../../src/rewards/countdown.ts";
import type { CountdownTask } from "../../src/rewards/countdown.ts";
import type { Problem, ResponseKind, Task } from "../../src/tasks/types.ts";
import { Rng } from "../../src/util/rng.ts";
import { parseResponse, replayArithmetic, replayCountdown, type Replay } from "./replay.ts";

const PER_CASE = 40;

/** Responses of one kind to random problems of each level of a task. */
function* cases(task: Task, kind: ResponseKind): Generator<{ p: Problem; lines: string[]; boxed: string }> {
  for (const level of task.levels) {
    for (let i = 0; i < PER_CASE; i++) {
      const rng = Rng.derive(99, level, i, kind.length);
      const p = task.sample(rng, level);
      const { lines, boxed } = parseResponse(corpusResponse(task, p, kind, rng));
      assert.notEqual(boxed, null, `${task.name} ${kind}: response not in the ORZ format`);
      yield { p, lines, boxed: boxed! };
    }
  }
}

/** The work with a caught slip taken out: the slipped line and its check line. */
function withoutCaughtSlip(lines: string[], resultOf: (line: string) => string): string[] {
  const checks = lines.flatMap((l, i) => (l.startsWith("check: ") ? [i] : []));
  assert.equal(checks.length, 1, `one check line expected:\n${lines.join("\n")}`);
  const k = checks[0]!;
  const m = /^check: (.*), not (.*)$/.exec(lines[k]!);
  assert.ok(m, lines[k]);
  assert.equal(m[2], resultOf(lines[k - 1]!), `the check names the slipped result: ${lines[k - 1]} / ${lines[k]}`);
  return [...lines.slice(0, k - 1), ...lines.slice(k + 1)];
}

const afterEquals = (line: string): string => line.slice(line.lastIndexOf(" = ") + 3).replace(/, (yes|no)$/, "");

for (const task of [addTask, subTask, mulTask]) {
  const exact = (p: Problem): number => Number(p.answer);
  const replay = (p: Problem, lines: string[]): Replay => replayArithmetic(p.question, lines);

  test(`${task.name}: worked solutions are right step by step and end in the right answer`, () => {
    for (const { p, lines, boxed } of cases(task, "worked")) {
      const r = replay(p, lines);
      assert.deepEqual(r.errors, [], `${p.question}\n${lines.join("\n")}`);
      assert.equal(r.result, exact(p));
      assert.equal(boxed, p.answer);
      const [, x, op, y] = /^(\d+) (.) (\d+)/.exec(p.question)!;
      assert.equal(String(op === "+" ? Number(x) + Number(y) : op === "-" ? Number(x) - Number(y) : Number(x) * Number(y)), p.answer, p.question);
    }
  });

  test(`${task.name}: an uncaught slip leaves a false or ill-chained step and a really wrong answer that follows from the lines`, () => {
    for (const { p, lines, boxed } of cases(task, "slip")) {
      const r = replay(p, lines);
      assert.ok(r.errors.length > 0, `no slip found in\n${lines.join("\n")}`);
      assert.equal(boxed, String(r.result), `the answer follows the slipped work:\n${lines.join("\n")}`);
      assert.notEqual(boxed, p.answer, `${p.question}: the slip left the answer right`);
    }
  });

  test(`${task.name}: a caught slip is checked, fixed, and the rest is right`, () => {
    for (const { p, lines, boxed } of cases(task, "selfcheck")) {
      const clean = withoutCaughtSlip(lines, afterEquals);
      const checkLine = lines.find((l) => l.startsWith("check: "))!;
      const fixed = lines[lines.indexOf(checkLine) + 1]!;
      assert.equal(checkLine.replace(/^check: /, "").replace(/, not .*$/, ""), fixed, "the check states the fixed line");
      assert.notEqual(lines[lines.indexOf(checkLine) - 1], fixed, "the slipped line differs from the fix");
      const r = replay(p, clean);
      assert.deepEqual(r.errors, [], `${p.question}\n${lines.join("\n")}`);
      assert.equal(boxed, p.answer);
    }
  });

  test(`${task.name}: direct answers state one answer; wrong guesses are really wrong`, () => {
    for (const { p, lines, boxed } of cases(task, "direct")) {
      assert.ok(lines.length <= 1, lines.join("\n"));
      if (lines.length === 1) assert.equal(lines[0], p.question.replace("?", boxed));
    }
    for (const level of task.levels) {
      for (let i = 0; i < PER_CASE; i++) {
        const rng = Rng.derive(5, level, i);
        const p = task.sample(rng, level);
        const g = task.guess(p, rng);
        assert.match(g, /^(0|[1-9]\d*)$/);
        assert.notEqual(g, p.answer, `${p.question} guessed right`);
      }
    }
  });
}

test("the replay checker itself catches a wrong digit, a broken carry and a wrong answer", () => {
  const good = ["7 + 9 + 0 = 16", "4 + 8 + 1 = 13", "3 + 5 + 1 = 09"];
  assert.deepEqual(replayArithmetic("347 + 589 = ?", good), { errors: [], result: 936 });
  assert.equal(replayArithmetic("347 + 589 = ?", ["7 + 9 + 0 = 16", "4 + 8 + 0 = 12", "3 + 5 + 1 = 09"]).errors.length, 1);
  assert.equal(replayArithmetic("347 + 589 = ?", ["7 + 9 + 0 = 16", "4 + 8 + 1 = 12", "3 + 5 + 1 = 09"]).errors.length, 1);
  assert.equal(replayArithmetic("347 + 589 = ?", ["7 + 9 + 0 = 16", "3 + 8 + 1 = 12", "3 + 5 + 1 = 09"]).errors.length, 1);
  assert.deepEqual(replayArithmetic("347 - 189 = ?", ["17 - 9 - 0 = 8", "14 - 8 - 1 = 5", "03 - 1 - 1 = 1"]), { errors: [], result: 158 });
  assert.equal(replayArithmetic("347 - 189 = ?", ["07 - 9 - 0 = 8", "14 - 8 - 1 = 5", "03 - 1 - 1 = 1"]).errors.length, 3); // false, borrow not shown, carried in anyway
});

const cd = countdownTask as Task<CountdownTask>;
const cdCases = (kind: ResponseKind) => cases(cd as Task, kind) as Generator<{ p: Problem<CountdownTask>; lines: string[]; boxed: string }>;
const gradeExpr = (p: Problem<CountdownTask>, expr: string): boolean => gradeCountdown({ response: expr, answer: p.answer }).correct;

test("countdown: instances are solvable and the known solution is right", () => {
  for (const level of cd.levels) {
    for (let i = 0; i < PER_CASE; i++) {
      const p = cd.sample(Rng.derive(3, level, i), level);
      assert.ok(gradeExpr(p, cd.solution(p)), `${p.question}: ${cd.solution(p)}`);
      assert.equal(p.answer.numbers.length, level === 1 ? 3 : 4);
    }
  }
});

test("countdown: worked traces compute every step and end on a right expression", () => {
  for (const { p, lines, boxed } of cdCases("worked")) {
    const r = replayCountdown(p.answer.numbers, p.answer.target, lines);
    assert.deepEqual(r.errors, [], lines.join("\n"));
    assert.ok(lines[lines.length - 1]!.endsWith(", yes"));
    assert.ok(gradeExpr(p, boxed), `${p.question}: ${boxed}`);
  }
});

test("countdown: a slip claims the target with a false last step and boxes a really wrong expression", () => {
  for (const { p, lines, boxed } of cdCases("slip")) {
    const r = replayCountdown(p.answer.numbers, p.answer.target, lines);
    assert.ok(r.errors.some((e) => e.startsWith("false step")), lines.join("\n"));
    assert.ok(lines[lines.length - 1]!.endsWith(", yes"));
    assert.equal(gradeExpr(p, boxed), false, `${p.question}: ${boxed}`);
  }
});

test("countdown: a caught slip is checked and the search goes on to a right expression", () => {
  for (const { p, lines, boxed } of cdCases("selfcheck")) {
    const k = lines.findIndex((l) => l.startsWith("check: "));
    const m = /^check: (\d+) ([-+×÷]) (\d+) = (\d+), not (\d+)$/.exec(lines[k]!);
    assert.ok(m, lines[k]);
    const [l, op, r, shown, not] = [Number(m[1]), m[2], Number(m[3]), Number(m[4]), Number(m[5])];
    assert.equal(op === "+" ? l + r : op === "-" ? l - r : op === "×" ? l * r : l / r, shown, lines[k]);
    assert.equal(not, p.answer.target);
    assert.ok(lines[k - 1]!.endsWith(`${l} ${op} ${r} = ${not}, yes`), lines[k - 1]);
    const rest = [...lines.slice(0, k - 1), ...lines.slice(k + 1)];
    assert.deepEqual(replayCountdown(p.answer.numbers, p.answer.target, rest).errors, [], lines.join("\n"));
    assert.ok(gradeExpr(p, boxed));
  }
});

test("countdown: direct guesses are really wrong and claims state the boxed expression", () => {
  for (const { p, lines, boxed } of cdCases("direct")) {
    if (lines.length) assert.equal(lines[0], `${p.answer.target} = ${boxed}`);
  }
  for (let i = 0; i < PER_CASE; i++) {
    const rng = Rng.derive(8, i);
    const p = cd.sample(rng, 1 + (i % 3));
    assert.equal(gradeExpr(p, cd.guess(p, rng)), false);
  }
});
