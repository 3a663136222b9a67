/**
 * A tiny run for the trainer's tests: a random Qwen2 model with the built-in tasks' tokenizer
 * (learnt from a few hundred corpus lines), a prompt file, and a run config whose reward a
 * random model can learn in a few steps (test/fixtures/graders/has-digit.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { parseConfig } from "../../src/models/config.ts";
import { randomModel, saveModel, loadTokenizer } from "../../src/models/load.ts";
import { buildTokenizer, tokenizerTexts, writeTokenizer } from "../../src/tasks/tokenizer.ts";

export const HAS_DIGIT = fileURLToPath(new URL("../fixtures/graders/has-digit.ts", import.meta.url));

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rlzero-${prefix}-`));
}

/** A random model directory with the tasks' tokenizer. */
export function tinyModel(dir: string, seed = 1, std = 0.1, context = 128): string {
  writeTokenizer(dir, buildTokenizer(tokenizerTexts(0, 400), { minCount: 5 }));
  const vocab = loadTokenizer(dir)!.vocabSize;
  const config = parseConfig({
    architectures: ["Qwen2ForCausalLM"], model_type: "qwen2", vocab_size: vocab, hidden_size: 32, intermediate_size: 64,
    num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: context,
    tie_word_embeddings: true, eos_token_id: 0,
  }, "tiny test model");
  saveModel(dir, randomModel(config, seed, { std }), { tokenizerFrom: dir });
  return dir;
}

/** A JSONL prompt file of `count` plain questions. */
export function promptFile(file: string, count: number): string {
  fs.writeFileSync(file, Array.from({ length: count }, (_, i) => JSON.stringify({ question: `${i % 7} + ${i % 5} = ?`, answer: "x" })).join("\n") + "\n");
  return file;
}

/** A run config (as a plain object) over a tiny model and prompt file; `extra` is merged in by section. */
export function tinyConfig(root: string, extra: Record<string, Record<string, unknown> | unknown> = {}): Record<string, unknown> {
  const model = fs.existsSync(path.join(root, "model")) ? path.join(root, "model") : tinyModel(path.join(root, "model"));
  const train = fs.existsSync(path.join(root, "train.jsonl")) ? path.join(root, "train.jsonl") : promptFile(path.join(root, "train.jsonl"), 32);
  const base: Record<string, Record<string, unknown> | unknown> = {
    seed: 3,
    run_dir: path.join(root, "run"),
    model: { path: model },
    data: { train: { path: train }, template: { name: "plain" } },
    reward: { module: HAS_DIGIT, workers: 1 },
    rollout: { prompts_per_step: 8, samples_per_prompt: 4, max_new_tokens: 4, temperature: 1 },
    algorithm: { name: "grpo" },
    actor: { lr: 0.02, warmup_steps: 0 },
    critic: { lr: 0.02, warmup_steps: 0 },
    trainer: { steps: 12, eval_every: 0, save_every: 0, log_kl: true },
  };
  for (const [k, v] of Object.entries(extra)) {
    base[k] = typeof v === "object" && v !== null && !Array.isArray(v) ? { ...(base[k] as object), ...v } : v;
  }
  return base;
}

export function writeConfig(file: string, cfg: Record<string, unknown>): string {
  fs.writeFileSync(file, YAML.stringify(cfg));
  return file;
}
