/**
 * `pretrain` from scratch: the loss falls in a short run, the run directory has the trainer's
 * format (kind "pretrain"), and the final model is a Hugging Face directory that loads.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadModel, loadTokenizer } from "../../src/models/load.ts";
import { PretrainConfigSchema } from "../../src/pretrain/config.ts";
import { pretrain } from "../../src/pretrain/pretrain.ts";
import { readMetrics } from "../../src/trainer/summary.ts";
import { listCheckpoints } from "../../src/trainer/checkpoint.ts";
import { tempDir } from "../helpers/tiny-run.ts";
import { tinyPretrainConfig } from "./helpers.ts";

const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

test("from scratch on one-digit additions: the training and held-out losses fall; run directory, checkpoint and final model", async () => {
  const root = tempDir("pretrain");
  const cfg = PretrainConfigSchema.parse(tinyPretrainConfig(root, { out_dtype: "BF16", trainer: { steps: 30, batch_size: 16, eval_every: 10, save_every: 20 } }));
  const result = await pretrain(cfg, { out: quiet });
  assert.equal(result.interrupted, false);

  const lines = readMetrics(cfg.run_dir);
  assert.deepEqual(lines.map((l) => l.step), Array.from({ length: 31 }, (_, i) => i), "step 0 is the initial model's val/loss");
  const steps = lines.slice(1);
  for (const key of ["train/loss", "train/tokens", "actor/lr", "actor/grad_norm", "timing_s/step", "perf/throughput"]) {
    assert.ok(steps.every((l) => Number.isFinite(l[key])), `${key} on every step`);
  }
  assert.deepEqual(lines.filter((l) => "val/loss" in l).map((l) => l.step), [0, 10, 20, 30]);
  const first = steps.slice(0, 3).reduce((a, l) => a + l["train/loss"], 0) / 3;
  const last = steps.slice(-3).reduce((a, l) => a + l["train/loss"], 0) / 3;
  assert.ok(last < 0.5 * first, `train/loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
  const val = lines.filter((l) => "val/loss" in l).map((l) => l["val/loss"]);
  assert.ok(val[3] < 0.5 * val[0], `val/loss ${val.map((v) => v.toFixed(3)).join(" -> ")}`);
  assert.ok(steps.every((l, i) => i === 0 || l["train/tokens"] > steps[i - 1]["train/tokens"]), "train/tokens counts up");
  assert.ok(Math.abs(steps[2]["actor/lr"] - 0.01) < 1e-12 && steps[29]["actor/lr"] < 0.0011, "warm-up to lr, cosine down to min_lr");

  const run = JSON.parse(fs.readFileSync(path.join(cfg.run_dir, "run.json"), "utf8"));
  assert.deepEqual([run.kind, run.status, run.step, run.total_steps], ["pretrain", "finished", 30, 30]);
  assert.match(fs.readFileSync(path.join(cfg.run_dir, "config.yaml"), "utf8"), /batch_size: 16/);
  assert.deepEqual(listCheckpoints(cfg.run_dir), [20, 30]);
  assert.equal(result.summary.steps, 30);
  assert.equal(result.summary.out_dir, path.join(cfg.run_dir, "model"));

  const model = loadModel(result.summary.out_dir!);
  assert.equal(model.config.architecture, "Qwen2ForCausalLM");
  const config = JSON.parse(fs.readFileSync(path.join(result.summary.out_dir!, "config.json"), "utf8"));
  assert.equal(config.torch_dtype, "bfloat16");
  assert.ok(loadTokenizer(result.summary.out_dir!), "the tokenizer is saved beside the weights");
});
