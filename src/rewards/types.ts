/**
 * The one interface every reward implements (math, multiple choice, synthetic tasks such as
 * Countdown, user functions): a grader maps a response and its reference to a verdict —
 * correct or not, what was extracted, and why. Reward values are applied afterwards from
 * configuration (config.ts), so graders never hard-code {1, 0} or {+1, −1}.
 */

/** Why a response was scored as it was. */
export type Reason =
  | "correct"
  | "wrong_answer"
  | "no_answer"
  | "truncated"
  | "too_large"
  | "invalid_input"
  | "timeout"
  | "error";

/** One response to grade. */
export interface GradeInput {
  response: string;
  /** The reference: an answer string, or task-specific data (e.g. Countdown numbers and target). */
  answer: unknown;
  /** How generation ended; "length" means cut off by the length limit. */
  finishReason?: "stop" | "length";
  /** Texts of the choices in letter order, for multiple choice. */
  choices?: string[];
}

/** A grader's decision. */
export interface Verdict {
  correct: boolean;
  extracted: string | null;
  reason: Reason;
  /** Optional human-readable detail (e.g. the error or limit hit). */
  detail?: string;
}

/** A reward function: synchronous or asynchronous grading of one response. */
export interface Grader {
  readonly name: string;
  grade(input: GradeInput): Verdict | Promise<Verdict>;
}
