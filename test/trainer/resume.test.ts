/**
 * A run killed with SIGKILL and resumed writes, step for step, the same metrics as one never
 * interrupted (same seed, same threads): PPO, whose state is largest (policy, critic, two
 * optimizers, the data order), with checkpoints every 2 steps and an evaluation every 3.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { listCheckpoints } from "../../src/trainer/checkpoint.ts";
import { readMetrics } from "../../src/trainer/summary.ts";
import { tempDir, tinyConfig, writeConfig } from "../helpers/tiny-run.ts";

const cli = fileURLToPath(new URL("../helpers/cli.ts", import.meta.url));
const STEPS = 7;

function run(args: string[], killAtStep?: { file: string; step: number }): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    if (killAtStep) {
      timer = setInterval(() => {
        const steps = fs.existsSync(killAtStep.file) ? readMetrics(path.dirname(killAtStep.file)).map((l) => l.step) : [];
        if (Math.max(-1, ...steps) >= killAtStep.step) child.kill("SIGKILL");
      }, 20);
    }
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stderr });
    });
  });
}

/** Metrics without what depends on the clock. */
function comparable(runDir: string): Record<string, number>[] {
  return readMetrics(runDir).map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== "time" && !k.startsWith("timing_s/") && !k.startsWith("perf/"))));
}

test("SIGKILL at a random step, then --resume: the same metrics as an uninterrupted run", { timeout: 600_000 }, async () => {
  const root = tempDir("resume");
  const settings = (dir: string) => tinyConfig(root, {
    run_dir: path.join(root, dir),
    algorithm: { name: "ppo" },
    data: { train: { path: path.join(root, "train.jsonl") }, template: { name: "plain" }, eval: [{ name: "heldout", dataset: { path: path.join(root, "train.jsonl"), limit: 8 }, n: 2 }] },
    critic: { lr: 0.02, warmup_steps: 2, mini_batch_size: 8 },
    trainer: { steps: STEPS, eval_every: 3, save_every: 2, keep_checkpoints: 2 },
  });
  tinyConfig(root); // makes the model and the prompts
  const whole = writeConfig(path.join(root, "whole.yaml"), settings("whole"));
  const killed = writeConfig(path.join(root, "killed.yaml"), settings("killed"));

  const reference = await run(["train", "--config", whole]);
  assert.equal(reference.code, 0, reference.stderr);

  const killStep = 1 + Math.floor(Math.random() * (STEPS - 2)); // after step 1 .. STEPS-2 was logged
  const first = await run(["train", "--config", killed], { file: path.join(root, "killed", "metrics.jsonl"), step: killStep });
  assert.equal(first.signal, "SIGKILL", `the run was to be killed after step ${killStep}, but it ended: ${first.stderr}`);
  const resumed = await run(["train", "--resume", path.join(root, "killed")]);
  assert.equal(resumed.code, 0, resumed.stderr);

  const a = comparable(path.join(root, "whole"));
  const b = comparable(path.join(root, "killed"));
  assert.deepEqual(b.map((l) => l.step), [0, 1, 2, 3, 4, 5, 6, 7], `killed after step ${killStep}`);
  assert.deepEqual(b, a, `killed after step ${killStep}: metrics differ`);
  assert.deepEqual(listCheckpoints(path.join(root, "killed")), [6, 7], "the newest two checkpoints are kept");
  const status = JSON.parse(fs.readFileSync(path.join(root, "killed", "run.json"), "utf8"));
  assert.equal(status.status, "finished");
  const summary = JSON.parse(fs.readFileSync(path.join(root, "killed", "summary.json"), "utf8"));
  assert.deepEqual([summary.eval.heldout.first.step, summary.eval.heldout.last.step], [0, 7]);
  for (const s of [3, 6, 7]) assert.ok(fs.existsSync(path.join(root, "killed", "eval", `step-${s}`, "report.json")), `eval at step ${s}`);
});
