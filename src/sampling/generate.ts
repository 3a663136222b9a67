/**
 * Batched generation with a KV cache: prompts of different lengths are prefilled together
 * (right-padded), then every unfinished sequence advances one token per step. A sequence ends
 * on an EOS token or a stop string (`stop`, the token that completed it is kept, as
 * Open-Reasoner-Zero keeps `</answer>`) or at the token limit (`length`). Finished rows are
 * dropped from the cache so they cost nothing afterwards.
 *
 * Each sequence draws its uniform numbers from its own generator (`rngs[b]`, one per prompt), so
 * a sequence's completion depends only on its prompt and its generator: the same however the
 * prompts are batched or chunked, and whichever rows finish first.
 */
import type { CausalLM } from "../models/transformer.ts";
import { KVCache } from "../models/kv-cache.ts";
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
  /** One generator per prompt (see Rng.derive for keyed streams). */
  rngs: readonly Rng[];
  /** Token ids -> text; needed for stop strings and `text`. */
  decode?: (ids: number[]) => string;
}

export function generate(model: CausalLM, prompts: readonly (readonly number[])[], params: SamplingParams, opts: GenerateOptions): Completion[] {
  const cfg = model.config;
  const B = prompts.length;
  if (B === 0) return [];
  if (opts.rngs.length !== B) throw new Error(`generate: ${opts.rngs.length} generators for ${B} prompts`);
  const stops = new StopStringMatcher(params.stopStrings ?? [], opts.decode);
  const Tp = Math.max(...prompts.map((p) => p.length));
  for (const p of prompts) {
    if (p.length === 0) throw new UserInputError("generate: a prompt is empty");
    if (p.length >= cfg.maxPositions) {
      throw new UserInputError(`prompt of ${p.length} tokens does not fit the context (max_position_embeddings = ${cfg.maxPositions})`);
    }
  }
  const maxT = Math.min(cfg.maxPositions, Tp + params.maxNewTokens);
  const temperature = params.greedy ? 0 : params.temperature;
  const eos = new Set(params.eosTokenIds);
  const out: Completion[] = prompts.map(() => ({ tokenIds: [], logprobs: [], finishReason: "length" }));

  // Prefill: ids[B, Tp] right-padded with token 0; the logits come from each prompt's last token.
  const ids = new Int32Array(B * Tp);
  prompts.forEach((p, b) => ids.set(p, b * Tp));
  let cache = KVCache.create(cfg, B, maxT);
  const hidden = model.forwardCached(ids, Tp, cache, new Int32Array(B));
  const d = cfg.hiddenSize;
  let last: Float32Array = new Float32Array(B * d);
  prompts.forEach((p, b) => last.set(hidden.subarray((b * Tp + p.length - 1) * d, (b * Tp + p.length) * d), b * d));

  let active = prompts.map((_, b) => b); // completion index of each cache row
  let lengths = new Int32Array(prompts.map((p) => p.length)); // tokens in the cache per row
  while (active.length > 0) {
    const n = active.length;
    const logits = model.logits(last, n);
    const uniforms = Float32Array.from(active, (b) => opts.rngs[b].uniform());
    const next = new Int32Array(n);
    const logp = new Float32Array(n);
    native.sample(logits, n, cfg.vocabSize, temperature, params.topK, params.topP, uniforms, next, logp);

    const keep: number[] = [];
    for (let r = 0; r < n; r++) {
      const c = out[active[r]];
      c.tokenIds.push(next[r]);
      c.logprobs.push(logp[r]);
      if (eos.has(next[r]) || stops.matches(c.tokenIds)) c.finishReason = "stop";
      else if (c.tokenIds.length < params.maxNewTokens && lengths[r] + 1 < maxT) keep.push(r);
    }
    if (keep.length === 0) break;
    if (keep.length < n) {
      cache = cache.select(keep);
      active = keep.map((r) => active[r]);
      lengths = Int32Array.from(keep, (r) => lengths[r]);
    }
    const step = Int32Array.from(active, (b) => out[b].tokenIds[out[b].tokenIds.length - 1]);
    last = model.forwardCached(step, 1, cache, lengths);
    lengths = lengths.map((l) => l + 1);
  }
  if (opts.decode) for (const c of out) c.text = stops.cut(opts.decode(c.tokenIds));
  return out;
}
