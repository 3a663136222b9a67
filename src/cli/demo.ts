/**
 * `rlzero demo`: the built-in default until the trainer lands. Builds the `mini` model with
 * random weights, saves it as a Hugging Face directory, loads it back, and samples a batch from
 * it, printing throughput. The completions are noise: the model is untrained.
 */
import { presetConfig } from "../models/presets.ts";
import { loadModel, randomModel, saveModel } from "../models/load.ts";
import { generate } from "../sampling/generate.ts";
import { Rng } from "../util/rng.ts";
import { native } from "../native/index.ts";
import { applyThreads } from "./threads.ts";

export function demoCommand(flags: { threads?: number; out: string }): void {
  applyThreads(flags.threads);
  const info = native.info();
  console.log(`native backend ${info.backend}, ${info.threads} threads`);
  saveModel(flags.out, randomModel(presetConfig("mini"), 42));
  const model = loadModel(flags.out);
  console.log(`saved and reloaded a random ${model.parameters().reduce((n, p) => n + p.size, 0).toLocaleString()}-parameter Qwen2 model in ${flags.out}`);
  const rng = Rng.fromSeed(42);
  const prompts = Array.from({ length: 32 }, () => Array.from({ length: 64 }, () => 2 + rng.int(510)));
  const t0 = performance.now();
  const out = generate(model, prompts, { maxNewTokens: 128, temperature: 1, topP: 1, topK: 0, eosTokenIds: [] }, { rngs: prompts.map((_, i) => Rng.derive(42, i)) });
  const seconds = (performance.now() - t0) / 1000;
  const tokens = out.reduce((n, c) => n + c.tokenIds.length, 0);
  console.log(`generated ${tokens} tokens for 32 prompts of 64 tokens in ${seconds.toFixed(2)} s: ${(tokens / seconds).toFixed(0)} tokens/s`);
  console.log(`first completion: ${out[0].tokenIds.slice(0, 16).join(" ")} ...`);
}
