/**
 * The filters of Open-Reasoner-Zero's data curation (the sampling between them is an
 * evaluation run, see src/cli/curate.ts):
 *
 * 1. `prefilter`: drop items whose reference answer the verifier cannot use — checked by
 *    grading a response that gives exactly the reference (`\boxed{A}`, inside
 *    `<answer>...</answer>` for the orz format); an item not graded correct against itself
 *    (empty or non-text answer, unbalanced braces, over the size limit) cannot reward
 *    anything — then drop duplicate questions, exact and normalised (dedup.ts), keeping the
 *    first.
 * 2. `bandFilter`: given k graded samples per item, keep the items whose pass rate c/k lies
 *    in [min, max] (default: drop 0/k and k/k, the prompts that teach nothing), and count a
 *    histogram of c. Items with fewer than k graded samples (generation failed) are
 *    reported as unscored and not kept.
 */
import type { AnswerFormat } from "../rewards/config.ts";
import type { VerifierPool } from "../rewards/pool.ts";
import type { Reason } from "../rewards/types.ts";
import { findDuplicates, type Duplicate } from "./dedup.ts";
import type { PromptItem } from "./types.ts";

/** A response that states `answer` in `format`. */
export function responseGiving(answer: string, format: AnswerFormat): string {
  return format === "orz" ? `<answer> \\boxed{${answer}} </answer>` : `The answer is \\boxed{${answer}}.`;
}

export interface Prefiltered {
  items: PromptItem[];
  /** Items dropped because their reference does not grade as correct against itself. */
  unparseable: { id: string; reason: Reason | "not_text"; detail?: string }[];
  /** Items dropped as duplicates of an earlier one. */
  duplicates: Duplicate[];
}

export async function prefilter(items: readonly PromptItem[], pool: VerifierPool): Promise<Prefiltered> {
  const format = pool.config.format;
  const verdicts = await pool.gradeAll(items.map((it) => ({
    response: typeof it.answer === "string" ? responseGiving(it.answer, format) : "",
    answer: it.answer,
    finishReason: "stop" as const,
    choices: it.choices,
  })));
  const unparseable: Prefiltered["unparseable"] = [];
  const usable = items.filter((it, i) => {
    const v = verdicts[i]!;
    if (typeof it.answer !== "string") unparseable.push({ id: it.id, reason: "not_text" });
    else if (!v.correct) unparseable.push({ id: it.id, reason: v.reason, ...(v.detail ? { detail: v.detail } : {}) });
    return typeof it.answer === "string" && v.correct;
  });
  const duplicates = findDuplicates(usable);
  const dropped = new Set(duplicates.map((d) => d.id));
  return { items: usable.filter((it) => !dropped.has(it.id)), unparseable, duplicates };
}

/** Inclusive bounds on the pass rate c/k. */
export interface PassBand {
  min: number;
  max: number;
}

/** Keep 1..k−1 correct of k: drop the all-wrong and the all-right. */
export function defaultBand(k: number): PassBand {
  return { min: 1 / k, max: (k - 1) / k };
}

export interface BandResult {
  kept: (PromptItem & { pass_rate: number })[];
  /** histogram[c] = items with c of k samples correct. */
  histogram: number[];
  /** Items outside the band, with their number correct. */
  dropped: { id: string; correct: number }[];
  /** Items with fewer than k graded samples. */
  unscored: string[];
}

export function bandFilter(items: readonly PromptItem[], graded: readonly { id: string; correct: boolean }[], k: number, band: PassBand): BandResult {
  const tally = new Map<string, { scored: number; correct: number }>();
  for (const g of graded) {
    const t = tally.get(g.id) ?? { scored: 0, correct: 0 };
    t.scored++;
    if (g.correct) t.correct++;
    tally.set(g.id, t);
  }
  const eps = 1e-12;
  const out: BandResult = { kept: [], histogram: new Array<number>(k + 1).fill(0), dropped: [], unscored: [] };
  for (const it of items) {
    const t = tally.get(it.id);
    if (!t || t.scored < k) {
      out.unscored.push(it.id);
      continue;
    }
    out.histogram[t.correct]!++;
    const rate = t.correct / k;
    if (rate >= band.min - eps && rate <= band.max + eps) out.kept.push({ ...it, pass_rate: rate });
    else out.dropped.push({ id: it.id, correct: t.correct });
  }
  return out;
}
