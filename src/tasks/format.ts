/**
 * The text format of the built-in tasks: the prompt (a short form of the Open-Reasoner-Zero
 * template), responses in the ORZ format `<think> ... </think> <answer> \boxed{...} </answer>`,
 * and the two detectors the trainer logs: `isWorked` (does a response reason step by step) and
 * `hasSelfCheck` (does it catch and fix a slip).
 *
 *   User: 347 + 589 = ?
 *   Assistant: <think> 7 + 9 + 0 = 16
 *   4 + 8 + 1 = 13
 *   3 + 5 + 1 = 09 </think> <answer> \boxed{936} </answer>
 *
 * Simplification: the ORZ template's preamble (the sentences explaining the tags) is left out;
 * a base model pretrained on this format needs no instructions, and a short prompt leaves the
 * tiny model's context to the reasoning.
 */

/** The prompt of a question; the model continues after `<think>`. */
export function taskPrompt(question: string): string {
  return `User: ${question}\nAssistant: <think>`;
}

/** A response in the ORZ format: think lines (none for an empty think), then the boxed answer. */
export function orzResponse(thinkLines: readonly string[], answer: string): string {
  const think = thinkLines.length ? ` ${thinkLines.join("\n")}` : "";
  return `${think} </think> <answer> \\boxed{${answer}} </answer>`;
}

/** Where a self-check starts: a line beginning `check: `. */
const SELF_CHECK = /(^|\n)\s*check: /;

/**
 * Step lines of worked solutions, one pattern per shape (column addition, column subtraction
 * with the borrow written as the tens digit of the top, column multiplication by one digit,
 * a Countdown attempt: a chain of operations ending in "yes" or "no"). A direct answer's
 * one-line think (`347 + 589 = 936`) matches none of them.
 */
const STEP_LINES = [
  /^\d \+ \d \+ \d = \d\d$/,
  /^\d\d - \d - \d = \d$/,
  /^\d × \d \+ \d = \d\d$/,
  /^\d+ [-+×÷] \d+ = \d+(, \d+ [-+×÷] \d+ = \d+)*, (yes|no)$/,
];

/** The think part of a response (everything before `</think>`, without `<think>`). */
function thinkPart(response: string): string {
  const end = response.indexOf("</think>");
  const head = end < 0 ? response : response.slice(0, end);
  const open = head.lastIndexOf("<think>");
  return open < 0 ? head : head.slice(open + "<think>".length);
}

/** Whether a response reasons step by step: its think part has at least one step line. */
export function isWorked(response: string): boolean {
  return thinkPart(response)
    .split("\n")
    .some((line) => STEP_LINES.some((re) => re.test(line.trim())));
}

/** Whether a response checks a step it wrote (a `check: ` line in its think part): the reflection the trainer logs. */
export function hasSelfCheck(response: string): boolean {
  return SELF_CHECK.test(thinkPart(response));
}
