/**
 * `rlzero compare [--algorithms LIST] [--seeds K] [--config FILE] [--set key=value ...] [--out DIR] [--steps N]`:
 * every algorithm at seeds 0 .. K−1 under the budget of one base config, then the table, the
 * findings and the charts in DIR (docs/COMPARE.md).
 */
import path from "node:path";
import { compare } from "../compare/compare.ts";
import { parseAlgorithms } from "../compare/recipes.ts";
import { UserInputError } from "../errors.ts";
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
  if (!flags.config) throw new UserInputError("rlzero compare needs --config FILE: the base run config every algorithm shares (with a data.eval held-out set)");
  const outcome = await compare({ algorithms, seeds: flags.seeds, base: { file: flags.config }, set: flags.set ?? [], steps: flags.steps, out: flags.out });
  if (outcome.interrupted) {
    console.log("interrupted: run the same command again to continue the comparison");
    return;
  }
  console.log(`results: ${path.join(flags.out, "results.md")} (table, findings, charts in ${path.join(flags.out, "charts")})`);
  for (const f of outcome.findings) console.log(`  ${f.claim}: ${f.verdict}`);
}
