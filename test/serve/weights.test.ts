/**
 * SGLang's POST /update_weights_from_disk: the served weights switch to another directory's (greedy
 * output becomes that model's) and back, every response names the weight_version that produced
 * it, and a bad directory or other shapes are refused with a message naming the problem while the
 * old weights keep serving.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { InferenceServer } from "../../src/serve/server.ts";
import { metrics, post, skip, startServer, tinyModelDir, tmpRoot } from "./helpers.ts";

let dirA: string;
let dirB: string;
let server: InferenceServer;

before(async () => {
  if (skip) return;
  dirA = tinyModelDir(3);
  dirB = tinyModelDir(4);
  server = await startServer(dirA);
});
after(async () => {
  await server?.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

async function greedy(prompt = "The weights are"): Promise<{ tokens: number[]; version: string }> {
  const r = await post(server, "/v1/completions", { prompt, max_tokens: 8, temperature: 0 });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return { tokens: r.json.choices[0].token_ids, version: r.json.weight_version };
}

async function greedyOf(dir: string): Promise<number[]> {
  const other = await startServer(dir);
  try {
    const r = await post(other, "/v1/completions", { prompt: "The weights are", max_tokens: 8, temperature: 0 });
    return r.json.choices[0].token_ids;
  } finally {
    await other.close();
  }
}

const update = (body: unknown) => post(server, "/update_weights_from_disk", body);

test("update_weights_from_disk switches the weights and back; weight_version tags each response", { skip }, async () => {
  const [ofA, ofB] = [await greedyOf(dirA), await greedyOf(dirB)];
  assert.notDeepEqual(ofA, ofB, "the two models answer differently");
  assert.deepEqual(await greedy(), { tokens: ofA, version: "default" });

  const toB = await update({ model_path: dirB, weight_version: "step-1" });
  assert.equal(toB.status, 200);
  assert.equal(toB.json.success, true);
  assert.match(toB.json.message, /Succeeded/);
  assert.deepEqual(await greedy(), { tokens: ofB, version: "step-1" });
  const info = (await (await fetch(`${server.url}/get_model_info`)).json()) as { weight_version: string; model_path: string };
  assert.equal(info.weight_version, "step-1");
  assert.equal(info.model_path, path.resolve(dirB));

  assert.equal((await update({ model_path: dirA, weight_version: "step-2" })).json.success, true);
  assert.deepEqual(await greedy(), { tokens: ofA, version: "step-2" });
  assert.deepEqual(await (await fetch(`${server.url}/get_weight_version`)).json(), { weight_version: "step-2" });
  assert.equal((await update({ model_path: dirB })).json.success, true, "without weight_version the version stays");
  assert.deepEqual(await greedy(), { tokens: ofB, version: "step-2" });
  assert.equal((await metrics(server)).weight_updates_total, 3);
});

test("requests around an update are answered whole by one version of the weights", { skip }, async () => {
  const ofA = await greedyOf(dirA);
  const ofB = await greedyOf(dirB);
  const byVersion: Record<string, number[]> = { a: ofA, b: ofB };
  assert.equal((await update({ model_path: dirA, weight_version: "a" })).json.success, true);
  const answers = await Promise.all([
    greedy(), greedy(), update({ model_path: dirB, weight_version: "b" }).then(() => greedy()), greedy(), greedy(),
  ]);
  for (const { tokens, version } of answers) assert.deepEqual(tokens, byVersion[version], `version ${version}`);
  assert.ok(answers.some((a) => a.version === "b"));
});

test("a bad directory, other shapes or missing tensors are refused, naming the problem; old weights stay", { skip }, async () => {
  assert.equal((await update({ model_path: dirA, weight_version: "kept" })).json.success, true);
  const before = await greedy();
  const wider = tinyModelDir(5, { hidden_size: 64 });
  const noWeights = tinyModelDir(6);
  fs.rmSync(path.join(noWeights, "model.safetensors"));
  const otherArch = tinyModelDir(7, { architectures: ["LlamaForCausalLM"], model_type: "llama" });
  const cases: [unknown, RegExp][] = [
    [{ model_path: path.join(tmpRoot, "nowhere") }, /nowhere is not a directory/],
    [{ model_path: wider, weight_version: "bad" }, /hidden_size is 64, the served model's is 32/],
    [{ model_path: noWeights }, /no model\.safetensors/],
    [{ model_path: otherArch }, /architectures is "LlamaForCausalLM"/],
    [{ weight_version: "x" }, /model_path/],
    [{ model_path: 5 }, /model_path/],
    [{ model_path: dirB, weight_version: 3 }, /weight_version/],
    [{ model_path: dirB, abort_all_requests: true }, /abort_all_requests/],
  ];
  for (const [body, message] of cases) {
    const r = await update(body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.success, false);
    assert.match(r.json.message, message);
  }
  assert.deepEqual(await greedy(), before);
});
