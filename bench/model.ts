/**
 * Our training-step and generation throughput on random-weight models, for the bench to set
 * beside PyTorch and llama.cpp doing the same work:
 *   train: forward + backward of the mean next-token NLL + AdamW, B sequences x T tokens;
 *          tokens/s = B*T / median step time.
 *   generate: 32 prompts of 64 random tokens, 128 new tokens each at temperature 1 (no EOS), KV
 *          cache; tokens/s = generated tokens / total time, prefill included.
 *   rl: the RL step's shape: P prompts x n samples with EOS, so responses end at different
 *          lengths; static batches vs continuous batching vs continuous + shared prefill.
 */
import { native } from "../src/native/index.ts";
import { presetConfig, type PresetName } from "../src/models/presets.ts";
import { randomModel } from "../src/models/load.ts";
import type { CausalLM } from "../src/models/transformer.ts";
import type { Bf16Mode, PackedWeights } from "../src/models/packed-weights.ts";
import { backward, noGrad, zeroGrad } from "../src/tensor/tensor.ts";
import { withScratch } from "../src/tensor/scratch.ts";
import { mean, neg } from "../src/tensor/elementwise.ts";
import { AdamW } from "../src/nn/adamw.ts";
import { generate, generateGroups, type SamplingParams } from "../src/sampling/generate.ts";
import { Rng } from "../src/util/rng.ts";

export const TRAIN_SHAPES: Record<PresetName, { B: number; T: number; steps: number }> = {
  mini: { B: 8, T: 256, steps: 5 },
  "qwen2.5-0.5b-4l": { B: 4, T: 256, steps: 3 },
};
export const GEN = { prompts: 32, promptLength: 64, newTokens: 128 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const models = new Map<PresetName, CausalLM>();
/** The bench's random-weight model of a preset (seed 1), built once. */
export function benchModel(preset: PresetName): CausalLM {
  if (!models.has(preset)) models.set(preset, randomModel(presetConfig(preset), 1));
  return models.get(preset)!;
}

export function trainTokensPerSecond(preset: PresetName): number {
  const { B, T, steps } = TRAIN_SHAPES[preset];
  const model = benchModel(preset);
  const cfg = model.config;
  const opt = new AdamW(model.parameters(), { lr: 1e-5, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0 });
  const rng = Rng.fromSeed(2);
  const ids = Int32Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
  const rows = Int32Array.from({ length: B * (T - 1) }, (_, i) => Math.floor(i / (T - 1)) * T + (i % (T - 1)));
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t0 = performance.now();
    withScratch(() => backward(neg(mean(model.tokenLogprobs(ids, B, T, rows).logp)))); // as the trainer's micro-batches
    opt.update();
    zeroGrad(model.parameters());
    if (s > 0) times.push(performance.now() - t0); // step 0 is the warm-up
  }
  return (B * T) / (median(times) / 1000);
}

/** fn's work per second of this process's CPU time, on one thread (robust to a shared machine's load). */
export function perCpuSecondOnOneThread(fn: () => number, work: number): number {
  const threads = native.info().threads;
  native.setThreads(1);
  try {
    fn(); // warm-up
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    return work / ((c.user + c.system) / 1e6);
  } finally {
    native.setThreads(threads);
  }
}

function randomPrompts(vocab: number, count: number, length: number, seed: number): number[][] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: count }, () => Array.from({ length }, () => rng.int(vocab)));
}

const SAMPLING: SamplingParams = { maxNewTokens: GEN.newTokens, temperature: 1, topP: 1, topK: 0, eosTokenIds: [] };

const packs = new Map<string, PackedWeights>();

/**
 * Generated tokens per second. The weights are packed once and kept, as a server or llama.cpp
 * holds them; `packInCall` packs them inside the timed call instead, as every RL step must.
 */
export function generateTokensPerSecond(preset: PresetName, bf16: Bf16Mode = "none", packInCall = false): number {
  const model = benchModel(preset);
  const key = `${preset} ${bf16}`;
  if (!packInCall && !packs.has(key)) packs.set(key, model.packed(bf16));
  const prompts = randomPrompts(model.config.vocabSize, GEN.prompts, GEN.promptLength, 3);
  const t0 = performance.now();
  const out = generate(model, prompts, SAMPLING, { rngs: prompts.map((_, i) => Rng.derive(3, i)), bf16,
    weights: packInCall ? undefined : packs.get(key) });
  const tokens = out.reduce((n, c) => n + c.tokenIds.length, 0);
  return tokens / ((performance.now() - t0) / 1000);
}

export type RlMode = "static batches" | "continuous" | "continuous + shared prefill";

/**
 * The RL step's generation: `prompts` x `n` samples, `batch` decoded at once, EOS drawn about
 * once in 64 tokens (ids 0 .. V/64), so responses end at different lengths.
 */
export function rlGenerateTokensPerSecond(preset: PresetName, mode: RlMode, shape = { prompts: 8, n: 8, batch: 32 }): number {
  const model = benchModel(preset);
  const V = model.config.vocabSize;
  const params = { ...SAMPLING, eosTokenIds: Array.from({ length: Math.ceil(V / 64) }, (_, i) => i) };
  const prompts = randomPrompts(V, shape.prompts, GEN.promptLength, 4);
  const repeated = prompts.flatMap((p) => Array.from({ length: shape.n }, () => p));
  const rngs = repeated.map((_, i) => Rng.derive(4, i));
  const t0 = performance.now();
  let tokens = 0;
  if (mode === "static batches") {
    for (let b = 0; b < repeated.length; b += shape.batch) {
      const out = generate(model, repeated.slice(b, b + shape.batch), params, { rngs: rngs.slice(b, b + shape.batch), batchSize: shape.batch });
      tokens += out.reduce((n, c) => n + c.tokenIds.length, 0);
    }
  } else {
    const out = mode === "continuous"
      ? generate(model, repeated, params, { rngs, batchSize: shape.batch })
      : generateGroups(model, prompts, shape.n, params, { rngs, batchSize: shape.batch });
    tokens = out.reduce((n, c) => n + c.tokenIds.length, 0);
  }
  return tokens / ((performance.now() - t0) / 1000);
}

/**
 * How far bf16 generation drifts from f32 on the bench model: |logp - f32 logp| of the sampled
 * tokens (8 prompts x 32 tokens; max and mean, nats), and the share of greedy tokens that match
 * f32's up to the first difference.
 */
export function bf16Drift(preset: PresetName, bf16: Bf16Mode): { max: number; mean: number; greedy: number } {
  const model = benchModel(preset);
  const prompts = randomPrompts(model.config.vocabSize, 8, 16, 9);
  const params = { ...SAMPLING, maxNewTokens: 32 };
  const rngs = () => prompts.map((_, i) => Rng.derive(9, i));
  const sampled = generate(model, prompts, params, { rngs: rngs(), bf16 });
  let max = 0, sum = 0, n = 0;
  sampled.forEach((c, b) => {
    const ids = Int32Array.from([...prompts[b], ...c.tokenIds]);
    const rows = Int32Array.from(c.tokenIds, (_, i) => prompts[b].length - 1 + i);
    const ref = noGrad(() => model.tokenLogprobs(ids, 1, ids.length, rows).logp.data);
    c.logprobs.forEach((l, i) => {
      max = Math.max(max, Math.abs(l - ref[i]));
      sum += Math.abs(l - ref[i]);
      n++;
    });
  });
  const greedy = { ...params, temperature: 0, greedy: true };
  const f32 = generate(model, prompts, greedy, { rngs: rngs() }), low = generate(model, prompts, greedy, { rngs: rngs(), bf16 });
  let same = 0;
  f32.forEach((c, b) => {
    let t = 0;
    while (t < c.tokenIds.length && c.tokenIds[t] === low[b].tokenIds[t]) t++;
    same += t;
  });
  return { max, mean: sum / n, greedy: same / (prompts.length * params.maxNewTokens) };
}
