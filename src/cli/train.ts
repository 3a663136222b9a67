/**
 * `rlzero train [--config FILE] [--set key=value ...] [--print-config] [--resume RUN_DIR]`:
 * resolves the run config (with no --config, the built-in default: configs/default.yaml) and
 * calls the trainer, then prints what the run achieved.
 */
import fs from "node:fs";
import { UserInputError } from "../errors.ts";
import { configToYaml, resolveConfig } from "../trainer/load-config.ts";
import { train } from "../trainer/train.ts";
import { formatSummary } from "../trainer/summary.ts";
import { DEFAULT_CONFIG_FILE, defaultRunOverrides } from "../trainer/default-run.ts";
import { applyThreads } from "./threads.ts";

export interface TrainFlags {
  threads?: number;
  config?: string;
  set?: string[];
  printConfig?: boolean;
  resume?: string;
}

export async function trainCommand(flags: TrainFlags): Promise<void> {
  applyThreads(flags.threads);
  if (flags.resume && flags.config) throw new UserInputError("--resume continues a run with its own config.yaml: give --resume or --config, not both");
  if (flags.resume && !fs.existsSync(flags.resume)) throw new UserInputError(`--resume: run directory ${flags.resume} does not exist`);
  // No config: the built-in default (configs/default.yaml); the user's --set still applies after its own.
  const builtIn = !flags.config && !flags.resume;
  const cfg = resolveConfig({
    file: builtIn ? DEFAULT_CONFIG_FILE : flags.config,
    set: builtIn ? [...defaultRunOverrides(), ...(flags.set ?? [])] : flags.set,
    resume: flags.resume,
  });
  if (flags.printConfig) {
    process.stdout.write(configToYaml(cfg));
    return;
  }
  const result = await train(cfg, { resume: flags.resume !== undefined });
  console.log(`${result.interrupted ? "interrupted" : "finished"}: ${formatSummary(result.summary)}`);
}
