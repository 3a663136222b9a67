/**
 * Gathers concurrent generation requests into batched `generate` calls.
 *
 * Only requests with equal generation settings share a batch (`generate` takes one setting for
 * all its rows). A batch starts as soon as `maxBatch` sequences of one setting are queued, else
 * when the oldest request has waited `windowMs`; it takes, in arrival order, the requests of that
 * setting up to `maxBatch` sequences. A request larger than that goes alone, in consecutive
 * calls of `maxBatch` rows. The batch runs to the end synchronously on the weights current at its
 * start, then the event loop polls (so `/health` and new requests are answered) before the next.
 *
 * Randomness is keyed per request: sample j of every prompt of a request with seed S draws from
 * `Rng.derive(S, j)`, so its completion is the same whether it ran alone or batched with others
 * (generate keeps each row's stream and results independent of the other rows).
 */
import { generate, type Completion } from "../sampling/generate.ts";
import { Rng } from "../util/rng.ts";
import type { ServedWeights } from "./weights.ts";

/** What one `generate` call needs to be the same for all of its rows. */
export interface GenerationSettings {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  stop: readonly string[];
  /** Tokens that end a sequence: the model's EOS and the request's stop_token_ids. */
  eosTokenIds: readonly number[];
  /** Decode without special tokens (for stop strings and text). */
  skipSpecialTokens: boolean;
}

export interface GenerationJob {
  /** Token ids of each prompt. */
  prompts: readonly (readonly number[])[];
  /** Samples per prompt. */
  n: number;
  seed: number;
  settings: GenerationSettings;
}

export interface JobResult {
  /** completions[p][j]: sample j of prompt p. */
  completions: Completion[][];
  /** The weights that produced them. */
  weights: ServedWeights;
}

export interface BatchStats {
  requests: number;
  sequences: number;
  /** `generate` calls (more than one only for a request larger than maxBatch). */
  calls: number;
  /** Tokens generated. */
  tokens: number;
}

export interface BatcherOptions {
  /** Sequences per generate call. */
  maxBatch: number;
  windowMs: number;
  onBatch?: (stats: BatchStats) => void;
}

interface Pending {
  job: GenerationJob;
  key: string;
  rows: number;
  arrival: number;
  resolve: (r: JobResult) => void;
  reject: (e: Error) => void;
}

export class RequestAborted extends Error {
  override name = "RequestAborted";
}

export class Batcher {
  private queue: Pending[] = [];
  private cancelNext: (() => void) | null = null;

  constructor(
    private readonly weights: () => ServedWeights,
    private readonly decode: (ids: number[], skipSpecialTokens: boolean) => string,
    private readonly opts: BatcherOptions,
  ) {}

  /** Requests waiting for a batch. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queues a job; `signal` aborting before its batch starts drops it (RequestAborted). */
  submit(job: GenerationJob, signal?: AbortSignal): Promise<JobResult> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new RequestAborted("the client went away"));
      const entry: Pending = {
        job, key: JSON.stringify(job.settings), rows: job.prompts.length * job.n, arrival: performance.now(), resolve, reject,
      };
      this.queue.push(entry);
      signal?.addEventListener("abort", () => {
        const i = this.queue.indexOf(entry);
        if (i < 0) return;
        this.queue.splice(i, 1);
        reject(new RequestAborted("the client went away"));
        this.schedule();
      }, { once: true });
      this.schedule();
    });
  }

  /**
   * Runs the next batch when it is due. A batch due now waits for setImmediate, not a 0 ms timer:
   * timers due during a batch would run back to back, while an immediate lets the event loop
   * poll (answer /health, take new requests and weight updates) between two batches.
   */
  private schedule(): void {
    this.cancelNext?.();
    this.cancelNext = null;
    if (this.queue.length === 0) return;
    const run = () => {
      this.cancelNext = null;
      this.runBatch(this.takeBatch(this.fullKey() ?? this.queue[0].key));
      this.schedule();
    };
    const delay = this.fullKey() !== null ? 0 : this.queue[0].arrival + this.opts.windowMs - performance.now();
    if (delay > 0) {
      const timer = setTimeout(run, delay);
      this.cancelNext = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(run);
      this.cancelNext = () => clearImmediate(immediate);
    }
  }

  /** The settings of the oldest request whose settings have a full batch queued, if any. */
  private fullKey(): string | null {
    const rows = new Map<string, number>();
    for (const p of this.queue) rows.set(p.key, (rows.get(p.key) ?? 0) + p.rows);
    return this.queue.find((p) => rows.get(p.key)! >= this.opts.maxBatch)?.key ?? null;
  }

  /** The oldest request with these settings and the later ones, up to maxBatch sequences. */
  private takeBatch(key: string): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    for (const p of this.queue) {
      if (p.key !== key) continue;
      if (batch.length > 0 && rows + p.rows > this.opts.maxBatch) break;
      batch.push(p);
      rows += p.rows;
    }
    this.queue = this.queue.filter((p) => !batch.includes(p));
    return batch;
  }

  private runBatch(batch: Pending[]): void {
    const weights = this.weights();
    const settings = batch[0].job.settings;
    const ids: (readonly number[])[] = [];
    const rngs: Rng[] = [];
    for (const { job } of batch) {
      for (const prompt of job.prompts) {
        for (let j = 0; j < job.n; j++) {
          ids.push(prompt);
          rngs.push(Rng.derive(job.seed, j));
        }
      }
    }
    const params = {
      maxNewTokens: settings.maxNewTokens,
      temperature: settings.temperature,
      topP: settings.topP,
      topK: settings.topK,
      eosTokenIds: settings.eosTokenIds,
      stopStrings: settings.stop,
    };
    const decode = (t: number[]): string => this.decode(t, settings.skipSpecialTokens);
    const out: Completion[] = [];
    let calls = 0;
    try {
      for (let start = 0; start < ids.length; start += this.opts.maxBatch, calls++) {
        const end = start + this.opts.maxBatch;
        out.push(...generate(weights.model, ids.slice(start, end), params, { rngs: rngs.slice(start, end), decode, weights: weights.packed }));
      }
    } catch (e) {
      for (const p of batch) p.reject(e as Error);
      return;
    }
    const tokens = out.reduce((sum, c) => sum + c.tokenIds.length, 0);
    this.opts.onBatch?.({ requests: batch.length, sequences: ids.length, calls, tokens });
    let row = 0;
    for (const p of batch) {
      const completions = p.job.prompts.map(() => out.slice(row, (row += p.job.n)));
      p.resolve({ completions, weights });
    }
  }
}
