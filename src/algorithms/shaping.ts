/**
 * Batch shaping the trainer applies before the advantages, as pure helpers: DAPO's overlong
 * reward shaping (a length penalty added to the score), DAPO's dynamic sampling (which groups
 * carry a learning signal) and TRL's mask_truncated_completions (truncated responses leave the
 * loss).
 */
import { groupIndices } from "./stats.ts";

/**
 * DAPO's soft overlong penalty, with L_max the generation limit and L_cache the soft zone:
 *   0                                   if length ≤ L_max − L_cache
 *   factor·((L_max − L_cache) − length)/L_cache   inside the zone (from 0 down to −factor at L_max)
 *   −factor                             beyond L_max
 * It is added to the correctness score.
 */
export function overlongPenalty(length: number, maxLength: number, cacheLength: number, factor: number): number {
  if (!(cacheLength > 0 && cacheLength <= maxLength)) {
    throw new RangeError(`overlongPenalty: cache length ${cacheLength} must be in (0, ${maxLength}] (the generation limit)`);
  }
  const exceed = length - (maxLength - cacheLength);
  return exceed <= 0 ? 0 : -factor * Math.min(exceed / cacheLength, 1);
}

/**
 * The groups whose values (scores, or correctness) are not all equal, in order of first
 * appearance: under DAPO's dynamic sampling only these enter the batch (a group of one never does).
 */
export function informativeGroups(groups: Int32Array, values: ArrayLike<number>): number[] {
  return groupIndices(groups)
    .filter((members) => members.some((i) => values[i] !== values[members[0]]))
    .map((members) => groups[members[0]]);
}

/** [N] the mask with every token of a truncated response set to 0 (truncated: [S], 1 = cut by the length limit). */
export function maskTruncated(mask: Float32Array, offsets: Int32Array, truncated: Uint8Array): Float32Array {
  const out = mask.slice();
  truncated.forEach((cut, i) => {
    if (cut) out.fill(0, offsets[i], offsets[i + 1]);
  });
  return out;
}
