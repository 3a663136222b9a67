/**
 * The built-in tasks by name, and suites: which tasks at which levels a prompt set or corpus
 * draws from. A suite is written `task:levels,...` (levels `3` or `2-4`; a task alone means all
 * its levels), or is one of the named suites below. Importing this module registers the tasks'
 * graders, so a suite's grader can be handed to the VerifierPool by name.
 */
import { UserInputError } from "../errors.ts";
import { addTask, mulTask, subTask } from "./arithmetic.ts";
import { countdownTask } from "./countdown.ts";
import "./graders.ts"; // registers the graders the tasks name
import type { Task } from "./types.ts";

export const TASKS: Readonly<Record<string, Task>> = { add: addTask, sub: subTask, mul: mulTask, countdown: countdownTask } as Record<string, Task>;

/** One (task, level) a suite draws from; items are drawn uniformly. */
export interface SuiteItem {
  task: Task;
  level: number;
}

export const NAMED_SUITES: Readonly<Record<string, string>> = {
  /** The default RL and evaluation set: levels where direct answers mostly fail. */
  arith: "add:3-4,sub:3-4,mul:2-3",
  /** The default pretraining corpus: every arithmetic level. */
  "arith-corpus": "add,sub,mul",
  countdown: "countdown:1-2",
};

/** Parses a suite (see the module comment); errors name the part at fault. */
export function parseSuite(spec: string): SuiteItem[] {
  const text = NAMED_SUITES[spec] ?? spec;
  const items: SuiteItem[] = [];
  for (const part of text.split(",").map((s) => s.trim())) {
    const m = /^([a-z]+)(?::(\d+)(?:-(\d+))?)?$/.exec(part);
    const task = m ? TASKS[m[1]!] : undefined;
    if (!m || !task) {
      throw new UserInputError(`task suite "${spec}": "${part}" is not task[:level[-level]] with a task among ${Object.keys(TASKS).join(", ")} (or a suite among ${Object.keys(NAMED_SUITES).join(", ")})`);
    }
    const lo = m[2] === undefined ? task.levels[0]! : Number(m[2]);
    const hi = m[3] === undefined ? (m[2] === undefined ? task.levels[task.levels.length - 1]! : lo) : Number(m[3]);
    if (lo > hi) throw new UserInputError(`task suite "${spec}": "${part}" has an empty level range`);
    for (let level = lo; level <= hi; level++) {
      if (!task.levels.includes(level)) throw new UserInputError(`task suite "${spec}": ${task.name} has levels ${task.levels.join(", ")}, not ${level}`);
      items.push({ task, level });
    }
  }
  return items;
}

/** The one grader that scores every item of a suite; a suite mixing graders is an error. */
export function suiteGrader(items: readonly SuiteItem[]): string {
  const graders = [...new Set(items.map((i) => i.task.grader))];
  if (graders.length !== 1) throw new UserInputError(`a task suite must use one grader, this one mixes ${graders.join(", ")}`);
  return graders[0]!;
}
