/**
 * `rlzero compare [--algorithms LIST] [--seeds K] [--config FILE] [--set key=value ...] [--out DIR] [--steps N]`:
 * every algorithm at seeds 0 .. K−1 under the budget of one base config, then the table, the
 * findings and the charts in DIR (docs/COMPARE.md).
 */
import path from "node:path";
import { compare } from "../compare/compare.ts";
import { parseAlgorithms } from "../compare/recipes.ts";
import { DEFAULT_CONFIG_FILE, defaultModelOverride } from "../trainer/default-run.ts";
import { applyThreads } from "./threads.ts";

export interface CompareFlags {
  threads?: number;
  algorithms: string;
  seeds: number;
  config?: string;
  set?: string[];
  out: string;
  steps?: number;
}

export async function compareCommand(flags: CompareFlags): Promise<void> {
  applyThreads(flags.threads);
  const algorithms = parseAlgorithms(flags.algorithms);
  // Without --config, the built-in default (configs/default.yaml on the shipped tiny model).
  const base = { file: flags.config ?? DEFAULT_CONFIG_FILE };
  const set = [...(flags.config ? [] : [defaultModelOverride()]), ...(flags.set ?? [])];
  const outcome = await compare({ algorithms, seeds: flags.seeds, base, set, steps: flags.steps, out: flags.out });
  if (outcome.interrupted) {
    console.log("interrupted: run the same command again to continue the comparison");
    return;
  }
  console.log(`results: ${path.join(flags.out, "results.md")} (table, findings, charts in ${path.join(flags.out, "charts")})`);
  for (const f of outcome.findings) console.log(`  ${f.claim}: ${f.verdict}`);
}
