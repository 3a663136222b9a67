/**
 * Finding runs under the runs directory and reading what describes one (docs/RUN_DIRECTORY.md).
 *
 * A run is a directory holding run.json or metrics.jsonl; the search goes a few levels deep
 * (so `rlzero compare`'s OUT/runs/<algorithm>-seed<k>/ are found) and never descends into a
 * run. Listing reads run.json only; the config, summary and evaluation reports are read when
 * one run is opened. A run named `<algorithm>-seed<k>` is one seed of a comparison: its
 * siblings with the same algorithm form a group, named by the comparison's directory.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { resolveInside } from "./safe-path.ts";

const RunJsonSchema = z
  .object({
    status: z.enum(["running", "finished", "failed", "interrupted"]),
    started: z.string(),
    updated: z.string(),
    step: z.number().int(),
    total_steps: z.number().int(),
    kind: z.enum(["train", "pretrain"]),
  })
  .partial();

export type RunJson = z.infer<typeof RunJsonSchema>;

export interface RunEntry extends RunJson {
  /** The run's path relative to the runs directory, "/"-separated ("." for the directory itself). */
  id: string;
  name: string;
  /** For one seed of a comparison: the comparison's directory id, the algorithm and the seed. */
  compare: string | null;
  algorithm: string | null;
  seed: number | null;
  /** What could not be read, e.g. "run.json: not valid JSON". */
  problems: string[];
}

export interface EvalReport {
  step: number;
  report: unknown;
  /** The `<benchmark>.jsonl` response files, relative to the runs directory. */
  responseFiles: string[];
}

export interface RunDetails {
  id: string;
  run: RunJson | null;
  config: unknown;
  configText: string | null;
  summary: unknown;
  evals: EvalReport[];
  problems: string[];
}

const MAX_DEPTH = 4;
const SEED_NAME = /^(.+)-seed(\d+)$/;

/** Joins run-relative segments into an id ("/"-separated, "." for the root). */
function joinId(...parts: string[]): string {
  const joined = path.posix.join(...parts);
  return joined === "" ? "." : joined;
}

/** The text of `rel` under `root`, or null if it is absent or outside. */
async function readInside(root: string, rel: string): Promise<string | null> {
  const resolved = await resolveInside(root, rel);
  if (!resolved.ok) return null;
  try {
    return await readFile(resolved.path, "utf8");
  } catch {
    return null;
  }
}

/** Parses a JSON file of the run; a problem is recorded, not thrown, so one bad file hides nothing else. */
async function readJson(root: string, rel: string, problems: string[]): Promise<unknown> {
  const text = await readInside(root, rel);
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    problems.push(`${path.posix.basename(rel)}: not valid JSON (${(err as Error).message})`);
    return null;
  }
}

async function readRunJson(root: string, id: string, problems: string[]): Promise<RunJson | null> {
  const value = await readJson(root, joinId(id, "run.json"), problems);
  if (value === null) return null;
  const parsed = RunJsonSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.push(`run.json: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return null;
}

async function runEntry(root: string, id: string): Promise<RunEntry> {
  const problems: string[] = [];
  const run = await readRunJson(root, id, problems);
  const name = id === "." ? path.basename(root) : path.posix.basename(id);
  const seedMatch = SEED_NAME.exec(name);
  const parent = path.posix.dirname(id);
  const compare = !seedMatch ? null : path.posix.basename(parent) === "runs" ? joinId(path.posix.dirname(parent)) : joinId(parent);
  return {
    ...run,
    id,
    name,
    compare,
    algorithm: seedMatch ? seedMatch[1] : null,
    seed: seedMatch ? Number(seedMatch[2]) : null,
    problems,
  };
}

/** Every run under the real directory `root`, sorted by id. */
export async function findRuns(root: string): Promise<RunEntry[]> {
  const ids: string[] = [];
  const visited = new Set<string>();
  async function visit(id: string, depth: number): Promise<void> {
    const resolved = await resolveInside(root, id);
    if (!resolved.ok || visited.has(resolved.path)) return;
    visited.add(resolved.path);
    let entries;
    try {
      entries = await readdir(resolved.path, { withFileTypes: true });
    } catch {
      return; // not a directory, or unreadable
    }
    if (entries.some((e) => e.name === "run.json" || e.name === "metrics.jsonl")) {
      ids.push(id);
      return;
    }
    if (depth === MAX_DEPTH) return;
    entries.sort((a, b) => a.name.localeCompare(b.name)); // a run reached twice (a symlink) is listed under its first name
    for (const e of entries) {
      if ((e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith(".") && e.name !== "node_modules") await visit(joinId(id, e.name), depth + 1);
    }
  }
  await visit(".", 0);
  ids.sort();
  return Promise.all(ids.map((id) => runEntry(root, id)));
}

async function readEvals(root: string, id: string, problems: string[]): Promise<EvalReport[]> {
  const evalDir = await resolveInside(root, joinId(id, "eval"));
  if (!evalDir.ok) return [];
  let names: string[];
  try {
    names = await readdir(evalDir.path);
  } catch {
    return [];
  }
  const evals: EvalReport[] = [];
  for (const name of names) {
    const m = /^step-(\d+)$/.exec(name);
    if (!m) continue;
    const stepId = joinId(id, "eval", name);
    const stepDir = await resolveInside(root, stepId);
    if (!stepDir.ok) continue;
    const files = await readdir(stepDir.path).catch(() => [] as string[]);
    evals.push({
      step: Number(m[1]),
      report: await readJson(root, joinId(stepId, "report.json"), problems),
      responseFiles: files.filter((f) => f.endsWith(".jsonl")).sort().map((f) => joinId(stepId, f)),
    });
  }
  return evals.sort((a, b) => a.step - b.step);
}

/** The resolved config, run.json, summary and evaluation reports of the run `id`. */
export async function runDetails(root: string, id: string): Promise<RunDetails> {
  const problems: string[] = [];
  const configText = await readInside(root, joinId(id, "config.yaml"));
  let config: unknown = null;
  if (configText !== null) {
    try {
      config = parseYaml(configText);
    } catch (err) {
      problems.push(`config.yaml: ${(err as Error).message}`);
    }
  }
  return {
    id,
    run: await readRunJson(root, id, problems),
    config,
    configText,
    summary: await readJson(root, joinId(id, "summary.json"), problems),
    evals: await readEvals(root, id, problems),
    problems,
  };
}
