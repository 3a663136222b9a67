/**
 * A built-in task as a dataset: problems of a suite drawn by seed from one split, as the
 * PromptItems every data consumer reads, with the grader that scores them. The `data.train` /
 * `data.eval` sections of a run config take this spec beside a file spec.
 */
import { z } from "zod";
import type { PromptItem } from "../data/types.ts";
import { parseSuite, suiteGrader } from "./registry.ts";
import { drawProblems } from "./sets.ts";
import type { Problem } from "./types.ts";

export const TaskSetSpecSchema = z.strictObject({
  task: z.string().min(1).describe("a built-in task suite: arith (add:3-4,sub:3-4,mul:2-3), countdown, or task:levels,... (docs/TASKS.md)"),
  split: z.enum(["train", "eval"]).optional().describe("which split problems come from (default: train for data.train, eval for data.eval); the splits never share a problem"),
  count: z.number().int().positive().default(1000).describe("number of problems (all different)"),
  seed: z.number().int().nonnegative().default(0).describe("seed of the draw (another seed, other problems of the same split)"),
  name: z.string().min(1).optional().describe("name in reports (default: the suite and split, e.g. arith-eval)"),
});

export type TaskSetSpec = z.output<typeof TaskSetSpecSchema>;

export interface TaskSet {
  name: string;
  items: PromptItem[];
  /** The registered grader of the suite (e.g. task:arith). */
  grader: string;
  /** The problems behind the items (item i is problem i), with their task and level. */
  problems: Problem[];
}

export function taskSet(spec: TaskSetSpec, defaultSplit: "train" | "eval"): TaskSet {
  const suite = parseSuite(spec.task);
  const split = spec.split ?? defaultSplit;
  const problems = drawProblems({ suite, split, count: spec.count, seed: spec.seed });
  return {
    name: spec.name ?? `${spec.task}-${split}`,
    items: problems.map((p, i) => ({ id: String(i), question: p.question, answer: p.answer })),
    grader: suiteGrader(suite),
    problems,
  };
}
