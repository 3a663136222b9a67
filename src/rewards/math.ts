/**
 * The math and multiple-choice graders: extract the final answer in the configured format
 * (orz, boxed, auto with fallbacks, choice), then compare it with the reference by
 * equivalence.ts. Size limits are checked first. Text with broken bytes (U+FFFD, which
 * byte-level tokenizers decode stray bytes to, or lone surrogates, replaced by U+FFFD) is graded
 * like any other: the answer is usually elsewhere in it. Simplification: the reference answer is itself passed through the
 * free-text extractor when it contains a `\boxed{}` (e.g. a full reference solution).
 */
import { choiceLetters, extractChoice } from "./choice.ts";
import { equivalenceOptions, type AnswerFormat, type VerifierConfig } from "./config.ts";
import { answersEqual } from "./equivalence.ts";
import { lastBoxed } from "./extract/braces.ts";
import { extractBoxed, extractWithFallbacks } from "./extract/fallback.ts";
import { extractOrz } from "./extract/orz.ts";
import type { GradeInput, Grader, Verdict } from "./types.ts";

/** The reference answer as text: numbers printed, the boxed part of a full reference solution; null when unusable. */
function referenceText(answer: unknown): string | null {
  if (typeof answer === "number" && Number.isFinite(answer)) return String(answer);
  if (typeof answer !== "string") return null;
  return answer.includes("\\boxed") || answer.includes("\\fbox") ? (lastBoxed(answer) ?? answer) : answer;
}

/** Checks the type and size; returns a verdict when the input must not be parsed. */
export function checkLimits(input: GradeInput, cfg: Pick<VerifierConfig, "maxResponseChars">): Verdict | null {
  if (typeof input.response !== "string") return { correct: false, extracted: null, reason: "invalid_input", detail: "response is not a string" };
  if (input.response.length > cfg.maxResponseChars) {
    return { correct: false, extracted: null, reason: "too_large", detail: `response has ${input.response.length} chars (limit ${cfg.maxResponseChars})` };
  }
  return null;
}

/** Extracts the answer in `format`; null answer comes with the reason. */
export function extractAnswer(input: GradeInput, format: AnswerFormat): { answer: string | null; reason?: "no_answer" | "truncated" } {
  switch (format) {
    case "orz": {
      const r = extractOrz(input.response, input.finishReason);
      return r.answer === null ? { answer: null, reason: r.reason } : { answer: r.answer };
    }
    case "boxed":
      return { answer: extractBoxed(input.response) };
    case "auto":
      return { answer: extractWithFallbacks(input.response) };
    case "choice":
      return { answer: extractChoice(input.response, lettersFor(input), input.choices ?? []) };
  }
}

/** The letters of a multiple-choice question (at least A–D). */
function lettersFor(input: GradeInput): string[] {
  return choiceLetters(Math.max(4, input.choices?.length ?? 0));
}

/** Grades one response against its reference, synchronously (run it in the pool for a time limit). */
export function gradeMath(input: GradeInput, cfg: VerifierConfig): Verdict {
  const limited = checkLimits(input, cfg);
  if (limited) return limited;
  input = { ...input, response: input.response.toWellFormed() };
  const ref = referenceText(input.answer);
  if (ref === null || ref.trim() === "") return { correct: false, extracted: null, reason: "invalid_input", detail: "reference answer is missing or not a string" };
  const { answer, reason } = extractAnswer(input, cfg.format);
  if (input.finishReason === "length") return { correct: false, extracted: answer, reason: "truncated" };
  if (answer === null) return { correct: false, extracted: null, reason: reason ?? "no_answer" };
  if (answer.length > cfg.maxAnswerChars) {
    return { correct: false, extracted: answer.slice(0, 200), reason: "too_large", detail: `answer has ${answer.length} chars (limit ${cfg.maxAnswerChars})` };
  }
  let correct: boolean;
  if (cfg.format === "choice") {
    const gold = extractChoice(ref, lettersFor(input), input.choices ?? []);
    correct = gold !== null && gold === answer;
  } else {
    correct = answersEqual(ref, answer, equivalenceOptions(cfg));
  }
  return { correct, extracted: answer, reason: correct ? "correct" : "wrong_answer" };
}

/** The built-in math/choice grader for a configuration. */
export function mathGrader(cfg: VerifierConfig): Grader {
  return { name: `math:${cfg.format}`, grade: (input) => gradeMath(input, cfg) };
}
