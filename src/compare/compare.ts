/**
 * `rlzero compare`: every algorithm at every seed under one budget (plan.ts), one run after
 * another (on 2 cores, parallel runs would only fight over them), then in the output directory
 * results.md, results.json and charts/ (docs/COMPARE.md, docs/RUN_DIRECTORY.md).
 *
 * Resumable: a finished run is reused, an unfinished one continues from its last checkpoint, so
 * rerunning the same command after Ctrl-C or a crash finishes the comparison.
 */
import fs from "node:fs";
import path from "node:path";
import { train } from "../trainer/train.ts";
import { writeCharts } from "./charts.ts";
import { judgeFindings, type Finding } from "./findings.ts";
import { planComparison, runState, type ComparisonRequest } from "./plan.ts";
import { resultsMarkdown } from "./report.ts";
import { collectResults, type ComparisonResults } from "./results.ts";

export interface CompareOptions {
  /** Where progress goes (default: stdout). */
  out?: NodeJS.WriteStream;
}

export interface CompareOutcome {
  /** Stopped by Ctrl-C: the interrupted run saved a checkpoint; no results were written. */
  interrupted: boolean;
  results: ComparisonResults | null;
  findings: Finding[];
}

export async function compare(req: ComparisonRequest, opts: CompareOptions = {}): Promise<CompareOutcome> {
  const out = opts.out ?? process.stdout;
  const log = (line: string) => out.write(`compare: ${line}\n`);
  const runs = planComparison(req);
  const states = runs.map((r) => runState(r.cfg)); // a run made with other settings stops us before any training
  for (const [i, run] of runs.entries()) {
    const what = `[${i + 1}/${runs.length}] ${run.algorithm} seed ${run.seed}`;
    if (states[i] === "finished") {
      log(`${what}: finished earlier, reused (${run.cfg.run_dir})`);
      continue;
    }
    log(`${what}: ${states[i] === "new" ? "starting" : "resuming"} in ${run.cfg.run_dir}`);
    const { interrupted } = await train(run.cfg, { resume: states[i] === "unfinished", out });
    if (interrupted) return { interrupted: true, results: null, findings: [] };
  }

  const results = collectResults(runs, { base: req.base.file ?? req.base.fallback!.label, overrides: req.set });
  const findings = judgeFindings(results.algorithms, results.earlyStep);
  const charts = await writeCharts(results, path.join(req.out, "charts"));
  fs.writeFileSync(path.join(req.out, "results.json"), JSON.stringify({ ...results, findings }, null, 2) + "\n");
  fs.writeFileSync(path.join(req.out, "results.md"), resultsMarkdown(results, findings, charts.map((f) => path.basename(f))));
  return { interrupted: false, results, findings };
}
