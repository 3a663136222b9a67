/**
 * `rlzero eval`: benchmarks (or data files), or a built-in task's freshly drawn problems
 * (`--task`), through the local engine or OpenAI-compatible servers; per benchmark avg@n,
 * pass@k, maj@k, mean length and truncation rate on the terminal and in OUT/report.json and
 * OUT/report.md, and for a task how often the model works step by step, answers directly and
 * checks itself, and how often each is right; every graded response in OUT/<benchmark>.jsonl,
 * which a rerun with the same settings continues from. Ctrl-C stops at the next batch and
 * writes a partial report (exit 130).
 */
import { resolve } from "node:path";
import { UserInputError } from "../errors.ts";
import { answerFormatFor, promptFor } from "../data/templates.ts";
import type { PromptItem } from "../data/types.ts";
import { evaluateBenchmark } from "../eval/evaluate.ts";
import { VerifierPools } from "../eval/pools.ts";
import { formatTable, writeEvalReport, type BenchmarkReport } from "../eval/report.ts";
import type { Problem } from "../tasks/types.ts";
import { loadSources, loadTaskSource, type DataFlags } from "./data-flags.ts";
import { engineFromFlags, interruptSignal, progress, samplingFromFlags, templateFromFlags, type EngineFlags, type SamplingFlags } from "./engine-flags.ts";
import { taskBehaviour } from "./task-behaviour.ts";

export interface EvalFlags extends EngineFlags, Omit<SamplingFlags, "template">, DataFlags {
  benchmarks?: string;
  task?: string;
  count: number;
  split: "train" | "eval";
  template?: string;
  n: number;
  seed?: number;
  out: string;
  overwrite?: boolean;
}

/** What is evaluated: a dataset's items, with the grader of a task and its problems. */
interface Source {
  name: string;
  items: PromptItem[];
  grader?: string;
  problems?: Problem[];
}

export async function evalCommand(f: EvalFlags): Promise<void> {
  if ((f.benchmarks === undefined) === (f.task === undefined)) throw new UserInputError("give --benchmarks LIST or --task SUITE");
  const seed = f.seed ?? (f.task ? 1 : 0);
  const flags = { ...f, template: f.template ?? (f.task ? "orz_short" : "orz") };
  const template = templateFromFlags(flags);
  const sampling = samplingFromFlags(flags, template);
  const sources: Source[] = f.task
    ? [loadTaskSource({ task: f.task, count: f.count, seed, split: f.split })]
    : await loadSources(f.benchmarks!.split(",").map((s) => s.trim()).filter(Boolean), f);
  const choice = await engineFromFlags(f);
  const pools = new VerifierPools();
  const stop = interruptSignal();
  const outDir = resolve(f.out);
  const reports: BenchmarkReport[] = [];
  const behaviour: string[] = [];
  try {
    for (const d of sources) {
      if (stop.signal.aborted) break;
      const { report, records } = await evaluateBenchmark({
        engine: choice.engine, name: d.name, items: d.items, n: f.n, sampling, seedKeys: [seed],
        render: (item) => promptFor(template, item, choice.tokenizer),
        pool: pools.get(answerFormatFor(template, d.items), d.grader),
        outDir, batchSize: choice.batchSize, inFlight: choice.inFlight, signal: stop.signal,
        identity: choice.identity, overwrite: f.overwrite,
        onProgress: progress(d.name),
      });
      if (process.stderr.isTTY) process.stderr.write("\n");
      reports.push(report);
      writeEvalReport(outDir, reports);
      if (d.problems) behaviour.push(taskBehaviour(d.name, d.problems, records));
    }
  } finally {
    stop.dispose();
    await choice.engine.close();
    await pools.close();
  }
  console.log(formatTable(reports));
  for (const b of behaviour) console.log(`\n${b}`);
  console.log(`\nwrote ${outDir}/report.json, report.md and one <benchmark>.jsonl of responses each`);
  const failed = reports.reduce((a, r) => a + r.failed, 0);
  if (failed > 0) console.error(`rlzero: ${failed} samples failed to generate and are not scored (see report.json "failures"); run again to retry them`);
  if (stop.signal.aborted) process.exit(130);
}
