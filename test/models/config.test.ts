/**
 * config.json: transformers' defaults, RoPE frequencies (llama3 and linear scaling worked out
 * by hand from Hugging Face's formulas), errors that name the file and key, and saving.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConfig, readConfig, configToJson, ropeInvFreq } from "../../src/models/config.ts";
import { UserInputError } from "../../src/errors.ts";

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-config-"));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

const qwen = {
  architectures: ["Qwen2ForCausalLM"], model_type: "qwen2",
  vocab_size: 151936, hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
  num_attention_heads: 14,
};
const llama = {
  architectures: ["LlamaForCausalLM"], vocab_size: 32000, hidden_size: 64, intermediate_size: 176,
  num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 1, head_dim: 8, rope_theta: 10000,
};

function assertUserError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserInputError, `expected UserInputError, got ${e}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

test("qwen2 defaults follow transformers' Qwen2Config", () => {
  const c = parseConfig(qwen, "config.json");
  assert.equal(c.architecture, "Qwen2ForCausalLM");
  assert.equal(c.modelType, "qwen2");
  assert.equal(c.numKvHeads, 14); // num_key_value_heads defaults to num_attention_heads
  assert.equal(c.headDim, 64); // hidden / heads
  assert.equal(c.maxPositions, 32768);
  assert.equal(c.ropeTheta, 10000);
  assert.equal(c.ropeScaling, null);
  assert.equal(c.rmsNormEps, 1e-6);
  assert.equal(c.tieWordEmbeddings, false);
  assert.equal(c.attentionBias, true); // qwen2 always has q, k, v biases
  assert.equal(c.bosTokenId, null);
  assert.deepEqual(c.eosTokenIds, []);
  assert.equal(c.hiddenAct, "silu");
  assert.equal(c.raw, qwen);
});

test("llama defaults follow transformers' LlamaConfig; model_type alone is enough", () => {
  const { architectures: _, ...noArch } = llama;
  const c = parseConfig({ ...noArch, model_type: "llama" }, "config.json");
  assert.equal(c.architecture, "LlamaForCausalLM");
  assert.equal(c.maxPositions, 2048);
  assert.equal(c.bosTokenId, 1);
  assert.deepEqual(c.eosTokenIds, [2]);
  assert.equal(c.attentionBias, false);
  assert.equal(parseConfig({ ...llama, attention_bias: true }, "config.json").attentionBias, true);
  assert.deepEqual(parseConfig({ ...llama, eos_token_id: [128001, 128009] }, "config.json").eosTokenIds, [128001, 128009]);
});

test("ropeInvFreq: plain, linear and llama3 scaling", () => {
  // head_dim 8, theta 10000: 1 / 10000^(2i/8) = 1, 0.1, 0.01, 0.001
  const plain = ropeInvFreq(parseConfig(llama, "config.json"));
  assert.deepEqual(plain, Float32Array.from([1, 0.1, 0.01, 0.001]));

  const linear = ropeInvFreq(parseConfig({ ...llama, rope_scaling: { type: "linear", factor: 4 } }, "config.json"));
  assert.deepEqual(linear, Float32Array.from([0.25, 0.025, 0.0025, 0.00025]));

  // llama3, factor 8, low 1, high 4, original 64: low_freq_wavelen = 64, high_freq_wavelen = 16.
  // wavelen = 2π / f = 6.28 (< 16: kept), 62.83 (medium: smoothed), 628.3 and 6283 (> 64: f / 8).
  // smooth = (64 / 62.832 - 1) / (4 - 1) = 0.0061972; (1 - smooth) * 0.1 / 8 + smooth * 0.1 = 0.0130423
  const smooth = (64 / ((2 * Math.PI) / 0.1) - 1) / 3;
  const llama3 = ropeInvFreq(parseConfig({
    ...llama,
    rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 },
  }, "config.json"));
  assert.deepEqual(llama3, Float32Array.from([1, ((1 - smooth) * 0.1) / 8 + smooth * 0.1, 0.01 / 8, 0.001 / 8]));
  assert.ok(Math.abs(llama3[1] - 0.0130423) < 1e-7);

  // transformers 5 puts theta and scaling in rope_parameters
  const v5 = parseConfig({ ...llama, rope_theta: undefined, rope_parameters: { rope_type: "linear", factor: 4, rope_theta: 10000 } }, "config.json");
  assert.deepEqual(ropeInvFreq(v5), linear);
});

test("config errors name the file, the key and the value", () => {
  assertUserError(() => parseConfig({ ...qwen, architectures: ["MistralForCausalLM"] }, "config.json"),
    'config.json: architectures ["MistralForCausalLM"] is not supported; supported: Qwen2ForCausalLM, LlamaForCausalLM');
  const { hidden_size: _, ...noHidden } = qwen;
  assertUserError(() => parseConfig(noHidden, "config.json"), 'config.json: missing required key "hidden_size"');
  assertUserError(() => parseConfig({ ...qwen, num_hidden_layers: "24" }, "config.json"), 'config.json: key "num_hidden_layers"', '(got "24")');
  assertUserError(() => parseConfig({ ...qwen, hidden_act: "gelu" }, "config.json"), 'config.json: hidden_act "gelu" is not supported; supported: silu');
  assertUserError(() => parseConfig({ ...qwen, num_key_value_heads: 4 }, "config.json"),
    "config.json: num_attention_heads 14 is not divisible by num_key_value_heads 4");
  assertUserError(() => parseConfig({ ...qwen, num_attention_heads: 5 }, "config.json"),
    "config.json: hidden_size 896 is not divisible by num_attention_heads 5");
  assertUserError(() => parseConfig({ ...llama, mlp_bias: true }, "config.json"), "config.json: mlp_bias true is not supported");
  assertUserError(() => parseConfig({ ...qwen, model_type: "llama" }, "config.json"), 'model_type "llama" does not match architecture Qwen2ForCausalLM');
  assertUserError(() => parseConfig({ ...llama, rope_scaling: { rope_type: "yarn", factor: 4 } }, "config.json"),
    'config.json: rope_scaling type "yarn" is not supported');
  assertUserError(() => parseConfig({ ...llama, rope_scaling: { rope_type: "llama3", factor: 8 } }, "config.json"),
    'config.json: rope_scaling (llama3) is missing "low_freq_factor"');
  assertUserError(() => parseConfig([], "config.json"), "config.json: ");
  assertUserError(() => readConfig(path.join(tmpRoot, "nowhere")), path.join(tmpRoot, "nowhere", "config.json"), "file not found");
  const badDir = fs.mkdtempSync(path.join(tmpRoot, "bad-"));
  fs.writeFileSync(path.join(badDir, "config.json"), "{");
  assertUserError(() => readConfig(badDir), path.join(badDir, "config.json"), "not valid JSON");
});

test("readConfig merges generation_config.json's eos ids; configToJson keeps unknown keys", () => {
  const dir = fs.mkdtempSync(path.join(tmpRoot, "gen-"));
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...qwen, bos_token_id: 151643, eos_token_id: 151643, sliding_window: 4096 }));
  fs.writeFileSync(path.join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: [151645, 151643], top_p: 0.8 }));
  const c = readConfig(dir);
  assert.deepEqual(c.eosTokenIds, [151643, 151645]);
  assert.equal(c.bosTokenId, 151643);
  const json = configToJson({ ...c, numLayers: 4 });
  assert.equal(json.num_hidden_layers, 4);
  assert.equal(json.sliding_window, 4096);
  assert.equal(json.eos_token_id, 151643); // config.json keeps its own; the merged list goes to generation_config.json
  assert.equal("head_dim" in json, false);
  const again = parseConfig(JSON.parse(JSON.stringify(json)), "config.json");
  assert.deepEqual({ ...again, raw: null }, { ...c, numLayers: 4, eosTokenIds: [151643], raw: null });

  const l3 = parseConfig({
    ...llama, rope_scaling: { type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 },
  }, "config.json");
  assert.deepEqual(parseConfig(configToJson(l3), "x").ropeScaling, l3.ropeScaling);
  assert.equal(configToJson(l3).head_dim, 8);
});
