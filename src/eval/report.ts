/**
 * Per-benchmark reports and the files they go to: `report.json` (docs/RUN_DIRECTORY.md,
 * eval/step-N/) and `report.md`, a table for the terminal, and the metric names the trainer
 * logs (`val-core/<benchmark>/acc/mean@N`, `val-aux/<benchmark>/pass@K`, ...).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PromptItem } from "../data/types.ts";
import type { AnswerFormat } from "../rewards/config.ts";
import { scoreItems } from "./metrics.ts";
import { recordKey, writeAtomic, type EvalRecord } from "./records.ts";

/** A sample no engine could produce; it is not scored. */
export interface SampleFailure {
  id: string;
  sample: number;
  error: string;
}

export interface BenchmarkReport {
  name: string;
  /** Items in the benchmark. */
  count: number;
  /** Samples asked per item. */
  n: number;
  /** avg@n: mean over items of the share of correct samples (items without a scored sample left out); null when none. */
  acc: number | null;
  /** Unbiased pass@k by k, over items with at least k scored samples. */
  "pass@k": Record<string, number>;
  /** Majority vote over the first k samples, by k. */
  "maj@k": Record<string, number>;
  /** Mean response length in tokens over samples whose length is known; null when none. */
  response_length: number | null;
  /** Share of scored samples cut by the token limit. */
  truncation_rate: number | null;
  /** Samples graded. */
  scored: number;
  /** Items with at least one graded sample. */
  scored_items: number;
  /** Samples that failed to generate (not scored); the first 100 are listed. */
  failed: number;
  failures: SampleFailure[];
  /** All n samples of every item are graded. */
  complete: boolean;
  /** Answer format graded in. */
  format: AnswerFormat;
}

export function summarize(name: string, items: readonly PromptItem[], n: number, records: readonly EvalRecord[],
  failures: readonly SampleFailure[], complete: boolean, format: AnswerFormat): BenchmarkReport {
  const byId = new Map<string, EvalRecord[]>();
  for (const r of records) {
    const list = byId.get(r.id);
    if (list) list.push(r);
    else byId.set(r.id, [r]);
  }
  const scores = scoreItems(items.map((it) => ({ votes: (byId.get(it.id) ?? []).sort((a, b) => a.sample - b.sample) })), n);
  const lengths = records.flatMap((r) => (r.length === null ? [] : [r.length]));
  const graded = new Set(records.map((r) => recordKey(r.id, r.sample)));
  const failed = failures.filter((f) => !graded.has(recordKey(f.id, f.sample)));
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    name,
    count: items.length,
    n,
    acc: scores.acc,
    "pass@k": scores.passAtK,
    "maj@k": scores.majAtK,
    response_length: mean(lengths),
    truncation_rate: mean(records.map((r) => (r.finish_reason === "length" ? 1 : 0))),
    scored: records.length,
    scored_items: scores.scoredItems,
    failed: failed.length,
    failures: failed.slice(0, 100),
    complete,
    format,
  };
}

/** Writes `report.json` and `report.md` into `outDir` (`step` for the trainer's eval/step-N). */
export function writeEvalReport(outDir: string, reports: readonly BenchmarkReport[], extra: { step?: number } = {}): void {
  const json = { ...(extra.step !== undefined ? { step: extra.step } : {}), complete: reports.every((r) => r.complete), benchmarks: reports };
  writeAtomic(join(outDir, "report.json"), JSON.stringify(json, null, 2) + "\n");
  writeFileSync(join(outDir, "report.md"), markdownReport(reports));
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? "-" : (100 * x).toFixed(1));

/** Header and rows of the summary table (percentages with one decimal). */
function tableRows(reports: readonly BenchmarkReport[]): string[][] {
  const ks = [...new Set(reports.flatMap((r) => Object.keys(r["pass@k"]).map(Number)))].sort((a, b) => a - b).filter((k) => k > 1);
  const header = ["benchmark", "items", "n", "avg@n", ...ks.map((k) => `pass@${k}`), "maj@n", "length", "truncated", "failed"];
  const rows = reports.map((r) => [
    r.complete ? r.name : `${r.name} (partial)`,
    String(r.count),
    String(r.n),
    pct(r.acc),
    ...ks.map((k) => pct(r["pass@k"][k])),
    pct(r["maj@k"][r.n]),
    r.response_length === null ? "-" : r.response_length.toFixed(1),
    pct(r.truncation_rate),
    String(r.failed),
  ]);
  return [header, ...rows];
}

/** The summary as aligned columns, for the terminal. */
export function formatTable(reports: readonly BenchmarkReport[]): string {
  const rows = tableRows(reports);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

export function markdownReport(reports: readonly BenchmarkReport[]): string {
  const [header, ...rows] = tableRows(reports);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const failures = reports.flatMap((r) => r.failures.slice(0, 10).map((f) => `- ${r.name} item ${f.id} sample ${f.sample}: ${f.error}`));
  return [
    "# Evaluation",
    "",
    "Percentages. avg@n: mean share of correct samples per item (the papers' pass@1); pass@k: unbiased estimator (Chen et al. 2021); maj@n: majority vote over the extracted answers (ties: first occurrence); length: mean response tokens; truncated: share cut by the token limit; failed: samples no server produced (not scored).",
    "",
    line(header!),
    line(header!.map((_, c) => (c === 0 ? "---" : "---:"))),
    ...rows.map(line),
    ...(failures.length > 0 ? ["", "## Failed samples (first 10 per benchmark)", "", ...failures] : []),
    "",
  ].join("\n");
}

/** The figures under the trainer's metric names (docs/RUN_DIRECTORY.md). */
export function evalMetrics(report: BenchmarkReport): Record<string, number> {
  const out: Record<string, number> = {};
  const b = report.name;
  if (report.acc !== null) out[`val-core/${b}/acc/mean@${report.n}`] = report.acc;
  for (const [k, v] of Object.entries(report["pass@k"])) out[`val-aux/${b}/pass@${k}`] = v;
  for (const [k, v] of Object.entries(report["maj@k"])) out[`val-aux/${b}/maj@${k}`] = v;
  if (report.response_length !== null) out[`val-aux/${b}/response_length/mean`] = report.response_length;
  if (report.truncation_rate !== null) out[`val-aux/${b}/response_length/clip_ratio`] = report.truncation_rate;
  return out;
}
