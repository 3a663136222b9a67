/**
 * `rlzero pretrain` killed with SIGKILL at a random step and resumed writes, step for step, the
 * same metrics as a run never interrupted (same seed, same threads), and the same final model;
 * Ctrl-C saves a checkpoint after the current step, and --resume finishes the run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { listCheckpoints } from "../../src/trainer/checkpoint.ts";
import { readMetrics } from "../../src/trainer/summary.ts";
import { tempDir, writeConfig } from "../helpers/tiny-run.ts";
import { tinyPretrainConfig } from "./helpers.ts";

const cli = fileURLToPath(new URL("../helpers/cli.ts", import.meta.url));
const STEPS = 12;

interface Ended {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onOutput` may signal the child as its stdout grows. */
function run(args: string[], onOutput?: (stdout: string, kill: (s: NodeJS.Signals) => boolean) => void): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", cli, "--threads", "1", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      onOutput?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Metrics without what depends on the clock. */
function comparable(runDir: string): Record<string, number>[] {
  return readMetrics(runDir).map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== "time" && !k.startsWith("timing_s/") && !k.startsWith("perf/"))));
}

test("SIGKILL at a random step, then --resume: the same metrics and final model as an uninterrupted run", { timeout: 300_000 }, async () => {
  const root = tempDir("pretrain-resume");
  const settings = (dir: string) => tinyPretrainConfig(root, {
    run_dir: path.join(root, dir),
    trainer: { steps: STEPS, batch_size: 8, eval_every: 5, save_every: 3, keep_checkpoints: 2 },
  });
  const whole = await run(["pretrain", "--config", writeConfig(path.join(root, "whole.yaml"), settings("whole"))]);
  assert.equal(whole.code, 0, whole.stderr);

  const killStep = 1 + Math.floor(Math.random() * (STEPS - 2)); // after step 1 .. STEPS-2 was printed
  const first = await run(["pretrain", "--config", writeConfig(path.join(root, "killed.yaml"), settings("killed"))], (out, kill) => {
    if (new RegExp(`step ${killStep}/${STEPS}`).test(out)) kill("SIGKILL");
  });
  assert.equal(first.signal, "SIGKILL", `the run was to be killed after step ${killStep}, but it ended: ${first.stderr}`);
  const resumed = await run(["pretrain", "--resume", path.join(root, "killed")]);
  assert.equal(resumed.code, 0, resumed.stderr);

  const a = comparable(path.join(root, "whole"));
  const b = comparable(path.join(root, "killed"));
  assert.deepEqual(b.map((l) => l.step), Array.from({ length: STEPS + 1 }, (_, i) => i), `killed after step ${killStep}`);
  assert.deepEqual(b, a, `killed after step ${killStep}: metrics differ`);
  assert.deepEqual(listCheckpoints(path.join(root, "killed")), [9, 12], "the newest two checkpoints are kept");
  const weights = (dir: string) => fs.readFileSync(path.join(root, dir, "model", "model.safetensors"));
  assert.ok(weights("killed").equals(weights("whole")), "the final models are identical");
  assert.equal(JSON.parse(fs.readFileSync(path.join(root, "killed", "run.json"), "utf8")).status, "finished");
});

test("Ctrl-C saves a checkpoint after the current step and exits cleanly without a final model; --resume finishes the run", { timeout: 300_000 }, async () => {
  const root = tempDir("pretrain-int");
  const runDir = path.join(root, "run");
  const file = writeConfig(path.join(root, "int.yaml"), tinyPretrainConfig(root, { trainer: { steps: 400, batch_size: 8, eval_every: 0, save_every: 0 } }));
  let sent = false;
  const r = await run(["pretrain", "--config", file], (out, kill) => {
    if (!sent && /step 2\/400/.test(out)) sent = kill("SIGINT");
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /interrupted: saving a checkpoint/);
  assert.match(r.stdout, /continue with rlzero pretrain --resume/);
  assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, "run.json"), "utf8")).status, "interrupted");
  assert.ok(!fs.existsSync(path.join(runDir, "model")), "no final model");
  const [saved] = listCheckpoints(runDir);
  assert.ok(saved! >= 2 && saved! < 400);
  const again = await run(["pretrain", "--config", file]);
  assert.equal(again.code, 1, "a new run does not start over an earlier run's checkpoints");
  assert.match(again.stderr, /holds checkpoints of an earlier run: continue it with --resume/);
  const resumed = await run(["pretrain", "--resume", runDir, "--set", `trainer.steps=${saved! + 1}`]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(readMetrics(runDir).map((l) => l.step), Array.from({ length: saved! + 1 }, (_, i) => i + 1));
  assert.ok(fs.existsSync(path.join(runDir, "model", "model.safetensors")), "the final model is written at the end");
});
