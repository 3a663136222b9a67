/**
 * Graders of the built-in tasks, registered with the reward registry under their names (with
 * this module's URL, so the verifier pool's workers import it and grade there too):
 *
 *   task:arith      the answer (the last `\boxed{}` inside the last `<answer>` block, as
 *                   Open-Reasoner-Zero reads it) equals the reference string exactly
 *   task:countdown  that answer is an expression that uses each given number once and
 *                   equals the target (rewards/countdown.ts checks it)
 *
 * Both need the ORZ format: an answer outside `<answer>` or without `\boxed{}` is "no_answer",
 * and a response cut by the length limit is "truncated".
 */
import { gradeCountdown } from "../rewards/countdown.ts";
import { extractOrz } from "../rewards/extract/orz.ts";
import { registerGrader } from "../rewards/registry.ts";
import type { GradeInput, Grader, Verdict } from "../rewards/types.ts";

/** The ORZ answer of a response, or the verdict saying why there is none. */
function orzAnswer(input: GradeInput): string | Verdict {
  const x = extractOrz(input.response, input.finishReason ?? "stop");
  return x.answer ?? { correct: false, extracted: null, reason: x.reason };
}

/** A grader that answers at once (the statistics grade whole corpora with it). */
interface SyncGrader extends Grader {
  grade(input: GradeInput): Verdict;
}

export const arithGrader: SyncGrader = {
  name: "task:arith",
  grade(input) {
    if (typeof input.answer !== "string") return { correct: false, extracted: null, reason: "invalid_input", detail: "answer must be a string" };
    const got = orzAnswer(input);
    if (typeof got !== "string") return got;
    const correct = got === input.answer;
    return { correct, extracted: got, reason: correct ? "correct" : "wrong_answer" };
  },
};

export const countdownOrzGrader: SyncGrader = {
  name: "task:countdown",
  grade(input) {
    const got = orzAnswer(input);
    if (typeof got !== "string") return got;
    return gradeCountdown({ ...input, response: got });
  },
};

/** The built-in tasks' graders by name. */
export const TASK_GRADERS: Readonly<Record<string, SyncGrader>> = { [arithGrader.name]: arithGrader, [countdownOrzGrader.name]: countdownOrzGrader };

for (const g of Object.values(TASK_GRADERS)) registerGrader(g, import.meta.url);
