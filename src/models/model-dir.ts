/**
 * Saving a whole Hugging Face model directory (config.json, weights, generation_config.json,
 * tokenizer files) atomically: everything is written into `<dir>.tmp-<pid>` and renamed into
 * place, so a killed save leaves the previous checkpoint (or nothing), never half of one.
 */
import fs from "node:fs";
import path from "node:path";
import { configToJson, idOrList, readJson, type ModelConfig } from "./config.ts";
import { saveWeights, type NamedTensor, type SaveWeightsOptions } from "./weights.ts";

/** Tokenizer files copied from the source directory when present. */
const TOKENIZER_FILES = [
  "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja",
  "vocab.json", "merges.txt", "tokenizer.model", "added_tokens.json",
];
const TORCH_DTYPE = { F32: "float32", BF16: "bfloat16", F16: "float16" } as const;

export interface SaveModelDirOptions extends SaveWeightsOptions {
  /** Model directory to copy tokenizer files (and generation_config.json's other keys) from. */
  tokenizerFrom?: string;
}

export function saveModelDir(
  dir: string, config: ModelConfig, tensors: ReadonlyMap<string, NamedTensor>, opts: SaveModelDirOptions = {},
): void {
  const target = path.resolve(dir);
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const torchDtype = TORCH_DTYPE[opts.dtype ?? "F32"];
    const json: Record<string, unknown> = { ...configToJson(config), torch_dtype: torchDtype };
    if ("dtype" in config.raw) json.dtype = torchDtype;
    writeJson(path.join(tmp, "config.json"), json);
    saveWeights(tmp, tensors, opts);
    writeJson(path.join(tmp, "generation_config.json"), generationConfig(config, opts.tokenizerFrom));
    for (const f of TOKENIZER_FILES) {
      const src = opts.tokenizerFrom && path.join(opts.tokenizerFrom, f);
      if (src && fs.existsSync(src)) fs.copyFileSync(src, path.join(tmp, f));
    }
    replaceDir(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

function generationConfig(config: ModelConfig, tokenizerFrom: string | undefined): Record<string, unknown> {
  const srcFile = tokenizerFrom && path.join(tokenizerFrom, "generation_config.json");
  const base = srcFile && fs.existsSync(srcFile) ? (readJson(srcFile) as Record<string, unknown>) : {};
  return { ...base, bos_token_id: config.bosTokenId, eos_token_id: idOrList(config.eosTokenIds) };
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

/** Moves `tmp` to `target`, replacing an existing directory by way of a rename aside. */
function replaceDir(tmp: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(tmp, target);
    return;
  }
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(old, { recursive: true, force: true });
  fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
}
