/**
 * Statistics the advantage estimators share, over plain arrays in the packed layout of types.ts
 * (response i owns tokens [offsets[i], offsets[i+1])): groups and their mean and std, masked
 * means and whitening (verl's masked_whiten), spreading a per-response value over its tokens,
 * and the advantage metrics every algorithm reports. Sums run in float64.
 */
import type { AdvantageInput, AdvantageOutput } from "./types.ts";

/** The responses of each group, groups in order of first appearance: [[i, j, ...], ...]. */
export function groupIndices(groups: Int32Array): number[][] {
  const byId = new Map<number, number[]>();
  groups.forEach((g, i) => {
    const members = byId.get(g);
    if (members) members.push(i);
    else byId.set(g, [i]);
  });
  return [...byId.values()];
}

/** Mean and unbiased (n − 1) standard deviation of values[i] for i in idx; std is 0 for fewer than two. */
export function meanStd(values: ArrayLike<number>, idx: readonly number[]): { mean: number; std: number } {
  let sum = 0;
  for (const i of idx) sum += values[i];
  const mean = sum / idx.length;
  if (idx.length < 2) return { mean, std: 0 };
  let ss = 0;
  for (const i of idx) ss += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (idx.length - 1)) };
}

/** Mean of x over tokens where mask = 1 (0 when none). */
export function maskedMean(x: ArrayLike<number>, mask: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < x.length; t++) {
    sum += mask[t] * x[t];
    count += mask[t];
  }
  return count > 0 ? sum / count : 0;
}

/** Unbiased variance of x over masked tokens (verl's masked_var); 0 for fewer than two tokens. */
export function maskedVar(x: ArrayLike<number>, mask: ArrayLike<number>): number {
  const mean = maskedMean(x, mask);
  let ss = 0;
  let count = 0;
  for (let t = 0; t < x.length; t++) {
    ss += mask[t] * (x[t] - mean) ** 2;
    count += mask[t];
  }
  return count > 1 ? ss / (count - 1) : 0;
}

/**
 * (x − mean)/sqrt(var + 1e-8) with mean and unbiased variance over masked tokens, as verl's
 * masked_whiten; masked tokens come out 0. (Open-Reasoner-Zero divides by the biased variance, a
 * factor sqrt(N/(N−1)) apart.)
 */
export function maskedWhiten(x: ArrayLike<number>, mask: ArrayLike<number>): Float32Array {
  const mean = maskedMean(x, mask);
  const scale = 1 / Math.sqrt(maskedVar(x, mask) + 1e-8);
  return Float32Array.from({ length: x.length }, (_, t) => (mask[t] ? (x[t] - mean) * scale : 0));
}

/** [N] per-token copy of a per-response value [S]: token t of response i gets perResponse[i]·mask[t]. */
export function spreadToTokens(perResponse: ArrayLike<number>, offsets: Int32Array, mask: ArrayLike<number>): Float32Array {
  const out = new Float32Array(offsets[offsets.length - 1]);
  for (let i = 0; i + 1 < offsets.length; i++) {
    for (let t = offsets[i]; t < offsets[i + 1]; t++) out[t] = perResponse[i] * mask[t];
  }
  return out;
}

/** [S] sum of x over each response's masked tokens. */
export function responseSums(x: ArrayLike<number>, offsets: Int32Array, mask: ArrayLike<number>): Float64Array {
  const out = new Float64Array(offsets.length - 1);
  for (let i = 0; i < out.length; i++) {
    for (let t = offsets[i]; t < offsets[i + 1]; t++) out[i] += mask[t] * x[t];
  }
  return out;
}

/**
 * The AdvantageOutput of per-token advantages: zeroed on responses that are not kept, with
 * critic/advantages/mean|max|min over the masked tokens of kept responses.
 */
export function advantageOutput(input: AdvantageInput, advantages: Float32Array, keep: Uint8Array,
  metrics: Record<string, number> = {}): AdvantageOutput {
  const { offsets, mask } = input;
  let sum = 0;
  let count = 0;
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < keep.length; i++) {
    for (let t = offsets[i]; t < offsets[i + 1]; t++) {
      if (!keep[i]) advantages[t] = 0;
      else if (mask[t]) {
        sum += advantages[t];
        count++;
        max = Math.max(max, advantages[t]);
        min = Math.min(min, advantages[t]);
      }
    }
  }
  const stats: Record<string, number> = count > 0 ? { "critic/advantages/mean": sum / count, "critic/advantages/max": max, "critic/advantages/min": min } : {};
  return { advantages, keep, metrics: { ...stats, ...metrics } };
}

/** Every response kept. */
export function keepAll(input: AdvantageInput): Uint8Array {
  return new Uint8Array(input.scores.length).fill(1);
}
