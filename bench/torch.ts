/**
 * The PyTorch reference (bench/torch_reference.py, Debian's python3-torch) run as a child
 * process with its thread setting: torch's intra-op threads and OpenBLAS's own pool.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { PresetName } from "../src/models/presets.ts";

const TORCH_NAME: Record<PresetName, string> = { mini: "mini", "qwen2.5-0.5b-4l": "0.5b-4l" };

export interface TorchSetting {
  threads: number;
  blasThreads: number;
  sampler?: "cdf" | "multinomial" | "gumbel";
  attention?: "grouped" | "repeat_kv";
}

/** Its strongest setting on 2 cores (DESIGN.md; `npm run bench -- --torch-sweep` measures them all). */
export const TORCH_BEST: TorchSetting = { threads: 1, blasThreads: 2, sampler: "cdf", attention: "grouped" };

export function describe(s: TorchSetting): string {
  return `torch threads ${s.threads}, OpenBLAS ${s.blasThreads}, ${s.attention ?? "grouped"} attention, ${s.sampler ?? "cdf"} sampler`;
}

/**
 * PyTorch's tokens/s for the bench's work (per second of CPU time, all threads together, with
 * `perCpuSecond`), or the reason it could not run.
 */
export function torchTokensPerSecond(preset: PresetName, mode: "train" | "generate", s: TorchSetting = TORCH_BEST,
  perCpuSecond = false): number | string {
  const script = fileURLToPath(new URL("./torch_reference.py", import.meta.url));
  const args = [script, "--model", TORCH_NAME[preset], "--mode", mode, "--threads", String(s.threads)];
  if (s.sampler) args.push("--sampler", s.sampler);
  if (s.attention) args.push("--attention", s.attention);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(s.blasThreads), OMP_NUM_THREADS: String(s.threads) };
  const r = spawnSync("/usr/bin/python3", args, { encoding: "utf8", env });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? r.stderr.trim().split("\n").pop() ?? "failed";
    return /No module named 'torch'|ENOENT/.test(why) ? "PyTorch not installed (bash scripts/setup.sh --bench)" : `PyTorch run failed: ${why}`;
  }
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { tokens_per_s: number; tokens_per_cpu_s: number };
  return perCpuSecond ? out.tokens_per_cpu_s : out.tokens_per_s;
}
