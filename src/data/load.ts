/**
 * `loadDataset(spec)`: a data file (or preset) as PromptItems. Each row's question, answer,
 * choices and id are read by field path; the answer is parsed as the spec says (a plain
 * field, the last `\boxed{}` of a solution, the number after `####`, a list); multiple-choice
 * items get their choices shuffled and written into the question (choices.ts). A row without
 * a usable question or answer is an error naming the file and line, or, with
 * `on_malformed: skip`, skipped and counted. Duplicate questions are reported, not removed
 * (curation removes them).
 */
import { existsSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { UserInputError } from "../errors.ts";
import { lastBoxed } from "../rewards/extract/braces.ts";
import { choiceList, shuffleChoices } from "./choices.ts";
import { findDuplicates, type Duplicate } from "./dedup.ts";
import { describeRow, getPath, isRecord } from "./fields.ts";
import { DEFAULT_DATA_DIR, ORZ_FIELDS, PRESETS, type AnswerParse } from "./presets.ts";
import { formatFromName, readRows, type Row, type RowFormat } from "./readers.ts";
import { parseDatasetSpec, type DatasetSpecInput } from "./spec.ts";
import type { PromptItem } from "./types.ts";

export interface Dataset {
  name: string;
  /** The file read. */
  path: string;
  items: PromptItem[];
  /** Rows skipped as malformed (`on_malformed: skip`); their messages are in `skippedRows`. */
  skipped: number;
  skippedRows: string[];
  duplicates: Duplicate[];
}

/** Where the fields are and how the answer is read, once preset, format and spec are merged. */
interface Mapping {
  question: string;
  answer: string;
  parse: AnswerParse;
  id?: string;
  choices?: string;
}

export async function loadDataset(input: DatasetSpecInput): Promise<Dataset> {
  const spec = parseDatasetSpec(input);
  const preset = spec.preset ? PRESETS[spec.preset] : undefined;
  const file = spec.path !== undefined ? resolve(spec.path) : resolve(spec.data_dir ?? DEFAULT_DATA_DIR, preset!.file);
  if (!existsSync(file)) {
    const hint = spec.path === undefined ? ` (preset ${spec.preset}; set data_dir / --data-dir to the directory holding ${preset!.file})` : "";
    throw new UserInputError(`${file}: file not found${hint}`);
  }
  const rowFormat: RowFormat | null = spec.format === "auto" ? formatFromName(file) : spec.format === "orz" ? "json" : spec.format;
  if (rowFormat === null) throw new UserInputError(`${file}: cannot tell the format from the file name; set format (jsonl, json, parquet, orz)`);
  const rows = await readRows(file, rowFormat);
  const orz = spec.format === "orz" || (spec.format === "auto" && rowFormat === "json" && !preset && Array.isArray(rows[0]?.value));
  const base: Partial<Mapping> = preset ?? (orz ? ORZ_FIELDS : {});
  const mapping: Mapping = {
    question: spec.question_field ?? base.question ?? "question",
    answer: spec.answer_field ?? base.answer ?? "answer",
    parse: spec.answer_parse ?? base.parse ?? "plain",
    // A file of our own making (curation's kept.jsonl) has ids under "id".
    id: spec.id_field ?? base.id ?? (!preset && isRecord(rows[0]?.value) && "id" in rows[0].value ? "id" : undefined),
    choices: spec.choices_field ?? base.choices,
  };

  const onMalformed = spec.on_malformed ?? (preset && "onMalformed" in preset ? preset.onMalformed : "error");
  const items: PromptItem[] = [];
  const skippedRows: string[] = [];
  const ids = new Map<string, string>();
  for (const row of rows) {
    if (spec.limit !== undefined && items.length >= spec.limit) break;
    const item = toItem(row, mapping, spec.choice_seed);
    const problem = typeof item === "string" ? item : ids.has(item.id) ? `id "${item.id}" is used again (first at ${ids.get(item.id)})` : null;
    if (problem !== null) {
      const message = `${row.where}: ${problem}`;
      if (onMalformed === "error") throw new UserInputError(`${message} (set on_malformed: skip / --skip-malformed to skip such rows)`);
      skippedRows.push(message);
      continue;
    }
    const ok = item as PromptItem;
    ids.set(ok.id, row.where);
    items.push(ok);
  }
  const name = spec.name ?? spec.preset ?? basename(file, extname(file));
  return { name, path: file, items, skipped: skippedRows.length, skippedRows, duplicates: findDuplicates(items) };
}

/** One row as an item, or what is wrong with it. */
function toItem(row: Row, m: Mapping, choiceSeed: number | null): PromptItem | string {
  if (row.error !== undefined) return row.error;
  const question = getPath(row.value, m.question);
  if (typeof question !== "string" || question.trim() === "") {
    return `question field "${m.question}" is ${question === undefined ? "missing" : "not a non-empty string"} (${describeRow(row.value)})`;
  }
  const raw = getPath(row.value, m.answer);
  if (raw === undefined || raw === null) return `answer field "${m.answer}" is missing (${describeRow(row.value)})`;
  const answer = parseAnswer(raw, m.parse);
  if (answer === null) return `answer field "${m.answer}" has no answer to read as ${m.parse}`;
  let id = String(row.index);
  if (m.id !== undefined) {
    const v = getPath(row.value, m.id);
    if (typeof v !== "string" && typeof v !== "number") return `id field "${m.id}" is missing or not a string or number`;
    id = String(v);
  }
  if (m.choices === undefined) return { id, question, answer };
  const choices = choiceList(getPath(row.value, m.choices));
  if (choices === null) return `choices field "${m.choices}" is not a list or an object keyed by letter`;
  if (typeof answer !== "string") return `answer field "${m.answer}" must be a letter for multiple choice`;
  const shuffled = shuffleChoices(question, choices, answer, choiceSeed, row.index);
  return typeof shuffled === "string" ? shuffled : { id, ...shuffled };
}

/** The reference answer as the parse mode reads it; null when there is none. Non-text values pass through `plain` (task data). */
function parseAnswer(raw: unknown, parse: AnswerParse): unknown {
  switch (parse) {
    case "plain":
      if (typeof raw === "number") return Number.isFinite(raw) ? String(raw) : null;
      return typeof raw === "string" ? (raw.trim() === "" ? null : raw) : raw;
    case "last_boxed":
      return typeof raw === "string" ? nonEmpty(lastBoxed(raw)) : null;
    case "gsm8k": {
      const m = typeof raw === "string" ? /####\s*(.+?)\s*$/.exec(raw) : null;
      return m ? nonEmpty(m[1]!.replace(/(\d),(?=\d{3}\b)/g, "$1")) : null;
    }
    case "list": {
      const list = Array.isArray(raw) ? raw : [raw];
      const parts = list.map((a) => (typeof a === "string" || typeof a === "number" ? String(a).trim().replace(/^\$+|\$+$/g, "").trim() : ""));
      return parts.length > 0 && parts.every((p) => p !== "") ? parts.join(", ") : null;
    }
  }
}

function nonEmpty(s: string | null): string | null {
  return s === null || s.trim() === "" ? null : s.trim();
}
