/**
 * `npm run bench [-- options]`: every speed figure of the project, each printed beside a
 * reference measured in the same run. The machine may be shared, so ours and each reference are
 * run in turn (interleaved, `--reps` rounds) and the ratio is the median of the per-round ratios.
 *   --llamacpp DIR   also llama.cpp (DIR from `bash scripts/build-llamacpp.sh DIR`)
 *   --reps N         interleaved rounds per comparison (default 3)
 *   --only LIST      sections, comma-separated: gemm,generate,rl,train,cpu,profile,rl-step,load,verifier
 *   --torch-sweep    PyTorch at every thread setting, sampler and attention, to find its strongest
 * Results go to stdout; BENCHMARKS.md records a run.
 */
import { parseArgs } from "node:util";
import { native } from "../src/native/index.ts";
import { benchGemm } from "./gemm.ts";
import { benchVerifier } from "./verifier.ts";
import { benchLoad } from "./load.ts";
import { benchModel, bf16Drift, generateTokensPerSecond, perCpuSecondOnOneThread, GEN, rlGenerateTokensPerSecond, trainTokensPerSecond, TRAIN_SHAPES, type RlMode } from "./model.ts";
import { describe, TORCH_BEST, torchTokensPerSecond, type TorchSetting } from "./torch.ts";
import { LlamaCpp } from "./llamacpp.ts";
import { formatProfile, profiled } from "./profile.ts";
import { benchRlStep } from "./rl-step.ts";
import type { PresetName } from "../src/models/presets.ts";
import type { Bf16Mode } from "../src/models/packed-weights.ts";

const { values: flags } = parseArgs({
  options: {
    llamacpp: { type: "string" },
    reps: { type: "string", default: "3" },
    only: { type: "string", default: "gemm,generate,rl,train,cpu,profile,rl-step,load,verifier" },
    "torch-sweep": { type: "boolean", default: false },
  },
});
const reps = Number(flags.reps);
const sections = new Set(flags.only!.split(","));
const PRESETS: PresetName[] = ["mini", "qwen2.5-0.5b-4l"];

type Result = number | string; // tok/s, or why it could not run
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number): string => x.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ",").padStart(8);

/**
 * Runs the contenders in turn, `reps` rounds; prints each one's median tok/s and, for every
 * contender after the first, ours / it as the median of the per-round ratios.
 */
function compare(title: string, contenders: { name: string; run: () => Result }[]): void {
  console.log(`\n${title} (${reps} interleaved rounds; median tok/s)`);
  const results = contenders.map(() => [] as Result[]);
  for (let r = 0; r < reps; r++) contenders.forEach((c, i) => results[i].push(c.run()));
  const ours = results[0];
  contenders.forEach((c, i) => {
    const nums = results[i].filter((x): x is number => typeof x === "number");
    if (nums.length === 0) return console.log(`  ${c.name.padEnd(58)} ${results[i][0]}`);
    let line = `  ${c.name.padEnd(58)} ${fmt(median(nums))}`;
    const ratios = results[i].flatMap((x, r) => (typeof x === "number" && typeof ours[r] === "number" ? [ours[r] / x] : []));
    if (i > 0 && ratios.length > 0) {
      line += `   ours / this ${median(ratios).toFixed(2)}x (rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
    }
    const failed = results[i].find((x) => typeof x === "string");
    if (failed) line += `   [${results[i].length - nums.length} of ${reps} rounds failed: ${failed}]`;
    console.log(line);
  });
}

function torchSweep(): void {
  for (const preset of PRESETS) {
    for (const mode of ["generate", "train"] as const) {
      console.log(`\nPyTorch sweep: ${preset} ${mode}`);
      const settings: TorchSetting[] = [];
      for (const [threads, blasThreads] of [[1, 2], [2, 1], [2, 2], [1, 1]]) settings.push({ threads, blasThreads });
      if (mode === "generate") {
        for (const sampler of ["multinomial", "gumbel"] as const) settings.push({ ...TORCH_BEST, sampler });
      }
      settings.push({ ...TORCH_BEST, attention: "repeat_kv" });
      for (const s of settings) {
        const r = torchTokensPerSecond(preset, mode, s);
        console.log(`  ${describe({ ...TORCH_BEST, ...s }).padEnd(70)} ${typeof r === "number" ? fmt(r) : r}`);
      }
    }
  }
}

async function main(): Promise<void> {
  const info = native.info();
  console.log(`rlzero bench: backend ${info.backend} (${info.backendVersion}), ${info.threads} threads, bf16 ${info.bf16 ? "in hardware" : "not available"}, ${new Date().toISOString()}`);
  const llama = flags.llamacpp ? new LlamaCpp(flags.llamacpp) : null;
  if (llama) console.log(`llama.cpp: ${flags.llamacpp} (${llama.version()})`);
  if (flags["torch-sweep"]) torchSweep();

  if (sections.has("gemm")) {
    console.log("\n== GEMM and kernels");
    for (const line of await benchGemm()) console.log(line);
  }

  if (sections.has("generate")) {
    console.log(`\n== Generation: ${GEN.prompts} prompts x ${GEN.promptLength} tokens + ${GEN.newTokens} sampled at temperature 1, prefill included`);
    for (const preset of PRESETS) {
      const ours = (bf16: Bf16Mode) => () => generateTokensPerSecond(preset, bf16);
      const contenders = [
        { name: "ours, f32", run: ours("none") },
        { name: "ours, f32, packing the weights in the call (an RL step's case)", run: () => generateTokensPerSecond(preset, "none", true) },
        { name: `PyTorch 1.13 f32 (${describe(TORCH_BEST)})`, run: () => torchTokensPerSecond(preset, "generate") },
      ];
      const model = benchModel(preset);
      if (llama) {
        const f32 = llama.gguf(model, preset, "f32");
        for (const [kv, poll] of [["f32", 50], ["f16", 50], ["f16", 0]] as const) {
          contenders.push({ name: `llama.cpp f32 weights, KV ${kv}, flash attention, poll ${poll}`,
            run: () => tokens(llama.generate(f32, info.threads, kv, poll)) });
        }
      }
      compare(`${preset}: f32`, contenders);
      if (info.bf16) {
        const bf16: { name: string; run: () => Result }[] = [
          { name: "ours, bf16 weights (all linear layers)", run: ours("all") },
          { name: "ours, bf16 weights, packing them in the call", run: () => generateTokensPerSecond(preset, "all", true) },
          { name: "ours, bf16 LM head only", run: ours("lm-head") },
        ];
        if (llama) {
          const file = llama.gguf(model, preset, "bf16");
          for (const poll of [50, 0] as const) {
            bf16.push({ name: `llama.cpp bf16 weights, KV f16, flash attention, poll ${poll}`,
              run: () => tokens(llama.generate(file, info.threads, "f16", poll)) });
          }
        }
        compare(`${preset}: bf16`, bf16);
        for (const mode of ["lm-head", "all"] as const) {
          const d = bf16Drift(preset, mode);
          console.log(`  bf16 ${mode.padEnd(7)} drift from f32: |logp| max ${d.max.toExponential(1)}, mean ${d.mean.toExponential(1)} nats; greedy tokens equal to f32's: ${(100 * d.greedy).toFixed(0)}%`);
        }
      }
      if (llama) {
        const prompt = Array.from({ length: 16 }, (_, i) => (i * 37 + 11) % model.config.vocabSize);
        const g = llama.greedyAgrees(model, llama.gguf(model, preset, "f32"), prompt, 32);
        console.log(`  llama.cpp on the exported f32 weights: greedy tokens ${g.equal ? "equal ours (32 of 32)" : `differ: ours ${g.ours} / llama.cpp ${g.theirs}`}`);
      }
    }
  }

  if (sections.has("rl")) {
    console.log("\n== RL-step generation: 8 prompts x 8 samples, 32 decoded at once, EOS about once in 64 tokens");
    for (const preset of PRESETS) {
      const modes: RlMode[] = ["continuous + shared prefill", "continuous", "static batches"];
      compare(`${preset}`, modes.map((m) => ({ name: m, run: () => rlGenerateTokensPerSecond(preset, m) })));
    }
  }

  if (sections.has("train")) {
    console.log("\n== Training step: forward + backward of the mean NLL + AdamW, f32");
    for (const preset of PRESETS) {
      const { B, T } = TRAIN_SHAPES[preset];
      compare(`${preset} B=${B} T=${T}`, [
        { name: "ours", run: () => trainTokensPerSecond(preset) },
        { name: `PyTorch 1.13 (${describe({ ...TORCH_BEST })})`, run: () => torchTokensPerSecond(preset, "train") },
      ]);
    }
  }

  if (sections.has("cpu")) {
    console.log("\n== One thread, tokens per second of CPU time (a shared machine's load barely enters; PyTorch: torch and OpenBLAS at 1 thread)");
    const one: TorchSetting = { ...TORCH_BEST, threads: 1, blasThreads: 1 };
    for (const preset of PRESETS) {
      const { B, T, steps } = TRAIN_SHAPES[preset];
      const work = { generate: GEN.prompts * GEN.newTokens, train: B * T * (steps + 1) };
      const ours = {
        generate: perCpuSecondOnOneThread(() => generateTokensPerSecond(preset), work.generate),
        train: perCpuSecondOnOneThread(() => trainTokensPerSecond(preset), work.train),
      };
      for (const mode of ["generate", "train"] as const) {
        const ref = torchTokensPerSecond(preset, mode, one, true);
        const vs = typeof ref === "number" ? `PyTorch ${fmt(ref)}   ours / PyTorch ${(ours[mode] / ref).toFixed(2)}x` : ref;
        console.log(`  ${preset.padEnd(16)} ${mode.padEnd(8)} ours ${fmt(ours[mode])}   ${vs}`);
      }
    }
  }

  if (sections.has("profile")) {
    console.log("\n== Where the time goes (wall time per native kernel, one run each)");
    for (const preset of PRESETS) {
      console.log(`  ${preset} generate, f32:`);
      for (const l of formatProfile(profiled(() => generateTokensPerSecond(preset)))) console.log(l);
      console.log(`  ${preset} train step x${TRAIN_SHAPES[preset].steps + 1}:`);
      for (const l of formatProfile(profiled(() => trainTokensPerSecond(preset)))) console.log(l);
    }
  }

  if (sections.has("rl-step")) {
    console.log("\n== The RL step of the built-in default (rlzero train), by phase");
    for (const line of await benchRlStep()) console.log(line);
  }

  if (sections.has("load")) {
    console.log("\n== Loading");
    for (const line of benchLoad()) console.log(line);
  }

  if (sections.has("verifier")) {
    console.log("\n== Verifier");
    for (const line of await benchVerifier()) console.log(line);
  }
  llama?.close();
}

function tokens(r: { tokensPerS: number } | string): Result {
  return typeof r === "string" ? r : r.tokensPerS;
}

await main();
