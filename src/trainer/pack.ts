/**
 * Rollouts -> the packed arrays the algorithms take (src/algorithms/types.ts) and the sequences
 * the forward passes take. Scores are the verifier's rewards plus DAPO's overlong shaping when
 * it is on; truncated responses are masked out of the loss when `maskTruncated`.
 */
import type { PackedResponses } from "../algorithms/types.ts";
import { UserInputError } from "../errors.ts";
import type { Rollout } from "./rollouts.ts";
import { responseOffsets, type Sequence } from "./sequences.ts";

export interface PackOptions {
  /** Extra reward per response from its length in tokens (overlong shaping), or none. */
  lengthShaping?: (length: number) => number;
  maskTruncated: boolean;
}

export interface PackedBatch extends PackedResponses {
  sequences: Sequence[];
}

export function packRollouts(rollouts: readonly Rollout[], opts: PackOptions): PackedBatch {
  const sequences = rollouts.map((r) => ({ ids: Int32Array.from([...r.prompt.ids, ...r.responseIds]), promptLength: r.prompt.ids.length }));
  const offsets = responseOffsets(sequences);
  const mask = new Float32Array(offsets[rollouts.length]).fill(1);
  rollouts.forEach((r, i) => {
    if (opts.maskTruncated && r.finishReason === "length") mask.fill(0, offsets[i], offsets[i + 1]);
  });
  return {
    sequences,
    offsets,
    mask,
    groups: Int32Array.from(rollouts, (r) => r.group),
    correct: Uint8Array.from(rollouts, (r) => (r.verdict.correct ? 1 : 0)),
    scores: Float32Array.from(rollouts, (r) => r.verdict.reward + (opts.lengthShaping?.(r.responseIds.length) ?? 0)),
  };
}

/** Concatenates the per-token segments of the given responses: arr[offsets[i] .. offsets[i+1]) for i in order. */
export function gatherTokens(arr: Float32Array, offsets: Int32Array, responses: readonly number[]): Float32Array {
  const out = new Float32Array(responses.reduce((n, i) => n + offsets[i + 1] - offsets[i], 0));
  let at = 0;
  for (const i of responses) {
    out.set(arr.subarray(offsets[i], offsets[i + 1]), at);
    at += offsets[i + 1] - offsets[i];
  }
  return out;
}

/** [N] the sampler's log-probs of every response token, packed like `offsets` (for the importance weights). */
export function samplerLogprobs(rollouts: readonly Rollout[], offsets: Int32Array): Float32Array {
  const out = new Float32Array(offsets[rollouts.length]);
  rollouts.forEach((r, i) => {
    if (!r.logprobs || r.logprobs.length !== offsets[i + 1] - offsets[i]) {
      throw new UserInputError(`rollout.tis_cap needs the sampler's log-prob of every response token; the engine ${r.logprobs ? "returned a different number of them than of tokens" : "returned none"} for a response of prompt ${r.prompt.key}`);
    }
    out.set(r.logprobs, offsets[i]);
  });
  return out;
}
