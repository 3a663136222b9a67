/**
 * `rlzero pretrain --config FILE [--set key=value ...] [--print-config] [--resume RUN_DIR]`:
 * resolves the pretraining config and runs next-token training, then prints what the run did.
 */
import fs from "node:fs";
import { UserInputError } from "../errors.ts";
import { pretrainConfigToYaml, resolvePretrainConfig } from "../pretrain/config.ts";
import { pretrain } from "../pretrain/pretrain.ts";
import { formatPretrainSummary } from "../pretrain/summary.ts";
import { applyThreads } from "./threads.ts";

export interface PretrainFlags {
  threads?: number;
  config?: string;
  set?: string[];
  printConfig?: boolean;
  resume?: string;
}

export async function pretrainCommand(flags: PretrainFlags): Promise<void> {
  applyThreads(flags.threads);
  if (flags.resume && flags.config) throw new UserInputError("--resume continues a run with its own config.yaml: give --resume or --config, not both");
  if (flags.resume && !fs.existsSync(flags.resume)) throw new UserInputError(`--resume: run directory ${flags.resume} does not exist`);
  const cfg = resolvePretrainConfig({ file: flags.config, set: flags.set, resume: flags.resume });
  if (flags.printConfig) {
    process.stdout.write(pretrainConfigToYaml(cfg));
    return;
  }
  const result = await pretrain(cfg, { resume: flags.resume !== undefined });
  console.log(`${result.interrupted ? "interrupted" : "finished"}: ${formatPretrainSummary(result.summary)}`);
}
