/**
 * `rlzero eval`: benchmarks (or data files) through the local engine or OpenAI-compatible
 * servers; per benchmark avg@n, pass@k, maj@k, mean length and truncation rate on the
 * terminal and in OUT/report.json and OUT/report.md; every graded response in
 * OUT/<benchmark>.jsonl, which a rerun with the same settings continues from. Ctrl-C stops
 * at the next batch and writes a partial report (exit 130).
 */
import { resolve } from "node:path";
import { answerFormatFor, promptFor } from "../data/templates.ts";
import { evaluateBenchmark } from "../eval/evaluate.ts";
import { VerifierPools } from "../eval/pools.ts";
import { formatTable, writeEvalReport, type BenchmarkReport } from "../eval/report.ts";
import { loadSources, type DataFlags } from "./data-flags.ts";
import { engineFromFlags, interruptSignal, progress, samplingFromFlags, templateFromFlags, type EngineFlags, type SamplingFlags } from "./engine-flags.ts";

export interface EvalFlags extends EngineFlags, SamplingFlags, DataFlags {
  benchmarks: string;
  n: number;
  seed: number;
  out: string;
  overwrite?: boolean;
}

export async function evalCommand(f: EvalFlags): Promise<void> {
  const template = templateFromFlags(f);
  const sampling = samplingFromFlags(f, template);
  const datasets = await loadSources(f.benchmarks.split(",").map((s) => s.trim()).filter(Boolean), f);
  const choice = await engineFromFlags(f);
  const pools = new VerifierPools();
  const stop = interruptSignal();
  const outDir = resolve(f.out);
  const reports: BenchmarkReport[] = [];
  try {
    for (const d of datasets) {
      if (stop.signal.aborted) break;
      const { report } = await evaluateBenchmark({
        engine: choice.engine, name: d.name, items: d.items, n: f.n, sampling, seedKeys: [f.seed],
        render: (item) => promptFor(template, item, choice.tokenizer),
        pool: pools.get(answerFormatFor(template, d.items)),
        outDir, batchSize: choice.batchSize, inFlight: choice.inFlight, signal: stop.signal,
        identity: choice.identity, overwrite: f.overwrite,
        onProgress: progress(d.name),
      });
      if (process.stderr.isTTY) process.stderr.write("\n");
      reports.push(report);
      writeEvalReport(outDir, reports);
    }
  } finally {
    stop.dispose();
    await choice.engine.close();
    await pools.close();
  }
  console.log(formatTable(reports));
  console.log(`\nwrote ${outDir}/report.json, report.md and one <benchmark>.jsonl of responses each`);
  const failed = reports.reduce((a, r) => a + r.failed, 0);
  if (failed > 0) console.error(`rlzero: ${failed} samples failed to generate and are not scored (see report.json "failures"); run again to retry them`);
  if (stop.signal.aborted) process.exit(130);
}
