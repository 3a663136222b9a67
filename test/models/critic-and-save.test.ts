import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel, saveModel } from "../../src/models/load.ts";
import { backward, noGrad } from "../../src/tensor/tensor.ts";
import { weightedSum } from "../../src/tensor/elementwise.ts";
import { VALUE_HEAD } from "../../src/models/parameters.ts";

const qwen = fileURLToPath(new URL("../fixtures/models/tiny-qwen2", import.meta.url));
const ids = Int32Array.from([3, 14, 15, 92, 65, 35, 89, 79, 32, 38]);
const rows = Int32Array.from([2, 5, 9]);

test("a critic is the backbone plus a [1, hidden] value head, initialised normal(0, 1/(hidden+1))", () => {
  const critic = loadModel(qwen, { valueHead: true, seed: 1 });
  const head = critic.p(VALUE_HEAD);
  assert.deepEqual(head.shape, [1, 64]);
  const std = Math.sqrt(head.data.reduce((s, x) => s + x * x, 0) / head.size);
  assert.ok(std > 0.3 / 65 && std < 3 / 65, `value head std ${std}`);
  assert.ok(!critic.params.has("lm_head.weight"));
  const values = noGrad(() => critic.values(ids, 1, ids.length, rows));
  assert.deepEqual(values.shape, [3, 1]);
});

test("critic values are value_head . final hidden state, and gradients reach the backbone", () => {
  const critic = loadModel(qwen, { valueHead: true, seed: 1 });
  const v = critic.values(ids, 1, ids.length, rows);
  const h = noGrad(() => critic.hidden(ids, 1, ids.length));
  rows.forEach((r, i) => {
    let dot = 0;
    for (let j = 0; j < 64; j++) dot += h.data[r * 64 + j] * critic.p(VALUE_HEAD).data[j];
    assert.ok(Math.abs(dot - v.data[i]) < 1e-5);
  });
  backward(weightedSum(v, Float32Array.from([1, -1, 0.5])));
  assert.ok(critic.p(VALUE_HEAD).grad!.some((g) => g !== 0));
  assert.ok(critic.p("model.layers.0.self_attn.q_proj.weight").grad!.some((g) => g !== 0));
});

test("a saved policy and a saved critic load back bit-exactly", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-save-"));
  for (const valueHead of [false, true]) {
    const model = loadModel(qwen, { valueHead, seed: 2 });
    const out = path.join(dir, valueHead ? "critic" : "policy");
    saveModel(out, model);
    const back = loadModel(out, { valueHead });
    assert.deepEqual([...back.params.keys()], [...model.params.keys()]);
    for (const [name, p] of model.params) assert.deepEqual(back.p(name).data, p.data, name);
  }
  assert.ok(fs.existsSync(path.join(dir, "policy", "config.json")));
});

test("log-probs need a positive temperature and rows that have a next token", () => {
  const policy = loadModel(qwen);
  assert.throws(() => policy.tokenLogprobs(ids, 1, ids.length, rows, 0), RangeError);
  assert.throws(() => policy.tokenLogprobs(ids, 2, 5, Int32Array.from([4])), /row 4 is the last token of sequence 0/);
});
