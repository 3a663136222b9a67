import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const qwen = path.join(root, "test/fixtures/models/tiny-qwen2");

function rlzero(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "test/helpers/cli.ts"), ...args], { encoding: "utf8", cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user error: exit 1, one line naming the problem, no stack trace. */
function assertUserError(r: ReturnType<typeof rlzero>, pattern: RegExp): void {
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace for user errors");
}

function tmpModel(edit: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-cli-"));
  fs.cpSync(qwen, dir, { recursive: true });
  edit(dir);
  return dir;
}

test("info names the backend, the threads and the CPU features", () => {
  const r = rlzero("--threads", "1", "info");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /backend: +(onednn|openblas|portable)/);
  assert.match(r.stdout, /threads: +1\b/);
  assert.match(r.stdout, /cpu features:/);
});

test("generate --json prints one object per completion", () => {
  const r = rlzero("generate", "--model", qwen, "--prompt-ids", "1,2,3", "--n", "3", "--max-new-tokens", "5", "--seed", "4", "--json");
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  for (const c of lines) {
    assert.equal(c.token_ids.length, 5);
    assert.equal(c.logprobs.length, 5);
    assert.equal(c.finish_reason, "length");
  }
  const again = rlzero("generate", "--model", qwen, "--prompt-ids", "1,2,3", "--n", "3", "--max-new-tokens", "5", "--seed", "4", "--json");
  assert.equal(again.stdout, r.stdout, "same seed, same output");
});

test("logprobs --json matches the PyTorch reference", () => {
  const ref = JSON.parse(fs.readFileSync(path.join(root, "test/fixtures/reference/tiny-qwen2.json"), "utf8"));
  const ids: number[] = ref.input_ids[0];
  const r = rlzero("logprobs", "--model", qwen, "--ids", ids.join(","), "--json");
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.ids, ids);
  assert.equal(out.logprobs.length, ids.length - 1);
  out.logprobs.forEach((l: number, i: number) => assert.ok(Math.abs(l - ref.logprobs[0][i]) < 1e-4));
});

test("bad input gives one clear line and exit 1", () => {
  assertUserError(rlzero("generate", "--model", "/nonexistent/model", "--prompt-ids", "1"), /\/nonexistent\/model does not exist/);
  assertUserError(rlzero("generate", "--model", qwen, "--prompt-ids", "1,999"), /token id 999 is outside the vocabulary/);
  assertUserError(rlzero("generate", "--model", qwen, "--prompt-ids", "1,x"), /--prompt-ids: expected comma-separated/);
  assertUserError(rlzero("generate", "--model", qwen, "--prompt", "hello"), /has no tokenizer\.json/);
  assertUserError(rlzero("generate", "--model", qwen, "--prompt-ids", "1", "--prompt", "hi"), /give exactly one of --prompt and --prompt-ids/);
  assertUserError(rlzero("logprobs", "--model", qwen), /give exactly one of --text and --ids/);
  assertUserError(rlzero("generate", "--model", qwen, "--prompt-ids", "1", "--chat"), /--chat needs --prompt/);
  assertUserError(rlzero("generate", "--model", qwen, "--prompt-ids", "1", "--stop", "x"), /no tokenizer\.json to match --stop with/);
  assertUserError(rlzero("logprobs", "--model", qwen, "--ids", Array.from({ length: 200 }, () => "1").join(",")), /longer than the context/);

  const truncated = tmpModel((d) => {
    const f = path.join(d, "model.safetensors");
    fs.truncateSync(f, fs.statSync(f).size - 100);
  });
  assertUserError(rlzero("logprobs", "--model", truncated, "--ids", "1,2"), /model\.safetensors.*truncated/);

  const missing = tmpModel((d) => fs.rmSync(path.join(d, "model.safetensors")));
  assertUserError(rlzero("logprobs", "--model", missing, "--ids", "1,2"), /model\.safetensors/);

  const mistral = tmpModel((d) => {
    const f = path.join(d, "config.json");
    fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace("Qwen2ForCausalLM", "MistralForCausalLM"));
  });
  assertUserError(rlzero("logprobs", "--model", mistral, "--ids", "1,2"), /config\.json.*MistralForCausalLM.*not supported/);

  const wrongShape = tmpModel((d) => {
    const f = path.join(d, "config.json");
    const cfg = JSON.parse(fs.readFileSync(f, "utf8"));
    cfg.intermediate_size += 8;
    fs.writeFileSync(f, JSON.stringify(cfg));
  });
  assertUserError(rlzero("logprobs", "--model", wrongShape, "--ids", "1,2"), /mlp\.gate_proj\.weight" has shape \[160,64\] but config\.json implies \[168,64\]/);
});

test("grade adds extracted, correct and reason, skips malformed lines with their number", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-grade-"));
  const input = path.join(dir, "in.jsonl");
  const output = path.join(dir, "out.jsonl");
  fs.writeFileSync(input, [
    JSON.stringify({ response: "<think>x</think> <answer>\\boxed{\\frac{1}{2}}</answer>", answer: "0.5" }),
    "not json",
    JSON.stringify({ response: "so the answer is 7", answer: "8" }),
  ].join("\n"));
  const r = rlzero("grade", "--input", input, "--output", output, "--format", "auto");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /in\.jsonl:2: skipped/);
  assert.match(r.stderr + r.stdout, /accuracy 50\.00% \(1\/2\)/);
  const graded = fs.readFileSync(output, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(graded.map((g) => [g.extracted, g.correct, g.reason]), [["\\frac{1}{2}", true, "correct"], ["7", false, "wrong_answer"]]);
  assertUserError(rlzero("grade", "--input", path.join(dir, "missing.jsonl")), /missing\.jsonl does not exist/);
});
