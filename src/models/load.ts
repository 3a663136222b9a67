/**
 * Loading and saving whole models: a Hugging Face directory <-> CausalLM (+ tokenizer).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readConfig, type ModelConfig } from "./config.ts";
import { loadWeights, type NamedTensor } from "./weights.ts";
import { saveModelDir } from "./model-dir.ts";
import type { FloatDtype } from "./safetensors.ts";
import { parametersFromWeights, randomParameters, randomValueHead } from "./parameters.ts";
import { CausalLM } from "./transformer.ts";
import { TextTokenizer } from "./tokenizer.ts";
import { UserInputError } from "../errors.ts";

export interface LoadOptions {
  /** Load as a critic: backbone + value head (a fresh head when the directory has none). */
  valueHead?: boolean;
  /** Seed for a fresh value head. */
  seed?: number;
}

export function loadModel(dir: string, opts: LoadOptions = {}): CausalLM {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserInputError(`model directory ${dir} does not exist`);
  }
  const config = readConfig(dir);
  const weights = loadWeights(dir);
  const initValueHead = (): Float32Array => randomValueHead(config, opts.seed ?? 0);
  const params = parametersFromWeights(config, weights, dir, { valueHead: opts.valueHead, initValueHead });
  return new CausalLM(config, params);
}

/** The tokenizer of a model directory, or null when it has no tokenizer.json. */
export function loadTokenizer(dir: string): TextTokenizer | null {
  return fs.existsSync(path.join(dir, "tokenizer.json")) ? TextTokenizer.load(dir) : null;
}

/**
 * Writes the model as a Hugging Face directory (F32 unless `dtype` says otherwise); tokenizer
 * files are copied from `tokenizerFrom`.
 */
export function saveModel(dir: string, model: CausalLM, opts: { tokenizerFrom?: string; dtype?: FloatDtype } = {}): void {
  const tensors = new Map<string, NamedTensor>();
  for (const [name, t] of model.params) tensors.set(name, { shape: [...t.shape], data: t.data });
  saveModelDir(dir, model.config, tensors, opts);
}

export function randomModel(config: ModelConfig, seed: number, opts: { valueHead?: boolean; std?: number } = {}): CausalLM {
  return new CausalLM(config, randomParameters(config, seed, opts));
}
