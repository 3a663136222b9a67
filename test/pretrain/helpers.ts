/**
 * A tiny pretraining run for the tests: a model of a few thousand parameters from scratch, with
 * the tasks' tokenizer learnt from a few hundred corpus lines, on one-digit additions.
 */
import fs from "node:fs";
import path from "node:path";
import { buildTokenizer, tokenizerTexts, writeTokenizer } from "../../src/tasks/tokenizer.ts";

/** A tokenizer directory (made once per root). */
export function tinyTokenizer(root: string): string {
  const dir = path.join(root, "tokenizer");
  if (!fs.existsSync(path.join(dir, "tokenizer.json"))) writeTokenizer(dir, buildTokenizer(tokenizerTexts(0, 400), { minCount: 5 }));
  return dir;
}

/** A pretraining config (a plain object) over the tiny model; `extra` is merged in by section. */
export function tinyPretrainConfig(root: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    seed: 5,
    run_dir: path.join(root, "run"),
    model: {
      tokenizer: tinyTokenizer(root),
      config: { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64 },
      init_std: 0.05,
    },
    data: { train: { task: "add:1", count: 400, seed: 0 }, eval: { task: "add:1", count: 40, seed: 1 } },
    optim: { lr: 0.01, warmup_steps: 3, min_lr: 0.001 },
    trainer: { steps: 30, batch_size: 16, eval_every: 10, save_every: 0 },
  };
  for (const [k, v] of Object.entries(extra)) {
    base[k] = typeof v === "object" && v !== null && !Array.isArray(v) ? { ...(base[k] as object), ...v } : v;
  }
  return base;
}
