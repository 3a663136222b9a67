/**
 * Datasets by name: the public benchmark and training files in the project's shared data
 * directory (`../shared/data/` next to the repository; see its README for provenance), each
 * with its fields and the way its reference answer is stored.
 */
import { fileURLToPath } from "node:url";

/** How a reference answer is read from its field. */
export type AnswerParse =
  /** the value itself (numbers printed) */
  | "plain"
  /** the last `\boxed{}` of a worked solution (Minerva Math) */
  | "last_boxed"
  /** the text after `####`, thousands separators removed (GSM8K) */
  | "gsm8k"
  /** a list of answers joined with ", ", each without surrounding `$` (OlympiadBench) */
  | "list";

export interface Preset {
  /** Path relative to the data directory. */
  file: string;
  question: string;
  answer: string;
  parse: AnswerParse;
  id?: string;
  choices?: string;
  /** What to do with malformed rows unless the spec says (default: error). */
  onMalformed?: "skip";
}

export const PRESETS = {
  math500: { file: "eval/math500.jsonl", question: "problem", answer: "answer", parse: "plain", id: "unique_id" },
  aime2024: { file: "eval/aime2024.jsonl", question: "problem", answer: "answer", parse: "plain", id: "id" },
  aime2025: { file: "eval/aime2025.jsonl", question: "problem", answer: "answer", parse: "plain", id: "id" },
  gpqa_diamond: { file: "eval/gpqa_diamond.json", question: "prompt.0.value", answer: "final_answer", parse: "plain", choices: "choices" },
  minerva_math: { file: "eval/minerva_math.jsonl", question: "problem", answer: "solution", parse: "last_boxed", id: "idx" },
  olympiadbench: { file: "eval/olympiadbench.jsonl", question: "question", answer: "final_answer", parse: "list", id: "id" },
  amc23: { file: "eval/amc23.jsonl", question: "problem", answer: "answer", parse: "plain", id: "id" },
  gsm8k: { file: "eval/gsm8k.jsonl", question: "question", answer: "answer", parse: "gsm8k" },
  gsm8k_train: { file: "train/gsm8k_train.jsonl", question: "question", answer: "answer", parse: "gsm8k" },
  // Rows 5055 and 5159 of this file have empty answers (their problems are multiple choice
  // without the choices' letters kept): skipped and counted by default.
  math_train: { file: "train/math_level3to5_train.parquet", question: "question", answer: "gt_answer", parse: "plain", onMalformed: "skip" },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];

/** Fields of the Open-Reasoner-Zero format: `[{"from":"human","value":Q}, {"from":"assistant","ground_truth":{"value":A}}]`. */
export const ORZ_FIELDS = { question: "0.value", answer: "1.ground_truth.value" } as const;

/** `<repository>/../shared/data`, found from this module (the same from src/ and dist/). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../../shared/data/", import.meta.url));

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}
