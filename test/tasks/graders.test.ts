import { test } from "node:test";
import assert from "node:assert/strict";
import { VerifierPool } from "../../src/rewards/pool.ts";
import { getGrader } from "../../src/rewards/registry.ts";
import { arithGrader, countdownOrzGrader } from "../../src/tasks/graders.ts";

const orz = (answer: string): string => ` 7 + 9 + 0 = 16 </think> <answer> \\boxed{${answer}} </answer>`;

test("task:arith accepts the right answer in the ORZ format and rejects wrong, missing and malformed ones", () => {
  const grade = (response: string, finishReason?: "stop" | "length") => arithGrader.grade({ response, answer: "936", finishReason });
  assert.equal(grade(orz("936")).reason, "correct");
  assert.equal(grade(" </think> <answer> \\boxed{ 936 } </answer>").reason, "correct");
  assert.equal(grade(" </think> <answer> \\boxed{935} is wrong, so \\boxed{936} </answer>").reason, "correct", "the last box counts");
  for (const [name, response, reason] of [
    ["wrong", orz("937"), "wrong_answer"],
    ["leading zero", orz("0936"), "wrong_answer"],
    ["decimal", orz("936.0"), "wrong_answer"],
    ["spaced digits", orz("9 3 6"), "wrong_answer"],
    ["hedged", " </think> <answer> \\boxed{936} or \\boxed{937} </answer>", "wrong_answer"],
    ["two boxes side by side", " </think> <answer> \\boxed{935} \\boxed{936} </answer>", "wrong_answer"],
    ["no box", " </think> <answer> 936 </answer>", "no_answer"],
    ["box outside answer", " \\boxed{936} </think> <answer> 936 </answer>", "no_answer"],
    ["no answer tag", " 936 </think> \\boxed{936}", "no_answer"],
    ["empty box", " </think> <answer> \\boxed{} </answer>", "no_answer"],
    ["unclosed box", " </think> <answer> \\boxed{936 </answer>", "no_answer"],
  ] as const) {
    const v = grade(response);
    assert.equal(v.correct, false, name);
    assert.equal(v.reason, reason, name);
  }
  assert.equal(grade(orz("936"), "length").reason, "truncated");
  assert.equal(arithGrader.grade({ response: orz("936"), answer: 936 }).reason, "invalid_input");
});

test("task:countdown accepts a right expression in the ORZ format and rejects the rest", () => {
  const answer = { numbers: [3, 7, 8], target: 29 };
  const grade = (expr: string) => countdownOrzGrader.grade({ response: ` </think> <answer> \\boxed{${expr}} </answer>`, answer });
  assert.equal(grade("7 × 3 + 8").reason, "correct");
  assert.equal(grade("8 + 3 * 7").reason, "correct");
  assert.equal(grade("7 × 3 + 8 = 29").reason, "correct");
  assert.equal(grade("7 × 3 + 7").correct, false, "a number not given");
  assert.equal(grade("7 × 3").correct, false, "a number unused");
  assert.equal(grade("7 × 8 - 3").correct, false, "another value");
  assert.equal(countdownOrzGrader.grade({ response: " </think> <answer> 7 × 3 + 8 </answer>", answer }).reason, "no_answer");
  assert.equal(countdownOrzGrader.grade({ response: "\\boxed{7 × 3 + 8}", answer }).reason, "no_answer");
});

test("the task graders are registered and grade inside the VerifierPool's workers", async () => {
  assert.equal(getGrader("task:arith"), arithGrader);
  const arith = new VerifierPool({ size: 1, grader: "task:arith" });
  const countdown = new VerifierPool({ size: 1, grader: "task:countdown" });
  try {
    const [right, wrong, missing] = await arith.gradeAll([
      { response: orz("936"), answer: "936" },
      { response: orz("937"), answer: "936" },
      { response: "936", answer: "936" },
    ]);
    assert.deepEqual([right!.reason, wrong!.reason, missing!.reason], ["correct", "wrong_answer", "no_answer"]);
    assert.deepEqual([right!.reward, wrong!.reward], [1, 0]);
    const v = await countdown.grade({ response: " </think> <answer> \\boxed{(8 - 3) × 7} </answer>", answer: { numbers: [3, 7, 8], target: 35 } });
    assert.equal(v.reason, "correct", v.detail);
  } finally {
    await arith.close();
    await countdown.close();
  }
});
