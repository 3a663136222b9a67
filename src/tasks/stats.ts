/**
 * Statistics of a corpus (or of any set of graded responses to built-in tasks), per task and
 * level: the share of worked, direct and self-checking responses as the detectors see them
 * (`isWorked`, `hasSelfCheck`), the accuracy of each as the task's grader sees it, and token
 * counts (prompt + response) when a token counter is given.
 */
import { hasSelfCheck, isWorked } from "./format.ts";
import { TASK_GRADERS } from "./graders.ts";
import { TASKS } from "./registry.ts";

/** What the statistics read of an example (a CorpusExample has all of it). */
export interface GradedText {
  task: string;
  level: number;
  prompt: string;
  response: string;
  answer: unknown;
}

export interface KindStats {
  /** Share of the group's responses of this kind. */
  share: number;
  /** Share of them graded correct (NaN when there are none). */
  accuracy: number;
}

export interface GroupStats {
  task: string;
  /** null for the row over all levels. */
  level: number | null;
  count: number;
  accuracy: number;
  worked: KindStats;
  direct: KindStats;
  selfCheck: KindStats;
  /** Prompt + response tokens, when counted. */
  tokens?: { mean: number; max: number };
}

interface Tally {
  count: number;
  correct: number;
  kinds: Record<"worked" | "direct" | "selfCheck", { n: number; correct: number }>;
  tokens: number[];
}

const emptyTally = (): Tally => ({ count: 0, correct: 0, kinds: { worked: { n: 0, correct: 0 }, direct: { n: 0, correct: 0 }, selfCheck: { n: 0, correct: 0 } }, tokens: [] });

/** Statistics per (task, level) and per task over all levels, in task then level order. */
export function corpusStats(examples: Iterable<GradedText>, countTokens?: (text: string) => number): GroupStats[] {
  const groups = new Map<string, { task: string; level: number | null; tally: Tally }>();
  const tallyOf = (task: string, level: number | null): Tally => {
    const key = `${task}\u0000${level}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { task, level, tally: emptyTally() }));
    return g.tally;
  };
  for (const e of examples) {
    const task = TASKS[e.task];
    if (!task) throw new Error(`corpus statistics: unknown task "${e.task}"`);
    const correct = TASK_GRADERS[task.grader]!.grade({ response: e.response, answer: e.answer }).correct;
    const worked = isWorked(e.response);
    const kinds: ("worked" | "direct" | "selfCheck")[] = [worked ? "worked" : "direct"];
    if (hasSelfCheck(e.response)) kinds.push("selfCheck");
    const tokens = countTokens ? countTokens(e.prompt) + countTokens(e.response) : undefined;
    for (const t of [tallyOf(e.task, e.level), tallyOf(e.task, null)]) {
      t.count++;
      t.correct += Number(correct);
      for (const k of kinds) {
        t.kinds[k].n++;
        t.kinds[k].correct += Number(correct);
      }
      if (tokens !== undefined) t.tokens.push(tokens);
    }
  }
  const kind = (t: Tally, k: keyof Tally["kinds"]): KindStats => ({ share: t.kinds[k].n / t.count, accuracy: t.kinds[k].correct / t.kinds[k].n });
  return [...groups.values()]
    .sort((a, b) => a.task.localeCompare(b.task) || (a.level ?? Infinity) - (b.level ?? Infinity))
    .map(({ task, level, tally: t }) => ({
      task,
      level,
      count: t.count,
      accuracy: t.correct / t.count,
      worked: kind(t, "worked"),
      direct: kind(t, "direct"),
      selfCheck: kind(t, "selfCheck"),
      ...(t.tokens.length ? { tokens: { mean: t.tokens.reduce((s, x) => s + x, 0) / t.tokens.length, max: Math.max(...t.tokens) } } : {}),
    }));
}

/** The statistics as a markdown table. */
export function formatCorpusStats(stats: readonly GroupStats[]): string {
  const pct = (x: number): string => (Number.isNaN(x) ? "–" : `${(100 * x).toFixed(0)}%`);
  const rows = stats.map((s) =>
    [
      s.task,
      s.level ?? "all",
      s.count,
      pct(s.accuracy),
      `${pct(s.worked.share)} (${pct(s.worked.accuracy)} right)`,
      `${pct(s.direct.share)} (${pct(s.direct.accuracy)} right)`,
      `${pct(s.selfCheck.share)} (${pct(s.selfCheck.accuracy)} right)`,
      s.tokens ? `${s.tokens.mean.toFixed(1)} / ${s.tokens.max}` : "–",
    ].join(" | "),
  );
  return ["| task | level | n | right | worked | direct | self-check | tokens mean / max |", "|---|---|---|---|---|---|---|---|", ...rows.map((r) => `| ${r} |`)].join("\n");
}
