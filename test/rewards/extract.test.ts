import { test } from "node:test";
import assert from "node:assert/strict";
import { extractChoice } from "../../src/rewards/choice.ts";
import { parseVerifierConfig, REWARD_PRESETS, rewardFor } from "../../src/rewards/config.ts";
import { evaluateArithmetic, gradeCountdown } from "../../src/rewards/countdown.ts";
import { lastBoxed } from "../../src/rewards/extract/braces.ts";
import { extractWithFallbacks } from "../../src/rewards/extract/fallback.ts";
import { extractOrz } from "../../src/rewards/extract/orz.ts";
import { gradeMath } from "../../src/rewards/math.ts";

test("boxed: last one, nested braces, fbox", () => {
  assert.equal(lastBoxed("\\boxed{1} then \\boxed{\\frac{1}{2}}"), "\\frac{1}{2}");
  assert.equal(lastBoxed("\\fbox{x^{2}}"), "x^{2}");
  assert.equal(lastBoxed("\\boxed{unclosed"), null);
});

test("Open-Reasoner-Zero: boxed inside the last <answer>, truncation", () => {
  assert.deepEqual(extractOrz("<think>..</think> <answer> \\boxed{3} </answer>"), { answer: "3" });
  assert.deepEqual(extractOrz("<answer>3</answer>"), { answer: null, reason: "no_answer" });
  assert.deepEqual(extractOrz("\\boxed{3}"), { answer: null, reason: "no_answer" });
  assert.deepEqual(extractOrz("<answer>\\boxed{3}</answer>", "length"), { answer: null, reason: "truncated" });
  const cfg = parseVerifierConfig({ format: "orz" });
  assert.equal(gradeMath({ response: "<answer>\\boxed{\\frac12}</answer>", answer: "0.5" }, cfg).reason, "correct");
});

test("fallbacks: ####, 'the answer is', final number", () => {
  assert.equal(extractWithFallbacks("so 3+4=7\n#### 7"), "7");
  assert.equal(extractWithFallbacks("Thus the answer is 42."), "42");
  assert.equal(extractWithFallbacks("we get 5 and then 12"), "12");
});

test("multiple choice: boxed, (C), Answer: C, text of a choice", () => {
  assert.equal(extractChoice("... so \\boxed{C}"), "C");
  assert.equal(extractChoice("The answer is (B) because"), "B");
  assert.equal(extractChoice("Answer: D"), "D");
  assert.equal(extractChoice("the answer is 4.5 g/cm^3.", ["A", "B", "C", "D"], ["1", "4.5 g/cm^3", "7", "9"]), "B");
});

test("reward values are configuration", () => {
  assert.equal(rewardFor("wrong_answer", REWARD_PRESETS.minimalist), -1);
  assert.equal(rewardFor("correct", REWARD_PRESETS.orz), 1);
  assert.throws(() => parseVerifierConfig({ format: "latex" }), /invalid verifier config: format/);
});

test("countdown: safe parser, numbers used exactly once", () => {
  assert.equal(evaluateArithmetic("(25 - 5) * 4 / 2").value.num, 40n);
  assert.throws(() => evaluateArithmetic("process.exit(1)"), /unexpected/);
  const task = { numbers: [25, 5, 4, 2], target: 40 };
  assert.equal(gradeCountdown({ response: "<answer>(25 - 5) * 4 / 2</answer>", answer: task }).correct, true);
  assert.equal(gradeCountdown({ response: "<answer>(25 - 5) * 2</answer>", answer: task }).correct, false);
  assert.equal(gradeCountdown({ response: "<answer>25 + 25 - 10</answer>", answer: task }).correct, false);
});
