/**
 * The `data` section of a run configuration, and of `rlzero eval` / `rlzero curate`: which file
 * (a preset name or a path), how to read it, and which fields hold the question, the answer,
 * the choices and the id. Keys are snake_case; unknown keys are errors.
 */
import { z } from "zod";
import { UserInputError } from "../errors.ts";
import { PRESET_NAMES } from "./presets.ts";

export const DatasetSpecSchema = z
  .strictObject({
    preset: z.enum(PRESET_NAMES).optional()
      .describe(`a dataset by name, read from the data directory: ${PRESET_NAMES.join(", ")}`),
    path: z.string().min(1).optional()
      .describe("a data file (JSONL, JSON, Parquet or the Open-Reasoner-Zero JSON format); with a preset, replaces the preset's file"),
    name: z.string().min(1).optional()
      .describe("name in reports and file names (default: the preset name, or the file name without its extension)"),
    data_dir: z.string().min(1).optional()
      .describe("directory that preset files are read from (default: ../shared/data next to the repository)"),
    format: z.enum(["auto", "jsonl", "json", "parquet", "orz"]).default("auto")
      .describe("file format: auto (from the extension; a .json list of two-element lists is the Open-Reasoner-Zero format), jsonl, json, parquet, orz"),
    question_field: z.string().min(1).optional()
      .describe("field holding the question; dotted paths reach into nested objects and lists (prompt.0.value) (default: question, or the preset's)"),
    answer_field: z.string().min(1).optional()
      .describe("field holding the reference answer (default: answer, or the preset's)"),
    choices_field: z.string().min(1).optional()
      .describe("field holding multiple-choice options, a list or an object keyed by letter; the answer is then a letter (default: none, or the preset's)"),
    id_field: z.string().min(1).optional()
      .describe("field holding a unique item id (default: the preset's, or `id` when a file's first row has one; without one, the row number from 0)"),
    answer_parse: z.enum(["plain", "last_boxed", "gsm8k", "list"]).optional()
      .describe("how the answer is read from its field: plain, last_boxed (the last \\boxed{} of a solution), gsm8k (the text after ####), list (a list joined with \", \") (default: plain, or the preset's)"),
    choice_seed: z.number().int().min(0).nullable().default(0)
      .describe("multiple choice: seed of the per-item shuffle of the choices (item i uses the stream (seed, i)); null keeps the file's order"),
    on_malformed: z.enum(["error", "skip"]).optional()
      .describe("a row without a usable question or answer: error (stop, naming file and line) or skip (count it and go on) (default: error; skip for math_train, two of whose rows have empty answers)"),
    limit: z.number().int().positive().optional()
      .describe("use only the first N items"),
  })
  .refine((s) => s.preset !== undefined || s.path !== undefined, { message: "give a preset or a path" });

export type DatasetSpec = z.output<typeof DatasetSpecSchema>;
export type DatasetSpecInput = z.input<typeof DatasetSpecSchema>;

/** Validates a spec; the error names each bad key. */
export function parseDatasetSpec(input: unknown, what = "data"): DatasetSpec {
  return parseWith(DatasetSpecSchema, input, what);
}

/** Parses with a zod schema; a failure is a UserInputError listing `what.key: problem` for each issue. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const keys = i.code === "unrecognized_keys" ? ` (${i.keys.join(", ")})` : "";
    return `${[what, ...i.path].join(".")}: ${i.message}${keys}`;
  });
  throw new UserInputError(`invalid ${what}: ${issues.join("; ")}`);
}
