/**
 * samples.jsonl, read a step at a time. The index maps each step (and each prompt_key) to the
 * byte ranges of its lines; it is built the first time a run's samples are asked for and
 * extended from where it stopped as the file grows, so a request parses only the lines it
 * returns and a run nobody opens costs nothing. A replaced or truncated file is indexed anew.
 */
import { stat } from "node:fs/promises";
import { fileIdentity, readRange, splitJsonl, type JsonObject } from "./jsonl.ts";

interface Span {
  start: number;
  end: number;
}

const CHUNK = 1 << 20;

/** Appends [start, end) to `spans`, merging it into the last span when the lines are adjacent. */
function addSpan(spans: Span[], start: number, end: number): void {
  const last = spans[spans.length - 1];
  if (last && start - last.end <= 1) last.end = end;
  else spans.push({ start, end });
}

export class SampleIndex {
  private identity = "";
  private scanned = 0;
  private byStep = new Map<number, Span[]>();
  private byPrompt = new Map<string, Span[]>();
  private counts = new Map<number, number>();
  private pending: Promise<void> | null = null;

  constructor(readonly file: string) {}

  /** Indexes the lines appended since the last call (concurrent callers share one scan). */
  refresh(): Promise<void> {
    this.pending ??= this.scan().finally(() => (this.pending = null));
    return this.pending;
  }

  /** The steps that have samples, ascending, with their sample counts. */
  steps(): { step: number; count: number }[] {
    return [...this.counts].map(([step, count]) => ({ step, count })).sort((a, b) => a.step - b.step);
  }

  forStep(step: number): Promise<JsonObject[]> {
    return this.read(this.byStep.get(step) ?? []);
  }

  forPrompt(promptKey: string): Promise<JsonObject[]> {
    return this.read(this.byPrompt.get(promptKey) ?? []);
  }

  private async scan(): Promise<void> {
    let info;
    try {
      info = await stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      info = null;
    }
    const id = info ? fileIdentity(info) : "";
    const size = info?.size ?? 0;
    if (id !== this.identity || size < this.scanned) this.clear(id);
    let chunk = CHUNK;
    while (this.scanned < size) {
      const bytes = await readRange(this.file, this.scanned, Math.min(size, this.scanned + chunk));
      const { lines, next } = splitJsonl(bytes, this.scanned);
      for (const line of lines) this.add(line.value, line.start, line.end);
      if (next === this.scanned) {
        if (this.scanned + bytes.length >= size) break; // a partial last line
        chunk *= 2; // a line longer than the chunk
      }
      this.scanned = next;
    }
  }

  private clear(identity: string): void {
    this.identity = identity;
    this.scanned = 0;
    this.byStep.clear();
    this.byPrompt.clear();
    this.counts.clear();
  }

  private add(sample: JsonObject, start: number, end: number): void {
    const step = sample.step;
    if (typeof step !== "number" || !Number.isInteger(step)) return;
    let spans = this.byStep.get(step);
    if (!spans) this.byStep.set(step, (spans = []));
    addSpan(spans, start, end);
    this.counts.set(step, (this.counts.get(step) ?? 0) + 1);
    if (sample.prompt_key === undefined) return;
    const key = String(sample.prompt_key);
    let promptSpans = this.byPrompt.get(key);
    if (!promptSpans) this.byPrompt.set(key, (promptSpans = []));
    addSpan(promptSpans, start, end);
  }

  private async read(spans: Span[]): Promise<JsonObject[]> {
    const out: JsonObject[] = [];
    for (const { start, end } of spans) {
      for (const line of splitJsonl(await readRange(this.file, start, end), start).lines) out.push(line.value);
    }
    return out;
  }
}
