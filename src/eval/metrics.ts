/**
 * Benchmark figures from graded samples, per item then averaged over items:
 *
 * - avg@n (`acc`, the papers' pass@1): the share of an item's samples that are correct.
 * - pass@k: the unbiased estimator of Chen et al. 2021, 1 − C(n−c, k) / C(n, k) for an item
 *   with c correct of n samples, computed as 1 − Π_{i=n−c+1..n} (1 − k/i) to stay finite.
 * - maj@k: the majority answer among the item's first k samples is correct. Votes go by the
 *   extracted answer after normalisation (normalizeAnswer, whitespace removed), so `\frac12`
 *   and `\frac{1}{2}` vote together but `0.5` and `1/2` do not; samples without an answer do
 *   not vote; a tie goes to the answer that occurs first; the majority answer is correct when
 *   its first sample was graded correct. Simplification: maj@k for k < n uses the first k
 *   samples, not an average over subsets.
 *
 * Failed samples (no response from the server) are not scored: an item is averaged over the
 * samples it has, pass@k and maj@k count only items with at least k scored samples.
 */
import { compact, normalizeAnswer } from "../rewards/normalize.ts";

/** Unbiased pass@k for c correct of n samples. */
export function passAtK(n: number, c: number, k: number): number {
  if (!(k >= 1 && k <= n && c >= 0 && c <= n)) throw new Error(`passAtK: need 1 <= k <= n and 0 <= c <= n (n=${n}, c=${c}, k=${k})`);
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}

export interface Vote {
  extracted: string | null;
  correct: boolean;
}

/** Whether the majority answer of `votes` (in sample order) is correct; false when nobody answered. */
export function majorityCorrect(votes: readonly Vote[]): boolean {
  const tally = new Map<string, { count: number; correct: boolean }>();
  let best: { count: number; correct: boolean } | null = null;
  for (const v of votes) {
    if (v.extracted === null) continue;
    const key = compact(normalizeAnswer(v.extracted));
    let entry = tally.get(key);
    if (!entry) tally.set(key, (entry = { count: 0, correct: v.correct }));
    entry.count++;
  }
  // Map iteration follows first occurrence, and only a strictly larger count replaces the leader.
  for (const entry of tally.values()) if (!best || entry.count > best.count) best = entry;
  return best?.correct ?? false;
}

/** The k reported for n samples: 1, 2, 4, ... up to n, and n itself. */
export function reportedKs(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < n; k *= 2) ks.push(k);
  ks.push(n);
  return ks;
}

export interface ItemSamples {
  /** Scored samples in sample order. */
  votes: Vote[];
}

export interface Scores {
  /** Mean over items with a scored sample of the share correct. */
  acc: number | null;
  passAtK: Record<string, number>;
  majAtK: Record<string, number>;
  /** Items with at least one scored sample. */
  scoredItems: number;
}

/** avg@n, pass@k and maj@k (k from reportedKs(n)) over items. */
export function scoreItems(items: readonly ItemSamples[], n: number): Scores {
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const scored = items.filter((it) => it.votes.length > 0);
  const passAt: Record<string, number> = {};
  const majAt: Record<string, number> = {};
  for (const k of reportedKs(n)) {
    const full = scored.filter((it) => it.votes.length >= k);
    if (full.length === 0) continue;
    passAt[k] = mean(full.map((it) => passAtK(it.votes.length, it.votes.filter((v) => v.correct).length, k)))!;
    majAt[k] = mean(full.map((it) => (majorityCorrect(it.votes.slice(0, k)) ? 1 : 0)))!;
  }
  return { acc: mean(scored.map((it) => it.votes.filter((v) => v.correct).length / it.votes.length)), passAtK: passAt, majAtK: majAt, scoredItems: scored.length };
}
