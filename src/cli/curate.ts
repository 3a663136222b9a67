/**
 * `rlzero curate`: Open-Reasoner-Zero's data curation. Drops items whose reference the
 * verifier cannot use and duplicate questions (src/data/curate.ts), samples k responses
 * per remaining item (an evaluation run, cached in OUT/<name>.jsonl so an interrupted run
 * continues), and keeps the items whose pass rate c/k lies in [--min-pass, --max-pass]
 * (default: drop 0/k and k/k). Writes OUT/kept.jsonl (id, question, answer, choices,
 * pass_rate; loadable as a data file) and OUT/curate-report.json with the pass-rate
 * histogram, which is also printed; stopped by Ctrl-C, it writes neither.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserInputError } from "../errors.ts";
import { bandFilter, defaultBand, prefilter } from "../data/curate.ts";
import { answerFormatFor, promptFor } from "../data/templates.ts";
import { evaluateBenchmark } from "../eval/evaluate.ts";
import { VerifierPools } from "../eval/pools.ts";
import { writeAtomic } from "../eval/records.ts";
import { loadSources, type DataFlags } from "./data-flags.ts";
import { engineFromFlags, interruptSignal, progress, samplingFromFlags, templateFromFlags, type EngineFlags, type SamplingFlags } from "./engine-flags.ts";

export interface CurateFlags extends EngineFlags, SamplingFlags, DataFlags {
  data: string;
  k: number;
  minPass?: number;
  maxPass?: number;
  seed: number;
  out: string;
  overwrite?: boolean;
}

export async function curateCommand(f: CurateFlags): Promise<void> {
  const band = { ...defaultBand(f.k), ...(f.minPass !== undefined ? { min: f.minPass } : {}), ...(f.maxPass !== undefined ? { max: f.maxPass } : {}) };
  if (band.min > band.max) throw new UserInputError(`--min-pass ${band.min} is above --max-pass ${band.max}`);
  const template = templateFromFlags(f);
  const sampling = samplingFromFlags(f, template);
  const [data] = await loadSources([f.data], f);
  const choice = await engineFromFlags(f);
  const pools = new VerifierPools();
  const stop = interruptSignal();
  const outDir = resolve(f.out);
  mkdirSync(outDir, { recursive: true });
  try {
    const pool = pools.get(answerFormatFor(template, data!.items));
    const pre = await prefilter(data!.items, pool);
    console.error(`${data!.name}: ${pre.unparseable.length} references the verifier cannot use, ${pre.duplicates.length} duplicates; sampling ${f.k} responses for each of ${pre.items.length} items`);
    const { report, records } = await evaluateBenchmark({
      engine: choice.engine, name: data!.name, items: pre.items, n: f.k, sampling, seedKeys: [f.seed],
      render: (item) => promptFor(template, item, choice.tokenizer), pool,
      outDir, batchSize: choice.batchSize, inFlight: choice.inFlight, signal: stop.signal,
      identity: choice.identity, overwrite: f.overwrite, onProgress: progress(data!.name),
    });
    if (process.stderr.isTTY) process.stderr.write("\n");
    if (stop.signal.aborted) {
      console.error(`rlzero: stopped with ${report.scored} of ${pre.items.length * f.k} samples graded (kept in ${outDir}); run the same command again to continue`);
      return;
    }
    const result = bandFilter(pre.items, records, f.k, band);
    writeFileSync(join(outDir, "kept.jsonl"), result.kept.map((it) => JSON.stringify(it) + "\n").join(""));
    const summary = {
      source: data!.path, items: data!.items.length, k: f.k, band, complete: report.complete,
      unparseable: pre.unparseable, duplicates: pre.duplicates,
      histogram: Object.fromEntries(result.histogram.map((count, c) => [`${c}/${f.k}`, count])),
      kept: result.kept.length, dropped: result.dropped.length, unscored: result.unscored.length,
      failed_samples: report.failed, avg_pass_rate: report.acc,
    };
    writeAtomic(join(outDir, "curate-report.json"), JSON.stringify(summary, null, 2) + "\n");
    console.log(histogramText(result.histogram, f.k));
    console.log(`kept ${result.kept.length} of ${data!.items.length} items (band ${band.min.toFixed(3)}..${band.max.toFixed(3)}; ${pre.unparseable.length} unusable references, ${pre.duplicates.length} duplicates, ${result.dropped.length} outside the band, ${result.unscored.length} unscored)`);
    console.log(`wrote ${join(outDir, "kept.jsonl")} and ${join(outDir, "curate-report.json")}`);
  } finally {
    stop.dispose();
    await choice.engine.close();
    await pools.close();
  }
  if (stop.signal.aborted) process.exit(130);
}

function histogramText(histogram: readonly number[], k: number): string {
  const most = Math.max(1, ...histogram);
  return ["pass-rate histogram (correct of k):", ...histogram.map((n, c) => `${String(c).padStart(4)}/${k} ${String(n).padStart(6)} ${"#".repeat(Math.round((40 * n) / most))}`)].join("\n");
}
