/** The pretraining config: errors name the file, line and key; defaults are filled in; its reference is current. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolvePretrainConfig } from "../../src/pretrain/config.ts";
import { pretrainConfigReference } from "../../src/pretrain/config-docs.ts";
import { pretrain } from "../../src/pretrain/pretrain.ts";
import { tempDir, writeConfig } from "../helpers/tiny-run.ts";
import { tinyPretrainConfig } from "./helpers.ts";

const cli = fileURLToPath(new URL("../helpers/cli.ts", import.meta.url));
const root = tempDir("pretrain-config");

function errorOf(cfg: Record<string, unknown>, set: string[] = []): string {
  const file = writeConfig(path.join(root, "bad.yaml"), cfg);
  try {
    resolvePretrainConfig({ file, set });
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

test("config errors name the file, the line and the key", () => {
  const good = tinyPretrainConfig(root);
  assert.match(errorOf({ ...good, optim: { lrr: 0.1 } }), /bad\.yaml:\d+: optim\.lrr: unknown key/);
  assert.match(errorOf({ ...good, data: { train: { task: "add:1", cnt: 5 } } }), /bad\.yaml:\d+: data\.train\.cnt: unknown key\n.*data\.train\.count: a task corpus needs count/);
  assert.match(errorOf({ ...good, data: { train: { task: "add:1", count: 5, text_field: "x" } } }), /bad\.yaml:\d+: data\.train\.text_field: text_field goes with path/);
  assert.match(errorOf({ ...good, model: { ...(good.model as object), path: "m" } }), /bad\.yaml:\d+: model: give model\.path \(a model directory\) or model\.config \(from scratch\), not both/);
  assert.match(errorOf(good, ["trainer.batch_size=0"]), /bad\.yaml:\d+: trainer\.batch_size: Too small/);
  const list = { ...good, data: { train: [{ task: "add:1", count: 5 }, { task: "add:2", count: 5, mixx: {} }] } };
  assert.match(errorOf(list), /bad\.yaml:\d+: data\.train\.1\.mixx: unknown key/, "a list of sources is checked item by item");
  assert.equal(errorOf({ ...good, data: { train: [{ task: "add:1", count: 5 }, { path: "x.jsonl" }] } }), "no error");
  assert.match(errorOf({ ...good, model: { ...(good.model as object), config: { hidden_size: 32 } } }), /model\.config\.intermediate_size: Invalid input: expected number/);
});

test("checks at start-up: the vocabulary, the context and the run directory", async () => {
  const cfg = (extra: Record<string, unknown>) => resolvePretrainConfig({ file: writeConfig(path.join(root, "c.yaml"), { ...tinyPretrainConfig(root), ...extra }) });
  const model = tinyPretrainConfig(root).model as { config: object };
  await assert.rejects(pretrain(cfg({ run_dir: path.join(root, "v"), model: { ...model, config: { ...model.config, vocab_size: 10 } } })), /model\.config\.vocab_size: 10 is smaller than the tokenizer's vocabulary/);
  await assert.rejects(pretrain(cfg({ run_dir: path.join(root, "c"), data: { train: { task: "add:1", count: 10 }, max_tokens: 1000 } })), /data\.max_tokens \(1000\) is longer than the model's context \(max_position_embeddings = 64\)/);
  await assert.rejects(pretrain(cfg({ run_dir: path.join(root, "m"), model: { path: path.join(root, "nowhere") } })), /model directory .*nowhere does not exist/);
});

test("rlzero pretrain --print-config fills in the defaults; a bad key exits 1 with its line", () => {
  const file = writeConfig(path.join(root, "ok.yaml"), tinyPretrainConfig(root));
  const ok = spawnSync(process.execPath, ["--import", "tsx", cli, "pretrain", "--config", file, "--set", "trainer.steps=7", "--print-config"], { encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /steps: 7/);
  assert.match(ok.stdout, /lr_schedule: cosine/);
  const bad = spawnSync(process.execPath, ["--import", "tsx", cli, "pretrain", "--config", file, "--set", "trainer.stepz=7"], { encoding: "utf8" });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^rlzero: .*ok\.yaml:\d+: trainer\.stepz: unknown key\n$/);
});

test("docs/PRETRAIN_CONFIG.md is current: regenerate it with `npm run config-docs`", () => {
  const committed = readFileSync(new URL("../../docs/PRETRAIN_CONFIG.md", import.meta.url), "utf8");
  assert.equal(committed, pretrainConfigReference());
  for (const key of ["`model.config.hidden_size`", "`data.train.mix.reason`", "`trainer.micro_batch_tokens`", "`optim.warmup_steps`"]) {
    assert.ok(committed.includes(key), `${key} is documented`);
  }
});
