/**
 * Reward-hacking and false-negative regressions for the math and choice graders, exercised
 * through the public entry points (gradeMath with each answer format, answersEqual), plus
 * the error messages users see for bad reward configuration.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseVerifierConfig, type AnswerFormat } from "../../src/rewards/config.ts";
import { answersEqual } from "../../src/rewards/equivalence.ts";
import { extractWithFallbacks } from "../../src/rewards/extract/fallback.ts";
import { gradeMath } from "../../src/rewards/math.ts";
import { loadUserGrader } from "../../src/rewards/registry.ts";

const configs = new Map<AnswerFormat, ReturnType<typeof parseVerifierConfig>>();
function grade(format: AnswerFormat, response: string, answer: string, choices?: string[]) {
  if (!configs.has(format)) configs.set(format, parseVerifierConfig({ format }));
  return gradeMath({ response, answer, choices }, configs.get(format)!);
}
const wrong = (format: AnswerFormat, response: string, answer: string): void => {
  const v = grade(format, response, answer);
  assert.equal(v.correct, false, `[${format}] ${response} must not be credited for ${answer} (extracted ${v.extracted})`);
};
const right = (format: AnswerFormat, response: string, answer: string, choices?: string[]): void => {
  const v = grade(format, response, answer, choices);
  assert.equal(v.correct, true, `[${format}] ${response} should be credited for ${answer} (extracted ${v.extracted}, ${v.reason})`);
};

// ---------------------------------------------------------------- reward hacks

test("hack: several boxed answers linked by or/and are one hedged answer, in every format", () => {
  for (const f of ["boxed", "auto"] as const) {
    wrong(f, "\\boxed{1} or \\boxed{2}", "2");
    wrong(f, "\\boxed{1} and \\boxed{2}", "2");
    wrong(f, "It is $\\boxed{1}$, $\\boxed{2}$", "2");
    right(f, "\\boxed{1} and \\boxed{2}", "1, 2");
  }
  wrong("orz", "<answer>\\boxed{1} or \\boxed{2}</answer>", "2");
  right("orz", "<answer>\\boxed{1} and \\boxed{2}</answer>", "1, 2");
  // Boxes separated by reasoning stay independent: the last one is the answer.
  right("auto", "First \\boxed{1} is a guess. After checking, the result is \\boxed{2}", "2");
});

test("hack: 'the answer is X or Y' in free text is the list, not its last or first number", () => {
  wrong("auto", "The answer is 3 or 2.", "2");
  wrong("auto", "The answer is 3 or 2.", "3");
  wrong("auto", "The answer is 2 or 3 or 4", "4");
  right("auto", "The answer is 3 or 2.", "2, 3");
  assert.equal(extractWithFallbacks("The answer is 42, since 6 times 7."), "42");
});

test("hack: hedging words are not units", () => {
  for (const r of ["2 \\text{ or more}", "2 \\text{ or less}", "2 or more", "2 \\text{ at most}", "2 \\text{ approximately}", "2 \\text{ or fewer}"]) {
    wrong("boxed", `\\boxed{${r}}`, "2");
  }
  right("boxed", "\\boxed{2 \\text{ apples}}", "2");
});

test("hack: a free variable the reference does not have is not equated by sampling", () => {
  wrong("boxed", "\\boxed{2 + \\lfloor x/100 \\rfloor}", "2");
  wrong("boxed", "\\boxed{2+\\lfloor 0.01 x \\rfloor}", "2");
  wrong("boxed", "\\boxed{n}", "2");
  // The rule is structural: a variable the reference lacks makes the answer wrong even when it cancels.
  wrong("boxed", "\\boxed{x - x + 2}", "2");
  right("boxed", "\\boxed{2 + 0 \\cdot 5}", "2");
});

test("hack: sampling covers negative and larger values (x is not |x| nor sqrt(x^2))", () => {
  wrong("boxed", "\\boxed{x}", "|x|");
  wrong("boxed", "\\boxed{x}", "\\sqrt{x^2}");
  wrong("boxed", "\\boxed{x + \\lfloor x/100 \\rfloor}", "x");
  right("boxed", "\\boxed{\\sqrt{x}\\sqrt{x}}", "x");
  right("boxed", "\\boxed{x^2+2x+1}", "(x+1)^2");
  right("boxed", "\\boxed{\\ln(x^2)}", "2\\ln x");
});

test("hack: tiny perturbations of a constant are different", () => {
  wrong("boxed", "\\boxed{2 + 10^{-7}}", "2");
  wrong("boxed", "\\boxed{2 \\cdot 10^{-9} + 2}", "2");
  wrong("boxed", "\\boxed{2.00000000001}", "2");
  wrong("boxed", "\\boxed{123456800.000}", "123456789");
  right("boxed", "\\boxed{0.30000000000000004}", "0.3");
  right("boxed", "\\boxed{0.0833333333333333}", "\\frac{1}{12}");
});

test("hack: decimal roundings of exact answers need 6 significant digits by default", () => {
  wrong("boxed", "\\boxed{1.41}", "\\sqrt{2}");
  wrong("boxed", "\\boxed{1.414}", "\\sqrt{2}");
  wrong("boxed", "\\boxed{3.14}", "\\pi");
  wrong("boxed", "\\boxed{2.72}", "e");
  wrong("boxed", "\\boxed{0.333}", "\\frac{1}{3}");
  wrong("boxed", "\\boxed{1.99}", "2");
  wrong("boxed", "\\boxed{1.999}", "2");
  wrong("boxed", "\\boxed{1.41422}", "\\sqrt{2}"); // neither rounded (1.41421) nor truncated
  right("boxed", "\\boxed{1.41421}", "\\sqrt{2}");
  right("boxed", "\\boxed{3.141593}", "\\pi");
  right("boxed", "\\boxed{0.333333}", "\\frac{1}{3}");
  // A reference written as a rounded decimal sets the precision itself.
  right("boxed", "\\boxed{\\sqrt{2}}", "1.41");
  right("boxed", "\\boxed{e}", "2.718");
  wrong("boxed", "\\boxed{\\frac{\\sqrt{2}}{3}}", "0.5");
  // The option still allows looser graders.
  const loose = parseVerifierConfig({ format: "boxed", approxMinDigits: 3 });
  assert.equal(gradeMath({ response: "\\boxed{1.41}", answer: "\\sqrt{2}" }, loose).correct, true);
});

test("hack: multiple-choice responses naming several letters are wrong", () => {
  for (const [r, gold] of [
    ["A B C D", "B"],
    ["A B C D", "A"],
    ["(A) or (B)", "B"],
    ["(B) or (A)", "B"],
    ["The answer is (A) or (B)", "B"],
    ["The answer is B or C", "B"],
    ["Answer: A, B, C, D", "A"],
    ["Answer: A, B, C, D", "D"],
    ["B and C", "B"],
    ["\\boxed{A} \\boxed{B}", "B"],
    ["\\boxed{A, B}", "B"],
    ["I am torn between B or C", "C"],
  ] as const) {
    wrong("choice", r, gold);
  }
  right("choice", "Option A is wrong since it ignores friction. The answer is B.", "B");
  right("choice", "The answer is (B). A and C ignore friction.", "B");
});

test("hack: a choice answer in ORZ format is read from the last <answer> block only", () => {
  right("choice", "<think>hmm</think> <answer>B</answer>", "B");
  right("choice", "<think>The answer is A? No.</think> <answer> \\boxed{C} </answer>", "C");
  wrong("choice", "<think>The answer is C.</think> <answer>maybe</answer>", "C");
  wrong("orz", "\\boxed{2} <answer>3</answer>", "2");
  wrong("orz", "<answer>\\boxed{1, 2, 3}</answer>", "2");
});

test("choice: a lowercase article is not a letter", () => {
  right("choice", "The answer is a tricky one: (C)", "C");
  right("choice", "answer: a subtle point, but the final answer is (D).", "D");
});

// ---------------------------------------------------------------- false negatives

test("false negatives: realistic answer spellings", () => {
  right("boxed", "\\boxed{\\dfrac{3}{4}}", "0.75");
  right("boxed", "\\boxed{x=5}", "5");
  right("boxed", "\\boxed{\\$5}", "5");
  right("boxed", "\\boxed{5 \\text{ cm}}", "5");
  right("boxed", "\\boxed{(1,2)}", "(1, 2)");
  right("boxed", "\\boxed{\\{1,2\\}}", "1,2");
  right("boxed", "\\boxed{45^\\circ}", "45");
  right("boxed", "\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{1}{2}\\sqrt{3}");
  right("boxed", "\\boxed{2\\sqrt{2}}", "\\sqrt{8}");
  right("boxed", "\\boxed{\\pi/2}", "\\frac{\\pi}{2}");
  right("boxed", "\\boxed{1{,}000}", "1000");
  right("boxed", "\\boxed{x^2+2x+1}", "(x+1)^2");
  right("boxed", "\\boxed{(-\\infty, 3]}", "(-\\infty, 3]");
  wrong("boxed", "\\boxed{(-\\infty, 3)}", "(-\\infty, 3]");
});

test("false negatives: percent reads as the number or as a fraction (documented choice)", () => {
  right("boxed", "\\boxed{10\\%}", "0.1");
  right("boxed", "\\boxed{10\\%}", "10");
  right("boxed", "\\boxed{0.1}", "10\\%");
  wrong("boxed", "\\boxed{10\\%}", "0.2");
});

test("false negatives: a one-sided inequality is an interval", () => {
  right("boxed", "\\boxed{(-\\infty, 3]}", "x \\le 3");
  right("boxed", "\\boxed{x \\leq 3}", "(-\\infty, 3]");
  right("boxed", "\\boxed{k \\ge 2}", "[2, \\infty)");
  right("boxed", "\\boxed{[2, +\\infty)}", "k\\geq 2");
  right("boxed", "\\boxed{x > -1}", "(-1, \\infty)");
  wrong("boxed", "\\boxed{x < 3}", "(-\\infty, 3]");
  wrong("boxed", "\\boxed{x \\ge 3}", "(-\\infty, 3]");
});

test("false negatives: binomial coefficients and units with a slash or inside \\text", () => {
  right("boxed", "\\boxed{\\binom{5}{2}}", "10");
  right("boxed", "\\boxed{\\dbinom{4}{2}}", "6");
  wrong("boxed", "\\boxed{\\binom{5}{2}}", "5");
  right("boxed", "\\boxed{5\\text{ m/s}}", "5");
  right("boxed", "\\boxed{5 \\mathrm{m/s}}", "5");
  right("boxed", "\\boxed{\\text{5 dollars}}", "5");
});

// ---------------------------------------------------------------- configuration errors

test("config errors name the offending key", () => {
  assert.throws(() => parseVerifierConfig({ values: { correct: "1", incorrect: 0, noAnswer: 0, truncated: 0 } }), /values\.correct/);
  assert.throws(() => parseVerifierConfig({ values: { correct: Number.NaN, incorrect: 0, noAnswer: 0, truncated: 0 } }), /values\.correct/);
  assert.throws(() => parseVerifierConfig({ values: { correct: 1, incorrect: 0 } }), /values\.noAnswer/);
  assert.throws(() => parseVerifierConfig({ reltol: 1e-6 }), /reltol/);
  assert.throws(() => parseVerifierConfig({ userModule: "./no/such/reward.ts" }), /userModule.*no\/such\/reward\.ts/);
  assert.deepEqual(parseVerifierConfig({ values: "minimalist" }).values, { correct: 1, incorrect: -1, noAnswer: -1, truncated: -1 });
  assert.throws(() => parseVerifierConfig({ values: "orz2" }), /values/);
});

test("user reward modules: missing file, missing export and bad return values name the module", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rlzero-reward-"));
  await assert.rejects(loadUserGrader(join(dir, "missing.ts")), /missing\.ts.*does not exist/);
  const noExport = join(dir, "noexport.mjs");
  writeFileSync(noExport, "export const something = 1;\n");
  await assert.rejects(loadUserGrader(noExport), (e: Error) => e.message.includes("noexport.mjs") && /default.*grader/.test(e.message) && e.message.includes("something"));
  const bad = join(dir, "bad.mjs");
  writeFileSync(bad, "export default () => 'yes';\n");
  const g = await loadUserGrader(bad);
  await assert.rejects(async () => g.grade({ response: "x", answer: "y" }), /bad\.mjs.*returned/);
  const ok = join(dir, "ok.mjs");
  writeFileSync(ok, "export default (input) => input.response.trim() === input.answer ? 1 : -1;\n");
  const okG = await loadUserGrader(ok);
  assert.equal((await okG.grade({ response: " 4 ", answer: "4" })).correct, true);
});

test("hack: rational constants are compared exactly, beyond double precision", () => {
  wrong("boxed", "\\boxed{2 \\cdot 10^{-20} + 2}", "2");
  wrong("boxed", "\\boxed{\\frac{1}{3} + 10^{-30}}", "\\frac{1}{3}");
  // The CAS reads `m \times 10^k` as one double and chops tiny values to 0; it must not equal 0.
  wrong("boxed", "\\boxed{2 \\times 10^{-20}}", "0");
  right("boxed", "\\boxed{\\frac{2}{3} - \\frac{1}{3}}", "\\frac{1}{3}");
  right("boxed", "\\boxed{2^{10} - 24}", "1000");
});
