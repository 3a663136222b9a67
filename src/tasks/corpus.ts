/**
 * The pretraining corpus of the tiny base model: prompts of training-split problems with
 * responses in the Open-Reasoner-Zero format, of four kinds (docs/TASKS.md explains the mix):
 *
 *   direct     an empty or one-line think, then the answer: right with the task's direct
 *              accuracy for the level (high when easy, low when hard), else a plausible wrong
 *              answer (a dropped carry, a digit off)
 *   worked     a step-by-step solution ending in the right answer
 *   slip       a worked solution with an uncaught slip: the answer is wrong
 *   selfcheck  a worked solution whose slip a `check:` line catches and fixes: the answer is right
 *
 * so that a model trained on it sometimes reasons, often answers at once, and often errs — the
 * base model RL starts from. Lines are JSONL:
 * `{"prompt", "response", "task", "level", "kind", "answer"}` (the trainer reads prompt and
 * response; the rest is for statistics).
 */
import { writeFileSync } from "node:fs";
import { UserInputError } from "../errors.ts";
import { Rng } from "../util/rng.ts";
import { orzResponse, taskPrompt } from "./format.ts";
import { parseSuite, TASKS, type SuiteItem } from "./registry.ts";
import { drawProblems, STREAM } from "./sets.ts";
import type { Problem, ResponseKind, Task } from "./types.ts";

/** Proportions of the response kinds. */
export interface CorpusMix {
  /** P(a worked solution); the rest are direct answers. */
  reason: number;
  /** P(uncaught slip | worked). */
  slip: number;
  /** P(caught slip | worked). */
  selfcheck: number;
  /** P(one-line think | direct); the rest have an empty think. */
  oneLine: number;
}

export const DEFAULT_MIX: CorpusMix = { reason: 0.25, slip: 0.12, selfcheck: 0.15, oneLine: 0.5 };

export interface CorpusExample {
  prompt: string;
  response: string;
  task: string;
  level: number;
  kind: ResponseKind;
  /** The problem's reference answer, to grade the response. */
  answer: unknown;
}

function drawKind(rng: Rng, mix: CorpusMix): ResponseKind {
  if (rng.uniform() >= mix.reason) return "direct";
  const u = rng.uniform();
  return u < mix.slip ? "slip" : u < mix.slip + mix.selfcheck ? "selfcheck" : "worked";
}

/** One response of a given kind to a problem. */
export function corpusResponse(task: Task, p: Problem, kind: ResponseKind, rng: Rng, mix: CorpusMix = DEFAULT_MIX): string {
  if (kind !== "direct") {
    const s = task.worked(p, kind === "worked" ? null : { caught: kind === "selfcheck" }, rng);
    return orzResponse(s.lines, s.answer);
  }
  const answer = rng.uniform() < task.directAccuracy(p.level) ? task.solution(p) : task.guess(p, rng);
  return orzResponse(rng.uniform() < mix.oneLine ? [task.claim(p, answer)] : [], answer);
}

export interface CorpusOptions {
  /** A suite spec or name (default "arith-corpus": every arithmetic level). */
  suite?: string | readonly SuiteItem[];
  count: number;
  seed: number;
  mix?: CorpusMix;
}

/** Corpus examples over training-split problems (repeats allowed), by seed. */
export function generateCorpus(opts: CorpusOptions): CorpusExample[] {
  const suite = opts.suite ?? "arith-corpus";
  const items = typeof suite === "string" ? parseSuite(suite) : suite;
  const mix = checkMix(opts.mix ?? DEFAULT_MIX);
  const problems = drawProblems({ suite: items, split: "train", count: opts.count, seed: opts.seed, unique: false }, STREAM.corpus);
  return problems.map((p, i) => {
    const rng = Rng.derive(opts.seed, STREAM.corpus, i);
    const task = TASKS[p.task]!;
    const kind = drawKind(rng, mix);
    return { prompt: taskPrompt(p.question), response: corpusResponse(task, p, kind, rng, mix), task: p.task, level: p.level, kind, answer: p.answer };
  });
}

function checkMix(mix: CorpusMix): CorpusMix {
  for (const [key, v] of Object.entries(mix)) {
    if (!(v >= 0 && v <= 1)) throw new UserInputError(`corpus mix: ${key} must be a probability in [0, 1], got ${v}`);
  }
  if (mix.slip + mix.selfcheck > 1) throw new UserInputError(`corpus mix: slip + selfcheck must be at most 1, got ${mix.slip + mix.selfcheck}`);
  return mix;
}

/** Writes corpus examples as JSONL. */
export function writeCorpus(file: string, examples: readonly CorpusExample[]): void {
  writeFileSync(file, examples.map((e) => JSON.stringify(e) + "\n").join(""));
}
