/** What keeps a run safe: the NaN guard, config errors that name the key, Ctrl-C, the run directory. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RunConfigSchema } from "../../src/trainer/config.ts";
import { listCheckpoints } from "../../src/trainer/checkpoint.ts";
import { readMetrics } from "../../src/trainer/summary.ts";
import { train } from "../../src/trainer/train.ts";
import { tempDir, tinyConfig, writeConfig } from "../helpers/tiny-run.ts";

const cli = fileURLToPath(new URL("../helpers/cli.ts", import.meta.url));
const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
const root = tempDir("guards");

test("a NaN gradient skips that update and is logged; NaNs every step stop the run with its checkpoint intact", async () => {
  const cfg = RunConfigSchema.parse(tinyConfig(root, { run_dir: path.join(root, "nan-once"), trainer: { steps: 4, eval_every: 0, save_every: 1 } }));
  const skipped: number[] = [];
  await train(cfg, {
    out: quiet,
    beforeOptimizerStep: (_model, params) => {
      if (skipped.length === 1) params[0].grad![0] = NaN; // during step 2
    },
    onStep: (_, m) => skipped.push(m["train/skipped_steps"]),
  });
  assert.deepEqual(skipped, [0, 1, 0, 0]);

  const always = RunConfigSchema.parse(tinyConfig(root, { run_dir: path.join(root, "nan-always"), trainer: { steps: 8, eval_every: 0, save_every: 1, max_failed_steps: 3 } }));
  let steps = 0;
  await assert.rejects(train(always, {
    out: quiet,
    beforeOptimizerStep: (_m, params) => {
      if (steps >= 2) params[0].grad![0] = Infinity;
    },
    onStep: () => steps++,
  }), /3 steps in a row had NaN or infinite losses or gradients \(last at step 5\)/);
  assert.deepEqual(listCheckpoints(always.run_dir), [3, 4], "steps 3 and 4 changed nothing and were saved; step 5 was not");
  assert.equal(JSON.parse(fs.readFileSync(path.join(always.run_dir, "run.json"), "utf8")).status, "failed");
});

test("config errors name the file, the line and the key; batch arithmetic names the keys", () => {
  const file = writeConfig(path.join(root, "bad.yaml"), { ...tinyConfig(root), algorithm: { name: "grpo", clip_ratio_lo: 0.2 } });
  const r = spawnSync(process.execPath, ["--import", "tsx", cli, "train", "--config", file], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.yaml:\d+: algorithm\.clip_ratio_lo: unknown key/);
  const mb = spawnSync(process.execPath, ["--import", "tsx", cli, "train", "--config", writeConfig(path.join(root, "mb.yaml"), tinyConfig(root)),
    "--set", "actor.mini_batch_size=5"], { encoding: "utf8" });
  assert.equal(mb.status, 1);
  assert.match(mb.stderr, /actor\.mini_batch_size \(5\) must divide rollout\.prompts_per_step × rollout\.samples_per_prompt \(8 × 4 = 32 responses\)/);
  const printed = spawnSync(process.execPath, ["--import", "tsx", cli, "train", "--config", file, "--set", "algorithm.clip_ratio_lo=null", "--print-config"], { encoding: "utf8" });
  assert.equal(printed.status, 1, "null is a value, not a deletion: the key is still unknown");
  const ok = spawnSync(process.execPath, ["--import", "tsx", cli, "train", "--config", writeConfig(path.join(root, "ok.yaml"), tinyConfig(root)),
    "--set", "trainer.steps=3", "--print-config"], { encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /steps: 3/);
  assert.match(ok.stdout, /clip_ratio_high: 0\.2/, "defaults are filled in");
});

test("Ctrl-C saves a checkpoint after the current step and exits cleanly; --resume finishes the run", { timeout: 300_000 }, async () => {
  const file = writeConfig(path.join(root, "int.yaml"), tinyConfig(root, { run_dir: path.join(root, "int"), trainer: { steps: 200, eval_every: 0, save_every: 0 } }));
  const child = spawn(process.execPath, ["--import", "tsx", cli, "train", "--config", file], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let sent = false;
  child.stdout.on("data", (d) => {
    out += d;
    if (!sent && /step 2\/200/.test(out)) sent = child.kill("SIGINT");
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 0, out);
  assert.match(out, /interrupted: saving a checkpoint/);
  const run = path.join(root, "int");
  assert.equal(JSON.parse(fs.readFileSync(path.join(run, "run.json"), "utf8")).status, "interrupted");
  const [saved] = listCheckpoints(run);
  assert.ok(saved >= 2 && saved < 200);
  const resumed = spawnSync(process.execPath, ["--import", "tsx", cli, "train", "--resume", run, "--set", `trainer.steps=${saved + 1}`], { encoding: "utf8" });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual(readMetrics(run).map((l) => l.step), Array.from({ length: saved + 1 }, (_, i) => i + 1));
});

test("a new run refuses a directory that holds one; the cosine schedule spans the RL steps however many mini-batches each takes", async () => {
  const cfg = RunConfigSchema.parse(tinyConfig(root, {
    run_dir: path.join(root, "cosine"),
    algorithm: { name: "grpo", dynamic_sampling: { enabled: true, max_rounds: 1 } },
    actor: { lr: 0.01, lr_schedule: "cosine", warmup_steps: 0, mini_batch_size: 8 },
    trainer: { steps: 6, eval_every: 0, save_every: 0 },
  }));
  const lrs: number[] = [];
  const prompts: number[] = [];
  await train(cfg, { out: quiet, onStep: (_, m) => { lrs.push(m["actor/lr"]); prompts.push(m["train/prompts"]); } });
  assert.ok(prompts.some((p) => p < 8), `dynamic sampling kept fewer prompts on some step (${prompts})`);
  // The last optimizer step of RL step s, the K-th of K mini-batches: position (s − 1 + (K − 1)/K) / 6 of the run.
  lrs.forEach((lr, i) => {
    const K = Math.max(1, Math.round((prompts[i] * 4) / 8));
    const expected = 0.005 * (1 + Math.cos((Math.PI * (i + (K - 1) / K)) / 6));
    assert.ok(Math.abs(lr - expected) < 1e-9, `step ${i + 1}: lr ${lr}, expected ${expected} (${prompts[i]} prompts kept)`);
  });
  await assert.rejects(train(cfg, { out: quiet }), /already holds a run \(finished at step 6\): continue it with --resume/);
});
