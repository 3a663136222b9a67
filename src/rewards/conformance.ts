/**
 * Conformance harness over other projects' verifier test cases (../shared/data/verifier):
 * runs each case the way its source library calls its grader — extraction from both sides
 * for Math-Verify and lighteval (with the match types of the case), direct comparison of
 * answers for the Hendrycks, MARIO, NeMo-Skills and verl graders — and reports agreement.
 * Options of the source libraries that are modelled: match types, `precision` (Math-Verify
 * and lighteval round numbers to 6 decimals unless a case sets `precision`, here the minimum
 * significant digits of a decimal approximation), MARIO's lenient numeric tolerance (roundings
 * to 4 significant digits accepted) and the Hendrycks grader's ordered lists. Other options of
 * the source tests are not modelled.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { extractChoice } from "./choice.ts";
import { DEFAULT_EQUIVALENCE, answersEqual, type EquivalenceOptions } from "./equivalence.ts";
import { extractFreeform, type ExtractTargets } from "./extract/answer.ts";

export interface ConformanceCase {
  file: string;
  index: number;
  gold: string;
  prediction: string;
  expected: boolean;
  test: string;
  lineno: number | null;
  matchTypes: string[] | null;
  kind: string | null;
  symmetric: boolean;
  precision: number | null;
}

export interface CaseResult {
  c: ConformanceCase;
  got: boolean;
  extractedGold: string | null;
  extractedPred: string | null;
}

export interface FileResult {
  file: string;
  total: number;
  agree: number;
  results: CaseResult[];
}

/** Reads every `*.jsonl` conformance file in `dir`. */
export function loadCases(dir: string): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) {
    const lines = readFileSync(join(dir, file), "utf8").split("\n");
    lines.forEach((line, index) => {
      if (!line.trim()) return;
      const d = JSON.parse(line) as Record<string, unknown>;
      const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
      out.push({
        file,
        index,
        gold: str(d.gold),
        prediction: str(d.prediction),
        expected: d.expected_equal === true,
        test: str(d.test),
        lineno: typeof d.lineno === "number" ? d.lineno : null,
        matchTypes: Array.isArray(d.match_types) ? (d.match_types as string[]) : null,
        kind: typeof d.kind === "string" ? d.kind : null,
        symmetric: d.symmetric === true,
        precision: typeof d.precision === "number" ? d.precision : null,
      });
    });
  }
  return out;
}

/** Runs one case as its source library would. */
/** Comparison options modelling the library a case comes from. */
function optionsFor(c: ConformanceCase): EquivalenceOptions {
  return {
    ...DEFAULT_EQUIVALENCE,
    listOrder: c.file.startsWith("hendrycks") ? "ordered" : "unordered",
    approxMinDigits: c.precision ?? (c.file.startsWith("mario") ? MARIO_APPROX_DIGITS : DEFAULT_EQUIVALENCE.approxMinDigits),
  };
}

/** MARIO's grader compares numbers with a loose tolerance: `1.732` stands for `\sqrt3` there. */
const MARIO_APPROX_DIGITS = 4;

/** Runs one case as its source library would (see the module comment for the modelled options). */
export function runCase(c: ConformanceCase): CaseResult {
  const opts = optionsFor(c);
  if (c.file.startsWith("math_verify") || c.file.startsWith("lighteval")) {
    if (c.kind === "multiple_choice_letter") {
      const g = extractChoice(c.gold);
      const p = extractChoice(c.prediction);
      return { c, got: g !== null && g === p, extractedGold: g, extractedPred: p };
    }
    const targets: ExtractTargets = c.matchTypes
      ? { latex: c.matchTypes.includes("latex"), expr: c.matchTypes.includes("expr") }
      : { latex: true, expr: true };
    const g = extractFreeform(c.gold, targets);
    const p = extractFreeform(c.prediction, targets);
    return { c, got: g !== null && p !== null && answersEqual(g, p, opts), extractedGold: g, extractedPred: p };
  }
  let got = answersEqual(c.gold, c.prediction, opts);
  if (c.symmetric) got = got && answersEqual(c.prediction, c.gold, opts);
  return { c, got, extractedGold: c.gold, extractedPred: c.prediction };
}

/** Runs all cases and groups them per file. */
export function runConformance(dir: string): FileResult[] {
  const byFile = new Map<string, FileResult>();
  for (const c of loadCases(dir)) {
    const r = runCase(c);
    const f = byFile.get(c.file) ?? { file: c.file, total: 0, agree: 0, results: [] };
    f.total++;
    if (r.got === c.expected) f.agree++;
    f.results.push(r);
    byFile.set(c.file, f);
  }
  return [...byFile.values()];
}
