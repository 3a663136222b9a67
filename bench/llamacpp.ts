/**
 * llama.cpp as a reference (`npm run bench -- --llamacpp DIR`, DIR from scripts/build-llamacpp.sh):
 * our random-weight model exported with `writeGguf` (the same weights we run), then
 *   - `llama-batched-bench` on the bench's generation work (32 sequences x 64-token prompts +
 *     128 new tokens): generated tokens / (prompt time + generation time). It does not sample
 *     (it feeds random tokens back), so its figure excludes the sampler's cost;
 *   - `rlzero-greedy` (scripts/llamacpp/greedy.cpp): greedy tokens after a prompt, compared with
 *     ours on the same f32 weights, which checks the export end to end.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CausalLM } from "../src/models/transformer.ts";
import { writeGguf, type GgufDtype } from "../src/models/gguf.ts";
import { generate } from "../src/sampling/generate.ts";
import { Rng } from "../src/util/rng.ts";

export interface LlamaCppRun {
  tokensPerS: number;
  settings: string;
}

export class LlamaCpp {
  private readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-llamacpp-"));

  constructor(private readonly dir: string) {
    for (const bin of ["llama-batched-bench", "rlzero-greedy"]) {
      if (!fs.existsSync(path.join(dir, bin))) throw new Error(`--llamacpp ${dir}: no ${bin} there (bash scripts/build-llamacpp.sh ${dir})`);
    }
  }

  version(): string {
    const f = path.join(this.dir, "VERSION");
    return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim() : "unknown version";
  }

  /** The model as GGUF (written once per name and dtype). */
  gguf(model: CausalLM, name: string, dtype: GgufDtype): string {
    const file = path.join(this.tmp, `${name}-${dtype}.gguf`);
    if (!fs.existsSync(file)) writeGguf(model, file, { dtype });
    return file;
  }

  /**
   * llama-batched-bench on the generation work, with the KV cache in f32 or f16, and its threads
   * polling for work (its default, 50) or sleeping (0, as our pool does; better on a busy machine).
   */
  generate(file: string, threads: number, kv: "f32" | "f16", poll: 0 | 50): LlamaCppRun | string {
    const args = ["-m", file, "-c", "8192", "-npp", "64", "-ntg", "128", "-npl", "32", "-t", String(threads),
      "-ctk", kv, "-ctv", kv, "-fa", "on", "--poll", String(poll), "-fit", "off", "--output-format", "jsonl"];
    const r = spawnSync(path.join(this.dir, "llama-batched-bench"), args, { encoding: "utf8" });
    const line = r.stdout.split("\n").find((l) => l.startsWith("{") && l.includes('"t_tg"'));
    if (r.status !== 0 || !line) {
      return `llama-batched-bench gave no result (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-2).join(" ")}`;
    }
    const j = JSON.parse(line) as { t_pp: number; t_tg: number; pl: number; tg: number };
    return { tokensPerS: (j.pl * j.tg) / (j.t_pp + j.t_tg), settings: `KV ${kv}, flash attention, poll ${poll}` };
  }

  /** Whether llama.cpp's greedy tokens after `prompt` equal ours on the same weights. */
  greedyAgrees(model: CausalLM, file: string, prompt: number[], newTokens: number): { equal: boolean; ours: number[]; theirs: number[] } {
    const ours = generate(model, [prompt], { maxNewTokens: newTokens, temperature: 0, topP: 1, topK: 0, greedy: true, eosTokenIds: [] },
      { rngs: [Rng.derive(0)] })[0].tokenIds;
    const r = spawnSync(path.join(this.dir, "rlzero-greedy"), [file, String(newTokens), prompt.join(",")], { encoding: "utf8" });
    const theirs = r.stdout.trim().split(",").filter((x) => x !== "").map(Number);
    return { equal: theirs.join(",") === ours.join(","), ours, theirs };
  }

  close(): void {
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
