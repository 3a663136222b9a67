/**
 * Training-step and generation throughput of our engine on random-weight models, beside PyTorch
 * (bench/torch_reference.py, run with Debian's python3-torch) doing the same work in the same run.
 *   train: forward + backward of the mean next-token NLL + AdamW, B sequences x T tokens;
 *          tokens/s = B*T / median step time.
 *   generate: 32 prompts of 64 random tokens, 128 new tokens each at temperature 1, KV cache;
 *          tokens/s = generated tokens / total time, prefill included.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { presetConfig, type PresetName } from "../src/models/presets.ts";
import { randomModel } from "../src/models/load.ts";
import { backward, zeroGrad } from "../src/tensor/tensor.ts";
import { mean, neg } from "../src/tensor/elementwise.ts";
import { AdamW } from "../src/nn/adamw.ts";
import { generate } from "../src/sampling/generate.ts";
import { Rng } from "../src/util/rng.ts";

export const TRAIN_SHAPES: Record<PresetName, { B: number; T: number; steps: number }> = {
  mini: { B: 8, T: 256, steps: 5 },
  "qwen2.5-0.5b-4l": { B: 4, T: 256, steps: 3 },
};
const TORCH_NAME: Record<PresetName, string> = { mini: "mini", "qwen2.5-0.5b-4l": "0.5b-4l" };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function trainTokensPerSecond(preset: PresetName): number {
  const { B, T, steps } = TRAIN_SHAPES[preset];
  const cfg = presetConfig(preset);
  const model = randomModel(cfg, 1);
  const opt = new AdamW(model.parameters(), { lr: 1e-5, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 });
  const rng = Rng.fromSeed(2);
  const ids = Int32Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
  const rows = Int32Array.from({ length: B * (T - 1) }, (_, i) => Math.floor(i / (T - 1)) * T + (i % (T - 1)));
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t0 = performance.now();
    backward(neg(mean(model.tokenLogprobs(ids, B, T, rows).logp)));
    opt.update();
    zeroGrad(model.parameters());
    if (s > 0) times.push(performance.now() - t0); // step 0 is the warm-up
  }
  return (B * T) / (median(times) / 1000);
}

export function generateTokensPerSecond(preset: PresetName): number {
  const cfg = presetConfig(preset);
  const model = randomModel(cfg, 1);
  const rng = Rng.fromSeed(3);
  const prompts = Array.from({ length: 32 }, () => Array.from({ length: 64 }, () => rng.int(cfg.vocabSize)));
  const t0 = performance.now();
  const out = generate(model, prompts, { maxNewTokens: 128, temperature: 1, topP: 1, topK: 0, eosTokenIds: [] }, { rngs: prompts.map((_, i) => Rng.derive(3, i)) });
  const tokens = out.reduce((n, c) => n + c.tokenIds.length, 0);
  return tokens / ((performance.now() - t0) / 1000);
}

/** PyTorch's tokens/s for the same work, or the reason it could not run. */
export function torchTokensPerSecond(preset: PresetName, mode: "train" | "generate", threads: number): number | string {
  const script = fileURLToPath(new URL("./torch_reference.py", import.meta.url));
  const r = spawnSync("/usr/bin/python3", [script, "--model", TORCH_NAME[preset], "--mode", mode, "--threads", String(threads)], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? r.stderr.trim().split("\n").pop() ?? "failed";
    return /No module named 'torch'|ENOENT/.test(why) ? "PyTorch not installed (bash scripts/setup.sh --bench)" : `PyTorch run failed: ${why}`;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!).tokens_per_s as number;
}
