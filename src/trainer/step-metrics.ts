/**
 * A step's figures from its rollouts, under verl's names (docs/RUN_DIRECTORY.md): score,
 * rewards, lengths, accuracy, reflection rate, and, over all response tokens, the policy's
 * entropy and its KL to the reference model (k3); plus the rows written to samples.jsonl.
 */
import { klEstimate } from "../algorithms/common.ts";
import type { PackedBatch } from "./pack.ts";
import type { Rollout } from "./rollouts.ts";

function stats(prefix: string, xs: ArrayLike<number>): Record<string, number> {
  let sum = 0;
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i];
    max = Math.max(max, xs[i]);
    min = Math.min(min, xs[i]);
  }
  return { [`${prefix}/mean`]: xs.length ? sum / xs.length : 0, [`${prefix}/max`]: xs.length ? max : 0, [`${prefix}/min`]: xs.length ? min : 0 };
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : 0;
}

export function rolloutMetrics(rollouts: readonly Rollout[], batch: PackedBatch, old: { logp: Float32Array; entropy: Float32Array },
  refLogp: Float32Array | undefined, reflectionPattern: string): Record<string, number> {
  const reflects = new RegExp(reflectionPattern, "i");
  const m: Record<string, number> = {
    ...stats("critic/score", rollouts.map((r) => r.verdict.reward)),
    "critic/rewards/mean": mean(batch.scores),
    ...stats("response_length", rollouts.map((r) => r.responseIds.length)),
    "response_length/clip_ratio": mean(rollouts.map((r) => (r.finishReason === "length" ? 1 : 0))),
    "prompt_length/mean": mean(rollouts.map((r) => r.prompt.ids.length)),
    "train/accuracy": mean(rollouts.map((r) => (r.verdict.correct ? 1 : 0))),
    "train/reflection_rate": mean(rollouts.map((r) => (reflects.test(r.text) ? 1 : 0))),
    "train/prompts": new Set(rollouts.map((r) => r.group)).size,
    "actor/entropy": mean(old.entropy),
  };
  if (refLogp) m["actor/kl"] = mean(klEstimate(old.logp, refLogp, "k3"));
  let diff = 0;
  let sum = 0;
  let count = 0;
  rollouts.forEach((r, i) => r.logprobs?.forEach((l, k) => {
    const d = Math.abs(l - old.logp[batch.offsets[i] + k]);
    diff = Math.max(diff, d);
    sum += d;
    count++;
  }));
  m["rollout/logprob_diff_max"] = diff;
  m["rollout/logprob_diff_mean"] = count > 0 ? sum / count : 0;
  return m;
}

/** The first `count` responses of the step, for samples.jsonl. */
export function sampleRows(rollouts: readonly Rollout[], step: number, count: number): Record<string, unknown>[] {
  return rollouts.slice(0, count).map((r) => ({
    step,
    prompt_key: r.prompt.key,
    sample: r.sample,
    prompt: r.prompt.text,
    response: r.text,
    answer: r.prompt.item.answer,
    extracted: r.verdict.extracted,
    reward: r.verdict.reward,
    correct: r.verdict.correct,
    reason: r.verdict.reason,
    finish_reason: r.finishReason,
    length: r.responseIds.length,
  }));
}
