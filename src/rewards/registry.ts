/**
 * Registry of reward graders by name — built-ins (math formats, choice, countdown) plus
 * graders registered by tasks (arithmetic will plug in here) — and loading of a user's
 * reward from a TS/JS module named in the config. A user module must export a `Grader`
 * (`default` or `grader`), or a function `(input) => Verdict | boolean | number` (a number
 * > 0 counts as correct). Simplification: a user module runs in-process and unsandboxed — it
 * is the user's own code, not model output.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseVerifierConfig } from "./config.ts";
import { countdownGrader } from "./countdown.ts";
import { mathGrader } from "./math.ts";
import type { GradeInput, Grader, Verdict } from "./types.ts";

const registry = new Map<string, Grader>();

/** Registers a grader under its name; throws on a duplicate. */
export function registerGrader(g: Grader): void {
  if (registry.has(g.name)) throw new Error(`a reward named "${g.name}" is already registered`);
  registry.set(g.name, g);
}

/** Looks a grader up by name ("math:orz", "math:boxed", "math:auto", "math:choice", "countdown", or registered ones). */
export function getGrader(name: string): Grader {
  const g = registry.get(name);
  if (g) return g;
  const m = /^math:(orz|boxed|auto|choice)$/.exec(name);
  if (m) return mathGrader(parseVerifierConfig({ format: m[1] }));
  throw new Error(`unknown reward "${name}"; known: math:orz, math:boxed, math:auto, math:choice, countdown${registry.size ? ", " + [...registry.keys()].join(", ") : ""}`);
}

registerGrader(countdownGrader);

function toVerdict(out: unknown): Verdict {
  if (typeof out === "boolean") return { correct: out, extracted: null, reason: out ? "correct" : "wrong_answer" };
  if (typeof out === "number") return { correct: out > 0, extracted: null, reason: out > 0 ? "correct" : "wrong_answer" };
  const v = out as Verdict;
  if (v && typeof v === "object" && typeof v.correct === "boolean") {
    return { correct: v.correct, extracted: v.extracted ?? null, reason: v.reason ?? (v.correct ? "correct" : "wrong_answer"), detail: v.detail };
  }
  throw new Error("user reward returned neither a Verdict, a boolean nor a number");
}

/** Loads a user reward module (path relative to the working directory). */
export async function loadUserGrader(modulePath: string): Promise<Grader> {
  const url = pathToFileURL(resolve(modulePath)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot load reward module ${modulePath}: ${(e as Error).message}`);
  }
  const exp = mod.grader ?? mod.default;
  if (exp && typeof exp === "object" && typeof (exp as Grader).grade === "function") {
    const g = exp as Grader;
    return { name: g.name ?? modulePath, grade: async (input: GradeInput) => toVerdict(await g.grade(input)) };
  }
  if (typeof exp === "function") {
    const f = exp as (input: GradeInput) => unknown;
    return { name: modulePath, grade: async (input: GradeInput) => toVerdict(await f(input)) };
  }
  throw new Error(`reward module ${modulePath} must export a Grader or a function as "default" or "grader"`);
}
