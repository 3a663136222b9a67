/**
 * Registry of reward graders by name — built-ins (math formats, choice, countdown) plus
 * graders registered by tasks and users, each with the URL of the module that registers it, so
 * that the worker threads of the pool can import it and find it there too — and loading of a user's
 * reward from a TS/JS module named in the config. A user module must export a `Grader`
 * (`default` or `grader`), or a function `(input) => Verdict | boolean | number` (a number
 * > 0 counts as correct). Errors (missing file, missing export, a return value of another
 * type) name the module. Simplification: a user module runs in-process and unsandboxed — it
 * is the user's own code, not model output.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseVerifierConfig } from "./config.ts";
import { countdownGrader } from "./countdown.ts";
import { mathGrader } from "./math.ts";
import type { GradeInput, Grader, Reason, Verdict } from "./types.ts";

const registry = new Map<string, { grader: Grader; module: string | undefined }>();

/**
 * Registers a grader under its name; throws on a duplicate. `module` is the URL of the module
 * that makes this call at its top level (pass `import.meta.url`): the pool's workers import it
 * to find the grader in their own registry.
 */
export function registerGrader(g: Grader, module: string): void {
  if (registry.has(g.name)) throw new Error(`a reward named "${g.name}" is already registered`);
  registry.set(g.name, { grader: g, module });
}

/** The module a worker imports to find a registered grader (undefined: built in). */
export function graderModule(name: string): string | undefined {
  const entry = registry.get(name);
  if (!entry) getGrader(name); // throws the unknown-reward error for names that are not built in
  return entry?.module;
}

/** Looks a grader up by name ("math:orz", "math:boxed", "math:auto", "math:choice", "countdown", or registered ones). */
export function getGrader(name: string): Grader {
  const g = registry.get(name)?.grader;
  if (g) return g;
  const m = /^math:(orz|boxed|auto|choice)$/.exec(name);
  if (m) return mathGrader(parseVerifierConfig({ format: m[1] }));
  throw new Error(`unknown reward "${name}"; known: math:orz, math:boxed, math:auto, math:choice, countdown${registry.size ? ", " + [...registry.keys()].join(", ") : ""}`);
}

// Built into rewards/, which every worker loads: no module to import.
registry.set(countdownGrader.name, { grader: countdownGrader, module: undefined });

const REASONS: ReadonlySet<string> = new Set<Reason>(["correct", "wrong_answer", "no_answer", "truncated", "too_large", "invalid_input", "timeout", "error"]);

/** Converts what a user reward returned into a verdict; `source` names the module in errors. */
function toVerdict(out: unknown, source: string): Verdict {
  if (typeof out === "boolean") return { correct: out, extracted: null, reason: out ? "correct" : "wrong_answer" };
  if (typeof out === "number") {
    if (Number.isNaN(out)) throw new Error(`reward module ${source} returned NaN`);
    return { correct: out > 0, extracted: null, reason: out > 0 ? "correct" : "wrong_answer" };
  }
  const v = out as Partial<Verdict> | null;
  if (v && typeof v === "object" && typeof v.correct === "boolean") {
    if (v.reason !== undefined && !REASONS.has(v.reason)) {
      throw new Error(`reward module ${source} returned an unknown reason "${String(v.reason)}" (known: ${[...REASONS].join(", ")})`);
    }
    return { correct: v.correct, extracted: v.extracted ?? null, reason: v.reason ?? (v.correct ? "correct" : "wrong_answer"), detail: v.detail };
  }
  throw new Error(`reward module ${source} returned ${JSON.stringify(out) ?? String(out)}; expected a Verdict ({correct: boolean, ...}), a boolean or a number`);
}

/** Loads a user reward module (path relative to the working directory); errors name the file. */
export async function loadUserGrader(modulePath: string): Promise<Grader> {
  const file = resolve(modulePath);
  if (!existsSync(file)) throw new Error(`reward module ${modulePath} does not exist (resolved to ${file})`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot load reward module ${modulePath}: ${(e as Error).message}`);
  }
  const exp = mod.grader ?? mod.default;
  if (exp && typeof exp === "object" && typeof (exp as Grader).grade === "function") {
    const g = exp as Grader;
    return { name: g.name ?? modulePath, grade: async (input: GradeInput) => toVerdict(await g.grade(input), modulePath) };
  }
  if (typeof exp === "function") {
    const f = exp as (input: GradeInput) => unknown;
    return { name: modulePath, grade: async (input: GradeInput) => toVerdict(await f(input), modulePath) };
  }
  const names = Object.keys(mod);
  throw new Error(
    `reward module ${modulePath} must export a Grader ({name, grade(input)}) or a function (input) => Verdict | boolean | number, as "default" or "grader"; it exports ${names.length ? names.join(", ") : "nothing"}`,
  );
}
