/**
 * `rlzero eval` end to end: against a fake OpenAI-compatible server (slow, failing and garbage
 * replies are retried; a dead item is reported, not scored; a second run asks only for what
 * is missing; Ctrl-C leaves a valid partial report and the rerun continues), and on a tiny
 * local model saved with the shared tokenizer.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../../src/models/config.ts";
import { randomModel, saveModel } from "../../src/models/load.ts";
import { Rng } from "../../src/util/rng.ts";
import { promptText, startFakeServer, type FakeServer, type Reply } from "../eval/fake-server.ts";
import { rlzeroAsync as rlzero } from "./spawn-cli.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tokenizerDir = path.resolve(root, "../shared/data/tokenizers/torchtune_tiny_bpe");
const skipTok = fs.existsSync(path.join(tokenizerDir, "tokenizer.json")) ? false : `../shared is absent (${tokenizerDir}): skipping the local-model test`;

const servers: FakeServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const OK: Reply = { text: "<think> 1+1 is 2 </think> <answer> \\boxed{2} </answer>" };

/** Replies by the marker in the question; `attempt` counts tries of the same prompt and seed. */
function script(req: { prompt: string | number[] }, attempt: number): Reply {
  const p = promptText(req as never);
  if (p.includes("[slow]") && attempt === 0) return { ...OK, delayMs: 3000 };
  if (p.includes("[fail]") && attempt === 0) return { status: 500 };
  if (p.includes("[garbage]") && attempt === 0) return { raw: "{ not json" };
  if (p.includes("[garbage]") && attempt === 1) return { raw: JSON.stringify({ choices: [] }) };
  if (p.includes("[html]") && attempt === 0) return { raw: "<html>bad gateway</html>", contentType: "text/html" };
  if (p.includes("[dead]")) return { status: 503 };
  if (p.includes("[wrong]")) return { text: "<answer> \\boxed{3} </answer>" };
  if (p.includes("[long]")) return { text: "<think> and so on", finish: "length" };
  return OK;
}

function dataFile(markers: string[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-evalcli-")), "toy.jsonl");
  fs.writeFileSync(file, markers.map((m, i) => JSON.stringify({ id: `q${i}`, question: `What is 1+1? [${m}]`, answer: "2" })).join("\n") + "\n");
  return file;
}

const readJsonl = (file: string) => fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));

test("eval against a fake server: retries, a dead item reported not scored, and a rerun asks only for what is missing", async () => {
  const data = dataFile(["ok", "slow", "fail", "garbage", "html", "dead", "wrong", "long"]);
  const out = path.join(path.dirname(data), "out");
  const flags = (url: string) => ["eval", "--endpoint", url, "--model-name", "fake", "--benchmarks", data, "--n", "2", "--timeout", "0.5", "--retries", "2", "--out", out];
  const first = await startFakeServer(script);
  servers.push(first);
  const r = await rlzero(flags(first.url));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /toy \(partial\) +8 +2 +71\.4 /, "avg@2 = 5 of 7 scored items");
  assert.match(r.stderr, /2 samples failed to generate and are not scored/);

  const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8")).benchmarks[0];
  assert.equal(report.count, 8);
  assert.equal(report.scored_items, 7);
  assert.equal(report.acc, 5 / 7);
  assert.equal(report["pass@k"]["2"], 5 / 7);
  assert.equal(report["maj@k"]["2"], 5 / 7);
  assert.equal(report.truncation_rate, 2 / 14);
  assert.equal(report.failed, 2);
  assert.deepEqual(report.failures.map((f: { id: string }) => f.id), ["q5", "q5"]);
  assert.match(report.failures[0].error, /HTTP 503 .*\(3 attempts\)/);
  const records = readJsonl(path.join(out, "toy.jsonl"));
  assert.equal(records.length, 14);
  assert.ok(records.every((x) => x.id !== "q5"), "failed samples are not in the responses");
  const q6 = records.find((x) => x.id === "q6");
  assert.deepEqual([q6.extracted, q6.correct, q6.reason], ["3", false, "wrong_answer"]);
  assert.equal(records.find((x) => x.id === "q7").reason, "truncated");
  assert.ok(fs.readFileSync(path.join(out, "report.md"), "utf8").includes("| toy (partial) | 8 | 2 | 71.4 |"));
  const asked = (p: string) => first.requests.filter((q) => promptText(q).includes(p)).length;
  assert.deepEqual(["[ok]", "[slow]", "[fail]", "[garbage]", "[html]", "[dead]"].map(asked), [2, 4, 4, 6, 4, 6]);

  // A new server (another port): only the failed item is asked for again.
  const second = await startFakeServer(script);
  servers.push(second);
  const again = await rlzero(flags(second.url));
  assert.equal(again.status, 0, again.stderr);
  assert.equal(second.requests.length, 2 * 3);
  assert.ok(second.requests.every((q) => promptText(q).includes("[dead]")));
  assert.deepEqual(readJsonl(path.join(out, "toy.jsonl")), records);
});

test("Ctrl-C leaves a valid partial report; the rerun continues without asking for cached samples", async () => {
  const data = dataFile(["a", "b", "c", "d", "e", "f"]);
  const out = path.join(path.dirname(data), "out");
  const flags = (url: string) => ["eval", "--endpoint", url, "--model-name", "fake", "--benchmarks", data, "--n", "2", "--concurrency", "1", "--out", out];
  const slow = await startFakeServer(() => ({ ...OK, delayMs: 150 }));
  servers.push(slow);
  const records = path.join(out, "toy.jsonl");
  const r = await rlzero(flags(slow.url), (kill) => {
    const poll = setInterval(() => {
      if (fs.existsSync(records) && readJsonl(records).length >= 3) {
        clearInterval(poll);
        kill("SIGINT");
      }
    }, 20);
  });
  assert.equal(r.status, 130, r.stderr);
  assert.match(r.stderr, /stopping; writing what is done/);
  const partial = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8"));
  assert.equal(partial.complete, false);
  const p = partial.benchmarks[0];
  assert.ok(p.scored >= 3 && p.scored < 12, `scored ${p.scored}`);
  assert.equal(p.acc, 1);
  const cached = readJsonl(records);
  assert.equal(cached.length, p.scored);
  // Sample j of item i is requested with the seed of the stream (seed 0, j, i, 0).
  const seedOf = (x: { id: string; sample: number }) => Rng.derive(0, x.sample, Number(x.id.slice(1)), 0).nextUint32();
  const cachedSeeds = new Set(cached.map(seedOf));

  const fast = await startFakeServer(() => OK);
  servers.push(fast);
  const again = await rlzero(flags(fast.url));
  assert.equal(again.status, 0, again.stderr);
  assert.equal(fast.requests.length, 12 - cached.length);
  assert.ok(fast.requests.every((q) => !cachedSeeds.has(q.seed)), "no cached sample is asked for again");
  const done = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8"));
  assert.equal(done.complete, true);
  assert.equal(done.benchmarks[0].scored, 12);
});

test("eval --model DIR samples with the local engine", { skip: skipTok }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-evallocal-"));
  const model = path.join(dir, "model");
  const config = parseConfig({
    architectures: ["Qwen2ForCausalLM"], model_type: "qwen2", vocab_size: 2000, hidden_size: 32, intermediate_size: 64,
    num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 256,
    tie_word_embeddings: true, eos_token_id: 0,
  }, "test config");
  saveModel(model, randomModel(config, 5, { std: 0.5 }), { tokenizerFrom: tokenizerDir });
  const data = path.join(dir, "arith.jsonl");
  fs.writeFileSync(data, ["1+1", "2+2", "3+3"].map((q, i) => JSON.stringify({ question: `What is ${q}?`, answer: String(2 * i + 2) })).join("\n") + "\n");
  const run = (out: string, seed: string, batch: string) => rlzero(["eval", "--model", model, "--benchmarks", data, "--n", "2", "--max-new-tokens", "6", "--template", "plain", "--seed", seed, "--batch-size", batch, "--out", path.join(dir, out)]);
  const r = await run("a", "1", "3");
  assert.equal(r.status, 0, r.stderr);
  const records = readJsonl(path.join(dir, "a", "arith.jsonl"));
  assert.equal(records.length, 6);
  for (const x of records) {
    assert.ok(x.length >= 1 && x.length <= 6);
    assert.equal(x.finish_reason === "length", x.length === 6);
    assert.equal(x.correct, false, "a random model does not do arithmetic");
  }
  const report = JSON.parse(fs.readFileSync(path.join(dir, "a", "report.json"), "utf8")).benchmarks[0];
  assert.equal(report.complete, true);
  assert.equal(report.response_length, records.reduce((a, x) => a + x.length, 0) / 6);
  const same = await run("b", "1", "1");
  assert.equal(same.status, 0, same.stderr);
  assert.deepEqual(readJsonl(path.join(dir, "b", "arith.jsonl")), records, "the same seed gives the same responses, whatever the batch size");
});

test("eval flags: clear errors", async () => {
  const data = dataFile(["a"]);
  const cases: [string[], RegExp][] = [
    [["--benchmarks", data], /give either --model DIR .* or --endpoint URL/],
    [["--benchmarks", "nosuch", "--endpoint", "http://127.0.0.1:9", "--model-name", "m"], /"nosuch" is neither a benchmark \(math500, .*\) nor a file/],
    [["--benchmarks", data, "--endpoint", "http://127.0.0.1:9", "--model-name", "m", "--format", "xml"], /--format must be one of orz, boxed, auto, choice/],
  ];
  for (const [args, pattern] of cases) {
    const r = await rlzero(["eval", ...args]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
});
