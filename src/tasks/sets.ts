/**
 * Prompt sets of the built-in tasks: problems drawn from a suite, in one split, by seed, written
 * as JSONL in the format of user data, one `{"question": ..., "answer": ...}` a line (the answer
 * a string, or Countdown's {numbers, target}).
 */
import { writeFileSync } from "node:fs";
import { UserInputError } from "../errors.ts";
import { Rng } from "../util/rng.ts";
import { parseSuite, type SuiteItem } from "./registry.ts";
import { splitOf, type Split } from "./split.ts";
import type { Problem } from "./types.ts";

export interface DrawOptions {
  /** A suite spec or name (registry.ts), or its parsed items. */
  suite: string | readonly SuiteItem[];
  split: Split;
  count: number;
  seed: number;
  /** No problem twice (default true); a pretraining corpus may repeat problems. */
  unique?: boolean;
}

/** Keys of the random streams, so that the two splits and the corpus never share one. */
export const STREAM = { train: 1, eval: 2, corpus: 3 } as const;

/** Draws after which a set that finds no new problem gives up (the split has too few). */
const MAX_FRUITLESS_DRAWS = 100_000;

/** Problems of a suite in one split, drawn by seed: the same options always give the same set. */
export function drawProblems(opts: DrawOptions, stream: number = STREAM[opts.split]): Problem[] {
  const items = typeof opts.suite === "string" ? parseSuite(opts.suite) : opts.suite;
  const rng = Rng.derive(opts.seed, stream);
  const seen = new Set<string>();
  const out: Problem[] = [];
  let fruitless = 0;
  while (out.length < opts.count) {
    const item = items[rng.int(items.length)]!;
    const p = item.task.sample(rng, item.level);
    if (splitOf(p.canonical) !== opts.split || ((opts.unique ?? true) && seen.has(p.canonical))) {
      if (++fruitless > MAX_FRUITLESS_DRAWS) {
        throw new UserInputError(`the ${opts.split} split of this task suite has fewer than ${opts.count} distinct problems (found ${out.length}); ask for fewer or add harder levels`);
      }
      continue;
    }
    fruitless = 0;
    seen.add(p.canonical);
    out.push(p);
  }
  return out;
}

/** The JSONL text of a prompt set. */
export function promptSetJsonl(problems: readonly Problem[]): string {
  return problems.map((p) => JSON.stringify({ question: p.question, answer: p.answer }) + "\n").join("");
}

/** Writes a prompt set as JSONL. */
export function writePromptSet(file: string, problems: readonly Problem[]): void {
  writeFileSync(file, promptSetJsonl(problems));
}
