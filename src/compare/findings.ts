/**
 * The Minimalist paper's findings (../shared/RECIPES.md), each judged from the measured numbers:
 * "holds" when the leading algorithm is above every rival by more than the seeds' spread
 * (stats.ts compareStats: twice the standard error of the difference), "does not hold" when a
 * rival is at least that far ahead or level, "not resolved at this seed count" otherwise, and
 * "not measured" when an algorithm it needs was not run.
 */
import { formatNumber, formatStat, type NumberKind } from "./format.ts";
import type { AlgorithmResult } from "./results.ts";
import type { CompareAlgorithm } from "./recipes.ts";
import { compareStats, type SeedStat } from "./stats.ts";

export type Verdict = "holds" | "does not hold" | "not resolved at this seed count" | "not measured";

export interface Finding {
  claim: string;
  verdict: Verdict;
  /** The numbers behind the verdict. */
  detail: string;
}

/** The figures the findings are judged on. */
export type FindingInput = Pick<AlgorithmResult, "algorithm" | "label" | "earlyAccuracy" | "finalAccuracy" | "entropyDrop" | "rewardPerKl">;

interface Claim {
  claim: string;
  leader: CompareAlgorithm;
  /** The algorithms it must be ahead of; null: every other algorithm run. */
  rivals: CompareAlgorithm[] | null;
  measure: (a: FindingInput) => SeedStat | null;
  /** What is measured, for the detail line. */
  what: string;
  kind: NumberKind;
}

export function judgeFindings(results: readonly FindingInput[], earlyStep: number): Finding[] {
  const claims: Claim[] = [
    { claim: "RAFT++ learns fastest early", leader: "raftpp", rivals: null, measure: (a) => a.earlyAccuracy, what: `held-out accuracy (%) at step ${earlyStep}`, kind: "percent" },
    { claim: "GRPO is ahead of RAFT at the end", leader: "grpo", rivals: ["raft"], measure: (a) => a.finalAccuracy, what: "final held-out accuracy (%)", kind: "percent" },
    { claim: "Reinforce-Rej is ahead of RAFT at the end", leader: "reinforce_rej", rivals: ["raft"], measure: (a) => a.finalAccuracy, what: "final held-out accuracy (%)", kind: "percent" },
    { claim: "RAFT's entropy collapses fastest", leader: "raft", rivals: null, measure: (a) => a.entropyDrop, what: "entropy drop from step 1 to the end (%)", kind: "percent" },
    { claim: "Reinforce-Rej gains more reward per unit of KL than Reinforce", leader: "reinforce_rej", rivals: ["reinforce"], measure: (a) => a.rewardPerKl, what: "reward gain / KL", kind: "number" },
  ];
  return claims.map((c) => judge(c, results));
}

function judge(c: Claim, results: readonly FindingInput[]): Finding {
  const leader = results.find((r) => r.algorithm === c.leader);
  const rivals = results.filter((r) => r.algorithm !== c.leader && (c.rivals === null || c.rivals.includes(r.algorithm)));
  const needs = [c.leader, ...(c.rivals ?? ["another algorithm"])].join(" and ");
  if (!leader || rivals.length < (c.rivals?.length ?? 1)) {
    return { claim: c.claim, verdict: "not measured", detail: `needs ${needs} in --algorithms` };
  }
  const unmeasured = [leader, ...rivals].filter((r) => c.measure(r) === null);
  if (unmeasured.length > 0) {
    return { claim: c.claim, verdict: "not measured", detail: `no ${c.what} for ${unmeasured.map((r) => r.label).join(", ")}` };
  }
  const a = c.measure(leader)!;
  const compared = rivals.map((r) => {
    const s = c.measure(r)!;
    return { r, s, cmp: compareStats(a, s) };
  }).sort((x, y) => y.s.mean - x.s.mean);
  const verdict: Verdict = compared.every((x) => x.cmp.order === "above") ? "holds"
    : compared.some((x) => x.cmp.order === "below") ? "does not hold" : "not resolved at this seed count";
  const rivalText = compared.map(({ r, s, cmp }) => {
    const spread = cmp.margin === null ? "one seed: no spread" : `difference ${signed(cmp.difference, c.kind)}, 2 SE ${formatNumber(cmp.margin, c.kind)}`;
    return `${r.label} ${formatStat(s, c.kind)} (${spread})`;
  }).join("; ");
  return { claim: c.claim, verdict, detail: `${c.what}, mean ± std over ${a.values.length} seed${a.values.length === 1 ? "" : "s"}: ${leader.label} ${formatStat(a, c.kind)}; ${rivalText}` };
}

function signed(x: number, kind: NumberKind): string {
  return `${x >= 0 ? "+" : ""}${formatNumber(x, kind)}`;
}
