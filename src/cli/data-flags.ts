/**
 * Where the items of `rlzero eval` and `rlzero curate` come from: benchmark names (presets)
 * or data files, with the field flags applying to files; or, for `rlzero eval --task`, a
 * built-in task's problems drawn by seed from one split, with the suite's grader.
 */
import { existsSync } from "node:fs";
import { UserInputError } from "../errors.ts";
import { loadDataset, type Dataset } from "../data/load.ts";
import { isPresetName, PRESET_NAMES } from "../data/presets.ts";
import type { DatasetSpecInput } from "../data/spec.ts";
import { taskSet, type TaskSet } from "../tasks/dataset.ts";

export interface DataFlags {
  dataDir?: string;
  questionField?: string;
  answerField?: string;
  choicesField?: string;
  idField?: string;
  answerParse?: string;
  skipMalformed?: boolean;
  limit?: number;
  choiceSeed?: number;
}

/** The spec of one `--benchmarks` / `--data` entry: a preset name or a file. */
export function specFor(entry: string, f: DataFlags): DatasetSpecInput {
  const common = {
    ...(f.limit !== undefined ? { limit: f.limit } : {}),
    ...(f.skipMalformed ? { on_malformed: "skip" as const } : {}),
    ...(f.choiceSeed !== undefined ? { choice_seed: f.choiceSeed } : {}),
  };
  if (isPresetName(entry)) return { preset: entry, ...(f.dataDir ? { data_dir: f.dataDir } : {}), ...common };
  if (!existsSync(entry)) throw new UserInputError(`"${entry}" is neither a benchmark (${PRESET_NAMES.join(", ")}) nor a file`);
  return {
    path: entry,
    ...(f.questionField ? { question_field: f.questionField } : {}),
    ...(f.answerField ? { answer_field: f.answerField } : {}),
    ...(f.choicesField ? { choices_field: f.choicesField } : {}),
    ...(f.idField ? { id_field: f.idField } : {}),
    ...(f.answerParse ? { answer_parse: f.answerParse as DatasetSpecInput["answer_parse"] } : {}),
    ...common,
  };
}

/** Loads each entry, printing a line per dataset (items, skipped rows, duplicates) on stderr. */
export async function loadSources(entries: readonly string[], f: DataFlags): Promise<Dataset[]> {
  const out: Dataset[] = [];
  for (const entry of entries) {
    const d = await loadDataset(specFor(entry, f));
    if (out.some((o) => o.name === d.name)) throw new UserInputError(`two datasets are named "${d.name}"; rename a file`);
    const notes = [d.skipped ? `${d.skipped} malformed rows skipped (first: ${d.skippedRows[0]})` : "", d.duplicates.length ? `${d.duplicates.length} duplicate questions` : ""].filter(Boolean);
    console.error(`${d.name}: ${d.items.length} items from ${d.path}${notes.length ? `; ${notes.join("; ")}` : ""}`);
    out.push(d);
  }
  return out;
}

export interface TaskFlags {
  task: string;
  count: number;
  seed: number;
  split: "train" | "eval";
}

/** `--task NAME --count N --seed S --split eval|train`: the task's problems, printing a line on stderr. */
export function loadTaskSource(f: TaskFlags): TaskSet {
  const set = taskSet({ task: f.task, count: f.count, seed: f.seed, split: f.split }, "eval");
  console.error(`${set.name}: ${set.items.length} problems of ${f.task} (${f.split} split, seed ${f.seed}), graded by ${set.grader}`);
  return set;
}
