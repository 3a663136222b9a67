/**
 * `npm run bench`: every speed figure of the project, each printed beside a reference measured
 * in the same run (the machine's fp32 peak for GEMM, PyTorch for training and generation).
 * Results go to stdout; BENCHMARKS.md records a run.
 */
import { native } from "../src/native/index.ts";
import { benchGemm } from "./gemm.ts";
import { benchVerifier } from "./verifier.ts";
import { benchLoad } from "./load.ts";
import { generateTokensPerSecond, torchTokensPerSecond, trainTokensPerSecond, TRAIN_SHAPES } from "./model.ts";
import type { PresetName } from "../src/models/presets.ts";

/** PyTorch's best of 1 and 2 threads (it has no single best setting on 2 cores). */
function torchBest(preset: PresetName, mode: "train" | "generate"): number | string {
  const runs = [1, 2].map((threads) => torchTokensPerSecond(preset, mode, threads));
  const numbers = runs.filter((r): r is number => typeof r === "number");
  return numbers.length > 0 ? Math.max(...numbers) : runs[0];
}

function ratio(ours: number, ref: number | string): string {
  return typeof ref === "number" ? `${ref.toFixed(0).padStart(7)} tok/s  ratio ${(ours / ref).toFixed(2)}x` : ref;
}

async function main(): Promise<void> {
  const info = native.info();
  console.log(`rlzero bench: backend ${info.backend} (${info.backendVersion}), ${info.threads} threads, ${new Date().toISOString()}`);
  console.log("\n== GEMM and kernels");
  for (const line of await benchGemm()) console.log(line);

  console.log("\n== Models (ours vs PyTorch 1.13 doing the same work in this run, its best of 1 and 2 threads)");
  for (const preset of ["mini", "qwen2.5-0.5b-4l"] as PresetName[]) {
    const { B, T } = TRAIN_SHAPES[preset];
    const train = trainTokensPerSecond(preset);
    console.log(`${preset.padEnd(16)} train (B=${B}, T=${T})      ours ${train.toFixed(0).padStart(7)} tok/s  torch ${ratio(train, torchBest(preset, "train"))}`);
    const gen = generateTokensPerSecond(preset);
    console.log(`${preset.padEnd(16)} generate (32x64+128)   ours ${gen.toFixed(0).padStart(7)} tok/s  torch ${ratio(gen, torchBest(preset, "generate"))}`);
  }

  console.log("\n== Loading");
  for (const line of benchLoad()) console.log(line);

  console.log("\n== Verifier");
  for (const line of await benchVerifier()) console.log(line);
}

await main();
