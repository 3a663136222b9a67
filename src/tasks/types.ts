/**
 * What a built-in task provides: seeded problems at difficulty levels, and the pieces of the
 * pretraining corpus's responses (a worked solution, possibly with a slip, caught or not; a
 * wrong guess; the one-line claim of a direct answer). The corpus (corpus.ts) mixes them.
 */
import type { Rng } from "../util/rng.ts";

/** The kinds of corpus response (see docs/TASKS.md). */
export type ResponseKind = "direct" | "worked" | "slip" | "selfcheck";

/** One problem: the question text, its reference answer, and the canonical form its split is hashed from. */
export interface Problem<A = unknown> {
  task: string;
  level: number;
  question: string;
  /** The reference: an answer string (arithmetic) or task data (Countdown). */
  answer: A;
  /** The same for every way of writing the same problem (e.g. `a + b` and `b + a`). */
  canonical: string;
}

/** A slip planted in a worked solution: uncaught (the answer ends wrong) or caught by a self-check. */
export interface SlipPlan {
  caught: boolean;
}

/** The think lines of a response and the answer it boxes. */
export interface Solution {
  lines: string[];
  answer: string;
}

export interface Task<A = unknown> {
  readonly name: string;
  readonly levels: readonly number[];
  /** Name of the grader (registered in graders.ts) that scores this task's responses. */
  readonly grader: string;
  /** A random problem of a level. */
  sample(rng: Rng, level: number): Problem<A>;
  /** A step-by-step solution; with a slip plan, one step goes wrong (and is fixed if caught). */
  worked(p: Problem<A>, slip: SlipPlan | null, rng: Rng): Solution;
  /** A plausible wrong answer, as a model guessing without working would give. */
  guess(p: Problem<A>, rng: Rng): string;
  /** The right answer as the response boxes it. */
  solution(p: Problem<A>): string;
  /** The one-line think of a direct answer, stating `answer`. */
  claim(p: Problem<A>, answer: string): string;
  /** Probability that a direct answer at this level is right. */
  directAccuracy(level: number): number;
}
