/**
 * The tiny base model shipped in models/tiny-arith/: a Qwen2 model that loads, whose tokenizer
 * is the built-in tasks' own and round-trips task text exactly, and that `rlzero eval --task`
 * runs on, printing pass@1 and how often the model works step by step.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel, loadTokenizer } from "../../src/models/load.ts";
import { generateCorpus } from "../../src/tasks/corpus.ts";
import { buildTokenizer, tokenizerTexts } from "../../src/tasks/tokenizer.ts";
import { rlzeroAsync as rlzero } from "../cli/spawn-cli.ts";
import { tempDir } from "../helpers/tiny-run.ts";

const dir = fileURLToPath(new URL("../../models/tiny-arith", import.meta.url));

test("the shipped model loads as Qwen2ForCausalLM with a few million parameters", () => {
  const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  assert.deepEqual(config.architectures, ["Qwen2ForCausalLM"]);
  assert.equal(config.model_type, "qwen2");
  const model = loadModel(dir);
  const params = model.parameters().reduce((n, p) => n + p.size, 0);
  assert.ok(params > 1e6 && params < 1e7, `${params} parameters`);
  const tokenizer = loadTokenizer(dir)!;
  assert.equal(model.config.vocabSize, tokenizer.vocabSize);
  assert.deepEqual(model.config.eosTokenIds, tokenizer.eosTokenIds);
});

test("its tokenizer is the built-in tasks' tokenizer and round-trips task text", () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8"));
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(buildTokenizer(tokenizerTexts()).tokenizer)), "rebuilt from the same corpus, the same file");
  const tokenizer = loadTokenizer(dir)!;
  for (const suite of ["arith-corpus", "countdown:1-3"]) {
    for (const e of generateCorpus({ suite, count: 300, seed: 11 })) {
      const text = e.prompt + e.response;
      assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
    }
  }
  assert.deepEqual(tokenizer.encode("12 × 3").map((id) => tokenizer.idToToken(id)), ["1", "2", " × ", "3"], "every digit is a token");
});

test("rlzero eval --task arith --count 20 on the shipped model prints pass@1 and the worked/direct shares", { timeout: 300_000 }, async () => {
  const out = tempDir("eval-task");
  const r = await rlzero(["--threads", "1", "eval", "--model", dir, "--task", "arith", "--count", "20", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /arith-eval: 20 problems of arith \(eval split, seed 1\), graded by task:arith/);
  const row = /arith-eval +20 +1 +(\d+\.\d) /.exec(r.stdout);
  assert.ok(row, r.stdout);
  const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8"));
  assert.equal((100 * report.benchmarks[0].acc).toFixed(1), row[1], "the printed avg@1 is the report's pass@1");
  assert.match(r.stdout, /arith-eval: worked \d+\.\d% of responses \((\d+\.\d%|-) right\), direct \d+\.\d% \((\d+\.\d%|-) right\); reflection rate \d+\.\d%/);
  assert.match(r.stdout, /\n {2}add {3}3 /, "a row per task and level");
  const records = fs.readFileSync(path.join(out, "arith-eval.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(records.length, 20);
  assert.ok(records.every((x) => x.finish_reason === "stop" && x.response.endsWith("</answer>")), "the orz_short template stops at </answer>");
});

test("eval --task flags: clear errors", async () => {
  for (const [args, pattern] of [
    [["--model", dir], /give --benchmarks LIST or --task SUITE/],
    [["--model", dir, "--task", "arith", "--benchmarks", "gsm8k"], /give --benchmarks LIST or --task SUITE/],
    [["--model", dir, "--task", "div"], /task suite "div": "div" is not task\[:level\[-level\]\]/],
    [["--model", dir, "--task", "arith", "--split", "test"], /--split must be eval or train/],
  ] as [string[], RegExp][]) {
    const r = await rlzero(["eval", ...args]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
});
