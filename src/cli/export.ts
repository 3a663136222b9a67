/** `rlzero export --format gguf`: a Hugging Face model directory as one GGUF file, for llama.cpp or Ollama. */
import fs from "node:fs";
import path from "node:path";
import { loadModel } from "../models/load.ts";
import { writeGguf, type GgufDtype } from "../models/gguf.ts";
import { UserInputError } from "../errors.ts";
import { applyThreads } from "./threads.ts";

export interface ExportFlags {
  threads?: number;
  format: string;
  model: string;
  out: string;
  dtype: string;
}

const DTYPES: readonly GgufDtype[] = ["f32", "f16", "bf16"];

export function exportCommand(flags: ExportFlags): void {
  applyThreads(flags.threads);
  if (flags.format !== "gguf") throw new UserInputError(`--format must be gguf, got "${flags.format}"`);
  if (!DTYPES.includes(flags.dtype as GgufDtype)) throw new UserInputError(`--dtype must be f32, f16 or bf16, got "${flags.dtype}"`);
  const outDir = path.dirname(path.resolve(flags.out));
  if (!fs.existsSync(outDir)) throw new UserInputError(`--out ${flags.out}: directory ${outDir} does not exist`);
  const model = loadModel(flags.model);
  const { warnings } = writeGguf(model, flags.out, {
    dtype: flags.dtype as GgufDtype,
    tokenizerDir: flags.model,
    name: path.basename(path.resolve(flags.model)),
  });
  for (const w of warnings) console.error(`rlzero: warning: ${w}`);
  const mb = fs.statSync(flags.out).size / 2 ** 20;
  console.log(`wrote ${flags.out} (GGUF v3, ${model.config.modelType}, ${flags.dtype}, ${mb.toFixed(1)} MiB)`);
}
