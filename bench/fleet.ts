/**
 * The step-time breakdown of docs/SCALING.md: configs/orz-ppo.yaml (PPO with a critic, the
 * Open-Reasoner-Zero prompt, MATH problems from ../shared) on a random model of the `mini`
 * preset's shapes with the shared 2,000-token BPE tokenizer, generation cut to 64 tokens, run a
 * few steps three ways: the local engine; two `rlzero serve` processes on this machine, in step;
 * the same one step off the policy. Prints each timing_s/* averaged over the steps after the first.
 *
 *   node --import tsx bench/fleet.ts [steps]   (needs ../shared/data: the tokenizer and MATH problems)
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/models/config.ts";
import { randomModel, saveModel } from "../src/models/load.ts";
import { PRESETS } from "../src/models/presets.ts";
import { resolveConfig } from "../src/trainer/load-config.ts";
import { train } from "../src/trainer/train.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const TOKENIZER = path.join(root, "../shared/data/tokenizers/torchtune_tiny_bpe/tiny_bpe_tokenizer.json");
const steps = Number(process.argv[2] ?? 4);
const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

function miniModel(dir: string): string {
  const config = parseConfig({ ...structuredClone(PRESETS.mini), vocab_size: 2003, eos_token_id: 2002, bos_token_id: null }, "mini (bench)");
  saveModel(dir, randomModel(config, 1, { std: 0.02 }));
  fs.copyFileSync(TOKENIZER, path.join(dir, "tokenizer.json"));
  fs.writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ eos_token: "<|im_end|>", pad_token: "<|endoftext|>", bos_token: null }));
  return dir;
}

function serve(model: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(root, "test/helpers/cli.ts"), "serve", "--model", model, "--port", "0", "--threads", "1"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /at (http:\/\/\S+)\/v1 /.exec(out);
      if (m) resolve({ url: m[1]!, proc });
    });
    proc.on("exit", (code) => reject(new Error(`rlzero serve exited ${code}`)));
  });
}

async function measure(label: string, model: string, set: string[]): Promise<void> {
  const cfg = resolveConfig({
    file: path.join(root, "configs/orz-ppo.yaml"),
    set: [`model.path=${model}`, `run_dir=${fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-bench-fleet-"))}`, "rollout.max_new_tokens=64",
      `trainer.steps=${steps}`, "trainer.eval_every=0", "trainer.save_every=0", "data.train.limit=256", "reward.workers=1", ...set],
  });
  const rows: Record<string, number>[] = [];
  await train(cfg, { out: quiet, onStep: (_, m) => rows.push(m) });
  const later = rows.slice(1);
  const keys = Object.keys(later[0]!).filter((k) => k.startsWith("timing_s/") && k !== "timing_s/save");
  const mean = (k: string) => later.reduce((s, m) => s + (m[k] ?? 0), 0) / later.length;
  console.log(`\n${label}: ${rows[0]!["train/prompts"]} prompts x ${cfg.rollout.samples_per_prompt} samples, response length ${mean("response_length/mean").toFixed(0)}, steps 2-${steps}`);
  for (const k of keys) console.log(`  ${k.padEnd(24)} ${mean(k).toFixed(2)}`);
}

const model = miniModel(fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-bench-model-")));
console.log(`rlzero bench fleet: ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
await measure("local engine", model, []);
const servers = await Promise.all([serve(model), serve(model)]);
const endpoints = `rollout.servers.endpoints=[${servers.map((s) => s.url).join(",")}]`;
try {
  await measure("two rlzero serve processes, in step", model, ["rollout.engine=openai", endpoints, "rollout.servers.concurrency=32"]);
  await measure("two rlzero serve processes, one step off the policy", model, ["rollout.engine=openai", endpoints, "rollout.servers.concurrency=32", "rollout.async=true", "rollout.tis_cap=2"]);
} finally {
  for (const s of servers) s.proc.kill("SIGTERM");
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
