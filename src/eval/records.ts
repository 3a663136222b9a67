/**
 * The responses of one benchmark on disk, `<outDir>/<benchmark>.jsonl`, one graded sample a
 * line (docs/RUN_DIRECTORY.md, eval/step-N/), which is also the cache that lets an interrupted
 * evaluation continue: lines are appended as samples are graded, and a sample already there
 * (same item id, sample index and prompt) is not asked for again. `settings.json` beside it
 * records, per benchmark, what the samples were made with (engine, sampling, seeds, answer
 * format); asking for other settings in the same directory is an error unless the cache is
 * discarded. A partial last line (a killed write) is dropped when the file is opened.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserInputError } from "../errors.ts";
import type { FinishReason } from "../rollout/engine.ts";
import type { Reason } from "../rewards/types.ts";

/** One graded sample, as written to `<benchmark>.jsonl`. */
export interface EvalRecord {
  id: string;
  sample: number;
  response: string;
  extracted: string | null;
  correct: boolean;
  reason: Reason;
  /** Response length in tokens; null when the engine did not say. */
  length: number | null;
  finish_reason: FinishReason;
  /** The reference answer. */
  answer: unknown;
  /** First 16 hex digits of the SHA-256 of the prompt text. */
  prompt_hash: string;
}

export class RecordFile {
  readonly file: string;
  /** Records read from an earlier run, by `id` and sample index. */
  readonly cached = new Map<string, EvalRecord>();

  /** Opens (creating) the records of `name` in `outDir`; `overwrite` discards records made with other settings. */
  constructor(outDir: string, name: string, settings: Record<string, unknown>, overwrite: boolean) {
    mkdirSync(outDir, { recursive: true });
    this.file = join(outDir, `${name}.jsonl`);
    const settingsFile = join(outDir, "settings.json");
    const all = existsSync(settingsFile) ? (JSON.parse(readFileSync(settingsFile, "utf8")) as Record<string, unknown>) : {};
    const before = all[name];
    const changed = before === undefined ? null : firstDifference(before, settings);
    if (changed !== null && !overwrite && existsSync(this.file)) {
      throw new UserInputError(`${this.file}: made with other settings (${changed}); use another output directory, or --overwrite to discard these responses`);
    }
    if (changed !== null || !existsSync(this.file)) writeFileSync(this.file, "");
    writeAtomic(settingsFile, JSON.stringify({ ...all, [name]: settings }, null, 2) + "\n");
    this.readCached();
  }

  private readCached(): void {
    const text = readFileSync(this.file, "utf8");
    const end = text.lastIndexOf("\n") + 1;
    if (end < text.length) truncateSync(this.file, Buffer.byteLength(text.slice(0, end)));
    for (const line of text.slice(0, end).split("\n")) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as EvalRecord;
        if (typeof r.id === "string" && Number.isInteger(r.sample) && typeof r.response === "string") this.cached.set(recordKey(r.id, r.sample), r);
      } catch {
        // a line that does not parse is not a cached sample
      }
    }
  }

  append(records: readonly EvalRecord[]): void {
    if (records.length > 0) appendFileSync(this.file, records.map((r) => JSON.stringify(r) + "\n").join(""));
  }

  /** Replaces the file with exactly `records` (in their order). */
  rewrite(records: readonly EvalRecord[]): void {
    writeAtomic(this.file, records.map((r) => JSON.stringify(r) + "\n").join(""));
  }
}

export function recordKey(id: string, sample: number): string {
  return `${id}\u0000${sample}`;
}

/** Writes through a temporary file and a rename, so readers never see half a file. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The first top-level key whose value differs, as "key: old -> new", or null. */
function firstDifference(before: unknown, now: Record<string, unknown>): string | null {
  const old = (typeof before === "object" && before !== null ? before : {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    const a = JSON.stringify(old[key]);
    const b = JSON.stringify(now[key]);
    if (a !== b) return `${key}: ${a ?? "unset"} -> ${b ?? "unset"}`;
  }
  return null;
}
