/**
 * The model a pretraining run starts from: a Hugging Face directory (`model.path`), or a new
 * one with random weights from shapes (`model.config`) and a tokenizer (`model.tokenizer`: a
 * directory, or `tasks`, the built-in tasks' tokenizer, written into the run directory). The
 * vocabulary size and the EOS/BOS ids default to the tokenizer's.
 */
import fs from "node:fs";
import path from "node:path";
import { UserInputError } from "../errors.ts";
import { parseConfig } from "../models/config.ts";
import { loadModel, loadTokenizer, randomModel } from "../models/load.ts";
import type { TextTokenizer } from "../models/tokenizer.ts";
import type { CausalLM } from "../models/transformer.ts";
import { writeTokenizer } from "../tasks/tokenizer.ts";
import type { PretrainConfig } from "./config.ts";

export interface StartingModel {
  model: CausalLM;
  tokenizer: TextTokenizer;
  /** Directory whose tokenizer files go into every saved model. */
  tokenizerDir: string;
}

export function startingModel(cfg: PretrainConfig): StartingModel {
  const m = cfg.model;
  if (m.path !== undefined) {
    const model = loadModel(m.path);
    const tokenizer = loadTokenizer(m.path);
    if (!tokenizer) throw new UserInputError(`model.path: ${m.path} has no tokenizer.json`);
    return { model, tokenizer, tokenizerDir: m.path };
  }
  const tokenizerDir = m.tokenizer === "tasks" ? path.join(cfg.run_dir, "tokenizer") : m.tokenizer!;
  if (m.tokenizer === "tasks") writeTokenizer(tokenizerDir);
  else if (!fs.existsSync(path.join(tokenizerDir, "tokenizer.json"))) throw new UserInputError(`model.tokenizer: ${tokenizerDir} has no tokenizer.json`);
  const tokenizer = loadTokenizer(tokenizerDir)!;
  const { architecture, vocab_size, ...shape } = m.config!;
  if (vocab_size !== undefined && vocab_size < tokenizer.vocabSize) {
    throw new UserInputError(`model.config.vocab_size: ${vocab_size} is smaller than the tokenizer's vocabulary (${tokenizer.vocabSize} tokens)`);
  }
  const bos = tokenizer.bosToken === null ? undefined : tokenizer.tokenToId(tokenizer.bosToken);
  const config = parseConfig({
    architectures: [architecture],
    model_type: architecture === "Qwen2ForCausalLM" ? "qwen2" : "llama",
    hidden_act: "silu",
    ...shape,
    vocab_size: vocab_size ?? tokenizer.vocabSize,
    bos_token_id: bos ?? null,
    eos_token_id: tokenizer.eosTokenIds[0] ?? null,
  }, "model.config");
  return { model: randomModel(config, cfg.seed, { std: m.init_std }), tokenizer, tokenizerDir };
}
