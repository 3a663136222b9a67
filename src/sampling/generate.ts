/**
 * Batched generation with a KV cache, with continuous batching and shared prompt prefill.
 *
 * Up to `batchSize` sequences decode together, one token per step, each in its own cache slot.
 * When a sequence ends, its slot goes to the next waiting one, prefilled in the same forward as
 * the others' decode step (one packed batch), so the batch stays full until the queue drains and
 * no work is spent on finished rows. `generateGroups` samples n completions of each prompt: the
 * prompt is prefilled once and its keys and values copied to its samples' slots, as vLLM's prefix
 * caching does.
 *
 * A sequence ends on an EOS token or a stop string (`stop`; the token that completed it is kept,
 * as Open-Reasoner-Zero keeps `</answer>`) or at the token limit (`length`). Each sequence draws
 * its uniform numbers from its own generator (`rngs[c]` for completion c), so a completion
 * depends only on its prompt and its generator: the same however the prompts are batched, which
 * rows finish first, and whether its prompt's prefill was shared. (The arithmetic of a row can
 * differ in the last bits with the batch's size, which changes a sample only if a uniform falls
 * within that rounding of a boundary of the inverse CDF.)
 */
import type { CausalLM } from "../models/transformer.ts";
import { KVCache } from "../models/kv-cache.ts";
import { releaseWeights, type Bf16Mode, type PackedWeights } from "../models/packed-weights.ts";
import { native } from "../native/index.ts";
import { Rng } from "../util/rng.ts";
import { UserInputError } from "../errors.ts";
import { StopStringMatcher } from "./stop-strings.ts";

export interface SamplingParams {
  maxNewTokens: number;
  /** <= 0 or `greedy` means argmax. */
  temperature: number;
  topP: number;
  /** <= 0: no top-k filter. */
  topK: number;
  greedy?: boolean;
  eosTokenIds: readonly number[];
  stopStrings?: readonly string[];
}

export type FinishReason = "stop" | "length";

export interface Completion {
  tokenIds: number[];
  /** log-probability of each generated token under softmax(logits / temperature). */
  logprobs: number[];
  finishReason: FinishReason;
  /** Decoded text (cut after the stop string), when a decoder was given. */
  text?: string;
}

export interface GenerateOptions {
  /** One generator per completion (see Rng.derive for keyed streams). */
  rngs: readonly Rng[];
  /** Token ids -> text; needed for stop strings and `text`. */
  decode?: (ids: number[]) => string;
  /** Sequences decoded at once (default 64); the rest wait for a slot. */
  batchSize?: number;
  /**
   * Linear layers in bf16 with f32 accumulation (needs AVX512-BF16 or AMX): "lm-head" or "all".
   * Default "none": log-probs then drift from f32 by about 1e-2 (see BENCHMARKS.md).
   */
  bf16?: Bf16Mode;
  /**
   * The model's linear layers already packed by `model.packed()`, for a caller that generates
   * many times with unchanged weights (a server, an evaluation); the caller keeps them and
   * releases them. Default: packed at the start of the call and released when it returns, so
   * weights updated between calls (every RL step) are always the ones used.
   */
  weights?: PackedWeights;
}

export const DEFAULT_BATCH_SIZE = 64;

/** One completion per prompt; completion b is drawn with rngs[b]. */
export function generate(model: CausalLM, prompts: readonly (readonly number[])[], params: SamplingParams,
  opts: GenerateOptions): Completion[] {
  return generateGroups(model, prompts, 1, params, opts);
}

/**
 * n completions of each prompt, in prompt order: completion p*n + j is sample j of prompt p,
 * drawn with rngs[p*n + j]. Each prompt is prefilled once.
 */
export function generateGroups(model: CausalLM, prompts: readonly (readonly number[])[], n: number,
  params: SamplingParams, opts: GenerateOptions): Completion[] {
  const cfg = model.config;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`generateGroups: n must be a positive integer, got ${n}`);
  const total = prompts.length * n;
  if (total === 0) return [];
  if (opts.rngs.length !== total) throw new Error(`generate: ${opts.rngs.length} generators for ${total} completions`);
  for (const p of prompts) {
    if (p.length === 0) throw new UserInputError("generate: a prompt is empty");
    if (p.length >= cfg.maxPositions) {
      throw new UserInputError(`prompt of ${p.length} tokens does not fit the context (max_position_embeddings = ${cfg.maxPositions})`);
    }
  }
  const batchSize = Math.min(total, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`generate: batchSize must be a positive integer, got ${opts.batchSize}`);
  const out: Completion[] = Array.from({ length: total }, () => ({ tokenIds: [], logprobs: [], finishReason: "length" }));
  const scheduler = new Scheduler(model, prompts, n, params, opts, batchSize, out);
  try {
    scheduler.run();
  } finally {
    scheduler.release();
  }
  const stops = new StopStringMatcher(params.stopStrings ?? [], opts.decode);
  if (opts.decode) for (const c of out) c.text = stops.cut(opts.decode(c.tokenIds));
  return out;
}

/** A sequence being decoded: completion c in cache slot `slot` holding `length` tokens. */
interface Row {
  c: number;
  slot: number;
  length: number;
}

/** A prompt's shared prefill: its keys and values in `slot`, its last hidden state (once computed). */
interface Prefix {
  slot: number;
  hidden: Float32Array | null;
}

/** A sequence of the next forward: tokens at positions start.. of slot; `done` takes its last hidden state. */
interface Pending {
  slot: number;
  start: number;
  tokens: readonly number[];
  done: (hidden: Float32Array) => void;
}

class Scheduler {
  private readonly cache: KVCache;
  private readonly weights: PackedWeights;
  private readonly stops: StopStringMatcher;
  private readonly eos: Set<number>;
  private readonly temperature: number;
  private readonly freeRows: number[];
  private readonly freePrefixes: number[];
  private readonly prefixes = new Map<number, Prefix>(); // prompt -> its prefill, while samples wait
  private rows: Row[] = [];
  /** Each row's last hidden state, from which its next token is drawn: [batchSize, hidden] by slot. */
  private readonly hiddenOf: Float32Array;
  /** The sampler's inputs and outputs, for up to batchSize rows. */
  private readonly sampling: { last: Float32Array; uniforms: Float32Array; next: Int32Array; logp: Float32Array };
  private nextCompletion = 0; // completions [0, nextCompletion) have been given a row
  private nextPrefill = 0; // with n > 1: prompts [0, nextPrefill) are prefilled (or being prefilled)

  constructor(private readonly model: CausalLM, private readonly prompts: readonly (readonly number[])[],
    private readonly n: number, private readonly params: SamplingParams, private readonly opts: GenerateOptions,
    private readonly batchSize: number, private readonly out: Completion[]) {
    const cfg = model.config;
    const longest = Math.max(...prompts.map((p) => p.length));
    // With n > 1 a prompt is prefilled into a prefix slot and copied into its samples' rows. New
    // prompts are prefilled only once every prefilled sample has a row, and at most enough of them
    // to fill the free rows, so no more than ceil(batchSize / n) prefixes are ever held.
    const prefixSlots = n > 1 ? Math.ceil(batchSize / n) : 0;
    this.cache = new KVCache(cfg, batchSize + prefixSlots, Math.min(cfg.maxPositions, longest + params.maxNewTokens));
    if (opts.weights && opts.bf16 !== undefined && opts.weights.bf16 !== opts.bf16) {
      throw new Error(`generate: bf16 "${opts.bf16}" asked, the weights given are packed with bf16 "${opts.weights.bf16}"`);
    }
    this.weights = opts.weights ?? model.packed(opts.bf16);
    this.freeRows = Array.from({ length: batchSize }, (_, i) => batchSize - 1 - i);
    this.freePrefixes = Array.from({ length: prefixSlots }, (_, i) => batchSize + prefixSlots - 1 - i);
    this.stops = new StopStringMatcher(params.stopStrings ?? [], opts.decode);
    this.eos = new Set(params.eosTokenIds);
    this.temperature = params.greedy ? 0 : params.temperature;
    this.hiddenOf = new Float32Array(batchSize * cfg.hiddenSize);
    this.sampling = { last: new Float32Array(batchSize * cfg.hiddenSize), uniforms: new Float32Array(batchSize),
      next: new Int32Array(batchSize), logp: new Float32Array(batchSize) };
  }

  run(): void {
    const total = this.out.length;
    while (this.rows.length > 0 || this.nextCompletion < total) {
      const pending: Pending[] = [];
      for (const row of this.rows) {
        const c = this.out[row.c];
        pending.push({ slot: row.slot, start: row.length, tokens: [c.tokenIds[c.tokenIds.length - 1]],
          done: (h) => {
            row.length++;
            this.setHidden(row, h);
          } });
      }
      this.admitPrefilled();
      this.planPrefills(pending);
      if (pending.length === 0 && this.rows.length === 0) throw new Error("generate: the scheduler made no progress");
      if (pending.length > 0) this.forward(pending);
      this.admitPrefilled();
      this.sampleStep();
    }
  }

  /** Frees the packed weights (a copy of the model's linear layers) at once, unless the caller gave them. */
  release(): void {
    if (!this.opts.weights) releaseWeights(this.weights);
  }

  /** Gives free rows to waiting completions whose prompt is already prefilled (n > 1). */
  private admitPrefilled(): void {
    while (this.freeRows.length > 0 && this.nextCompletion < this.out.length) {
      const c = this.nextCompletion, p = Math.floor(c / this.n);
      const prefix = this.prefixes.get(p);
      if (!prefix?.hidden) return;
      const slot = this.freeRows.pop()!;
      const length = this.prompts[p].length;
      this.cache.copySlot(prefix.slot, slot, length);
      const row = { c, slot, length };
      this.rows.push(row);
      this.setHidden(row, prefix.hidden);
      this.nextCompletion++;
      if (c % this.n === this.n - 1) {
        this.prefixes.delete(p);
        this.freePrefixes.push(prefix.slot);
      }
    }
  }

  /**
   * Adds to the next forward the prefills the free rows will need: with n = 1 the waiting
   * completions themselves, straight into their rows; with n > 1 the prompts of the waiting
   * completions, into prefix slots.
   */
  private planPrefills(pending: Pending[]): void {
    if (this.n === 1) {
      while (this.freeRows.length > 0 && this.nextCompletion < this.out.length) {
        const c = this.nextCompletion++;
        const row: Row = { c, slot: this.freeRows.pop()!, length: this.prompts[c].length };
        this.rows.push(row);
        pending.push({ slot: row.slot, start: 0, tokens: this.prompts[c], done: (h) => this.setHidden(row, h) });
      }
      return;
    }
    // Rows the prompts already prefilled (or waiting in a prefix) will take.
    let wanted = this.freeRows.length - (this.nextPrefill * this.n - this.nextCompletion);
    while (wanted > 0 && this.nextPrefill < this.prompts.length && this.freePrefixes.length > 0) {
      const p = this.nextPrefill++;
      const prefix: Prefix = { slot: this.freePrefixes.pop()!, hidden: null };
      this.prefixes.set(p, prefix);
      pending.push({ slot: prefix.slot, start: 0, tokens: this.prompts[p], done: (h) => (prefix.hidden = h.slice()) });
      wanted -= this.n;
    }
  }

  private forward(pending: Pending[]): void {
    const S = pending.length;
    const offsets = new Int32Array(S + 1);
    pending.forEach((p, s) => (offsets[s + 1] = offsets[s] + p.tokens.length));
    const ids = new Int32Array(offsets[S]);
    pending.forEach((p, s) => ids.set(p.tokens, offsets[s]));
    const hidden = this.model.forwardCached(ids, {
      slots: Int32Array.from(pending, (p) => p.slot),
      start: Int32Array.from(pending, (p) => p.start),
      offsets,
    }, this.cache, this.weights);
    const d = this.model.config.hiddenSize;
    pending.forEach((p, s) => p.done(hidden.subarray(s * d, (s + 1) * d)));
  }

  private setHidden(row: Row, h: Float32Array): void {
    this.hiddenOf.set(h, row.slot * h.length);
  }

  /** Draws one token for every row, then retires the rows that finished. */
  private sampleStep(): void {
    const R = this.rows.length;
    if (R === 0) return;
    const cfg = this.model.config, d = cfg.hiddenSize;
    const { last, uniforms, next, logp } = this.sampling;
    this.rows.forEach((row, r) => {
      last.set(this.hiddenOf.subarray(row.slot * d, (row.slot + 1) * d), r * d);
      uniforms[r] = this.opts.rngs[row.c].uniform();
    });
    const logits = this.model.logits(last, R, this.weights);
    native.sample(logits, R, cfg.vocabSize, this.temperature, this.params.topK, this.params.topP, uniforms, next, logp);
    const kept: Row[] = [];
    this.rows.forEach((row, r) => {
      const c = this.out[row.c];
      c.tokenIds.push(next[r]);
      c.logprobs.push(logp[r]);
      if (this.eos.has(next[r]) || this.stops.matches(c.tokenIds)) c.finishReason = "stop";
      else if (c.tokenIds.length < this.params.maxNewTokens && row.length + 1 < this.cache.maxT) {
        kept.push(row);
        return;
      }
      this.freeRows.push(row.slot);
    });
    this.rows = kept;
  }
}
