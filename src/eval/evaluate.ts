/**
 * `evaluateBenchmark`: n samples of every item from a RolloutEngine, graded by a
 * VerifierPool, summarised as avg@n, pass@k, maj@k, mean length and truncation rate.
 * The trainer calls it for its periodic evaluation (with its own engine and pool, outDir
 * `RUN/eval/step-N`); `rlzero eval` and `rlzero curate` call it too.
 *
 * Sample j of item i draws from the stream `Rng.derive(...seedKeys, j, i, 0)`: the engine is
 * asked for one sample of each prompt with seed keys `[...seedKeys, j]`, prompt key i. So
 * every sample can be asked for alone (a resumed run asks only for the missing ones) and
 * the result does not depend on batching, on the number of requests in flight or on what
 * was cached. Work goes in batches of `batchSize` prompts (one sample index per batch),
 * `inFlight` batches at once; sample 0 of every item comes before sample 1 of any, so a
 * stopped run has avg@(fewer samples) over all items rather than all samples of a few.
 *
 * With `outDir`, each graded batch is appended to `<outDir>/<name>.jsonl` (records.ts) and
 * a later call with the same settings continues from there. A batch whose generation fails
 * (the engine rejects: a server down, garbage after all retries, a prompt too long) is
 * tried again prompt by prompt, and what still fails is reported per sample in
 * `report.failures` and scored as nothing, never as wrong; run again to retry them. When
 * `signal` aborts, no new batch starts, the call returns at once with the samples graded so
 * far and `complete: false`, and the records file keeps everything graded.
 */
import { createHash } from "node:crypto";
import type { PromptItem } from "../data/types.ts";
import type { VerifierPool } from "../rewards/pool.ts";
import type { RolloutEngine, RolloutPrompt, RolloutSample, SamplingSettings } from "../rollout/engine.ts";
import { RecordFile, recordKey, type EvalRecord } from "./records.ts";
import { summarize, type BenchmarkReport, type SampleFailure } from "./report.ts";

export interface EvaluateOptions {
  engine: RolloutEngine;
  /** Benchmark name: reports and `<name>.jsonl`. */
  name: string;
  items: readonly PromptItem[];
  /** The prompt of an item: its text and, when the caller has the tokenizer, its token ids. */
  render: (item: PromptItem) => { text: string; ids?: readonly number[] };
  /** Samples per item. */
  n: number;
  sampling: SamplingSettings;
  seedKeys: readonly number[];
  /** Grades in the benchmark's answer format (see answerFormatFor); the caller keeps and closes it. */
  pool: VerifierPool;
  /** Where records (and the cache) go; none: in memory only. */
  outDir?: string;
  /** Prompts per engine call (default 16). */
  batchSize?: number;
  /** Engine calls at once (default 1; more for remote engines). */
  inFlight?: number;
  /** Stops the run; what was graded is reported. */
  signal?: AbortSignal;
  /** What produces the samples (a model directory or served model name; default: the engine's name), for the cache check. */
  identity?: string;
  /** Discard cached records made with other settings instead of failing. */
  overwrite?: boolean;
  /** Called after each batch. */
  onProgress?: (p: { done: number; failed: number; total: number }) => void;
}

export interface EvaluateResult {
  report: BenchmarkReport;
  /** Graded samples, by item then sample index. */
  records: EvalRecord[];
}

export async function evaluateBenchmark(o: EvaluateOptions): Promise<EvaluateResult> {
  const { items, n } = o;
  const ids = new Set(items.map((it) => it.id));
  if (ids.size !== items.length) throw new Error(`evaluateBenchmark(${o.name}): item ids must be unique (records are keyed by id and sample)`);
  const prompts: RolloutPrompt[] = items.map((item, i) => ({ ...o.render(item), key: i }));
  const hashes = prompts.map((p) => createHash("sha256").update(p.text).digest("hex").slice(0, 16));
  const settings = { identity: o.identity ?? o.engine.name, sampling: o.sampling, seed_keys: o.seedKeys, format: o.pool.config.format };
  const file = o.outDir ? new RecordFile(o.outDir, o.name, settings, o.overwrite ?? false) : null;

  const done = new Map<string, EvalRecord>();
  items.forEach((item, i) => {
    for (let j = 0; j < n; j++) {
      const r = file?.cached.get(recordKey(item.id, j));
      if (r && r.prompt_hash === hashes[i]) done.set(recordKey(item.id, j), r);
    }
  });
  const batchSize = Math.max(1, o.batchSize ?? 16);
  const batches: { j: number; idx: number[] }[] = [];
  for (let j = 0; j < n; j++) {
    const todo = items.flatMap((item, i) => (done.has(recordKey(item.id, j)) ? [] : [i]));
    for (let s = 0; s < todo.length; s += batchSize) batches.push({ j, idx: todo.slice(s, s + batchSize) });
  }

  const failures: SampleFailure[] = [];
  const total = items.length * n;
  const runBatch = async ({ j, idx }: { j: number; idx: number[] }): Promise<void> => {
    let samples: RolloutSample[][];
    try {
      samples = await o.engine.generate(idx.map((i) => prompts[i]!), 1, o.sampling, [...o.seedKeys, j]);
    } catch (e) {
      if (o.signal?.aborted) return;
      // Find the items at fault: each prompt of a failed batch is tried alone.
      if (idx.length > 1) {
        for (const i of idx) await runBatch({ j, idx: [i] });
        return;
      }
      failures.push({ id: items[idx[0]!]!.id, sample: j, error: (e as Error).message });
      return;
    }
    const verdicts = await o.pool.gradeAll(idx.map((i, b) => {
      const s = samples[b]![0]!;
      return { response: s.text, answer: items[i]!.answer, finishReason: s.finishReason, choices: items[i]!.choices };
    }));
    const records = idx.map((i, b): EvalRecord => {
      const s = samples[b]![0]!;
      const v = verdicts[b]!;
      return {
        id: items[i]!.id, sample: j, response: s.text, extracted: v.extracted, correct: v.correct, reason: v.reason,
        length: s.tokenIds?.length ?? s.logprobs?.length ?? null, finish_reason: s.finishReason, answer: items[i]!.answer, prompt_hash: hashes[i]!,
      };
    });
    file?.append(records);
    for (const r of records) done.set(recordKey(r.id, r.sample), r);
    o.onProgress?.({ done: done.size, failed: failures.length, total });
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length && !o.signal?.aborted) await runBatch(batches[next++]!);
  };
  const workers = Promise.all(Array.from({ length: Math.max(1, o.inFlight ?? 1) }, worker));
  await (o.signal ? Promise.race([workers, aborted(o.signal)]) : workers);

  const records = items.flatMap((item) => Array.from({ length: n }, (_, j) => done.get(recordKey(item.id, j))).filter((r) => r !== undefined));
  const complete = records.length === total;
  if (file && !o.signal?.aborted) file.rewrite(records);
  return { report: summarize(o.name, items, n, records, failures, complete, o.pool.config.format), records };
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}
