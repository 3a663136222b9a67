/**
 * How a model answers a built-in task, for `rlzero eval --task`: the share of responses that
 * work step by step (`isWorked`) and how often those are right, the same for direct answers,
 * and the reflection rate (share with a self-check, `hasSelfCheck`), over the whole set and per
 * task and level. Correctness is the grader's verdict in the records.
 */
import type { EvalRecord } from "../eval/records.ts";
import { hasSelfCheck, isWorked } from "../tasks/format.ts";
import type { Problem } from "../tasks/types.ts";

interface Tally {
  n: number;
  right: number;
  worked: number;
  workedRight: number;
  selfCheck: number;
}

const pct = (x: number, of: number): string => (of === 0 ? "-" : `${((100 * x) / of).toFixed(1)}%`);

function add(t: Tally, r: EvalRecord): void {
  const worked = isWorked(r.response);
  t.n++;
  t.right += Number(r.correct);
  t.worked += Number(worked);
  t.workedRight += Number(worked && r.correct);
  t.selfCheck += Number(hasSelfCheck(r.response));
}

function cells(t: Tally): string[] {
  const direct = t.n - t.worked;
  return [String(t.n), pct(t.right, t.n), pct(t.worked, t.n), pct(t.workedRight, t.worked), pct(direct, t.n), pct(t.right - t.workedRight, direct), pct(t.selfCheck, t.n)];
}

/** A summary line, then a table per task and level; records' ids are indices into `problems`. */
export function taskBehaviour(name: string, problems: readonly Problem[], records: readonly EvalRecord[]): string {
  const empty = (): Tally => ({ n: 0, right: 0, worked: 0, workedRight: 0, selfCheck: 0 });
  const all = empty();
  const groups = new Map<string, Tally>();
  for (const r of records) {
    const p = problems[Number(r.id)]!;
    const key = `${p.task} ${p.level}`;
    if (!groups.has(key)) groups.set(key, empty());
    add(groups.get(key)!, r);
    add(all, r);
  }
  const [, , worked, workedRight, direct, directRight, reflection] = cells(all);
  const rows = [["task", "level", "samples", "right", "worked", "(right)", "direct", "(right)", "reflection"],
    ...[...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, t]) => [...key.split(" "), ...cells(t)])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const table = rows.map((r) => "  " + r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
  return [`${name}: worked ${worked} of responses (${workedRight} right), direct ${direct} (${directRight} right); reflection rate ${reflection}`, ...table].join("\n");
}
