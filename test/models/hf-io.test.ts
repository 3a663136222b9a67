/**
 * Hugging Face file formats: safetensors (bit patterns, round trips, every header error),
 * sharded weights, the atomic model-directory save, and the PyTorch-made fixtures.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  SafetensorsReader, writeSafetensors, f32Bits, bitsToF32,
  f32BitsToBf16, f32BitsToF16, bf16ToF32Bits, f16ToF32Bits,
} from "../../src/models/safetensors.ts";
import { loadWeights, saveWeights, type NamedTensor } from "../../src/models/weights.ts";
import { readConfig } from "../../src/models/config.ts";
import { saveModelDir } from "../../src/models/model-dir.ts";
import { UserInputError } from "../../src/errors.ts";

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-hfio-"));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let tmpCount = 0;
const tmpDir = (): string => fs.mkdtempSync(path.join(tmpRoot, `t${tmpCount++}-`));

function tensor(shape: number[], fill: (i: number) => number): NamedTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, i) => fill(i)) };
}

/** A safetensors file from a raw header (object or string) and `dataBytes` zero bytes. */
function rawFile(dir: string, header: unknown, dataBytes: number, declaredLen?: number): string {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(declaredLen ?? json.length));
  const file = path.join(dir, "model.safetensors");
  fs.writeFileSync(file, Buffer.concat([len, json, Buffer.alloc(dataBytes)]));
  return file;
}

function assertUserError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserInputError, `expected UserInputError, got ${e}`);
    for (const p of parts) {
      if (typeof p === "string") assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

const hex = (n: number): string => `0x${n.toString(16)}`;

test("f32 -> bf16 bit patterns, round to nearest even", () => {
  const cases: [number, number][] = [
    [0x3f800000, 0x3f80], // 1.0
    [0xc0200000, 0xc020], // -2.5
    [0x477fe000, 0x4780], // 65504: lower half 0xe000 > 0x8000 rounds up to 65536
    [0x7f800000, 0x7f80], // +inf
    [0xff800000, 0xff80], // -inf
    [0x7fc00000, 0x7fc0], // nan
    [0x7f800001, 0x7fc0], // signalling nan stays a nan (quieted), not inf
    [0x3f808000, 0x3f80], // 1 + 2^-8: tie, 0x3f80 is even: down
    [0x3f818000, 0x3f82], // 1 + 3*2^-8: tie, 0x3f81 is odd: up
    [0x3f808001, 0x3f81], // just above the tie: up
    [0x7f7fffff, 0x7f80], // max f32 rounds to inf
    [0x80000000, 0x8000], // -0
  ];
  for (const [f, b] of cases) assert.equal(hex(f32BitsToBf16(f)), hex(b), `f32 ${hex(f)}`);
  assert.equal(bitsToF32(bf16ToF32Bits(0xc020)), -2.5);
  assert.equal(bf16ToF32Bits(0xff80), 0xff800000);
});

test("f32 <-> f16 bit patterns: normals, ties, overflow, subnormals, inf, nan", () => {
  const cases: [number, number][] = [
    [1.0, 0x3c00],
    [-2.5, 0xc100],
    [65504, 0x7bff], // largest f16
    [65519, 0x7bff], // below the midpoint to 65536
    [65520, 0x7c00], // tie between 65504 (odd mantissa) and 65536: to even = inf
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -14, 0x0400], // smallest normal
    [1e-7, 0x0002], // 1e-7 / 2^-24 = 1.68 -> 2
    [1e-8, 0x0000], // 1e-8 / 2^-24 = 0.168 -> underflows to +0
    [2 ** -25, 0x0000], // exactly half the smallest subnormal: tie to even 0
    [3 * 2 ** -25, 0x0002], // 1.5 subnormal units: tie to even 2
    [1 + 2 ** -11, 0x3c00], // tie, even: down
    [1 + 3 * 2 ** -11, 0x3c02], // tie, odd: up
    [-0, 0x8000],
  ];
  for (const [x, h] of cases) assert.equal(hex(f32BitsToF16(f32Bits(x))), hex(h), `f16 of ${x}`);
  assert.equal(hex(f32BitsToF16(0x7fc00000)), "0x7e00"); // nan
  assert.equal(bitsToF32(f16ToF32Bits(0x0001)), 2 ** -24);
  assert.equal(bitsToF32(f16ToF32Bits(0x03ff)), 1023 * 2 ** -24); // largest subnormal
  assert.equal(bitsToF32(f16ToF32Bits(0x8002)), -2 * 2 ** -24);
  assert.equal(bitsToF32(f16ToF32Bits(0x7bff)), 65504);
  assert.equal(bitsToF32(f16ToF32Bits(0xc100)), -2.5);
  assert.equal(bitsToF32(f16ToF32Bits(0x7c00)), Infinity);
  assert.equal(bitsToF32(f16ToF32Bits(0xfc00)), -Infinity);
  assert.ok(Number.isNaN(bitsToF32(f16ToF32Bits(0x7e00))));
  // every finite f16 survives f16 -> f32 -> f16
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) === 0x7c00) continue;
    assert.equal(f32BitsToF16(f16ToF32Bits(h)), h);
  }
});

test("safetensors F32 write -> read is bit-exact; layout as the reference library", () => {
  const dir = tmpDir();
  const file = path.join(dir, "model.safetensors");
  const special = new Float32Array([NaN, -0, Infinity, -Infinity, 1e-45, 3.4028235e38]);
  const tensors = new Map<string, NamedTensor>([
    ["b.weight", tensor([2, 3], (i) => Math.sin(i) * 1e3)],
    ["a.bias", { shape: [6], data: special }],
    ["scalar", { shape: [], data: new Float32Array([7]) }],
    ["empty", { shape: [0, 4], data: new Float32Array(0) }],
  ]);
  writeSafetensors(file, tensors);
  const bytes = fs.readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0);
  const headerText = bytes.subarray(8, 8 + n).toString();
  const header = JSON.parse(headerText);
  assert.deepEqual(header.__metadata__, { format: "pt" });
  assert.deepEqual(Object.keys(header), ["__metadata__", "a.bias", "b.weight", "empty", "scalar"]);
  assert.deepEqual(header["a.bias"], { dtype: "F32", shape: [6], data_offsets: [0, 24] });
  const reader = SafetensorsReader.open(file);
  try {
    for (const [name, t] of tensors) {
      const got = reader.read(name);
      assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length), name);
      assert.deepEqual(reader.tensors.get(name)!.shape, t.shape);
    }
  } finally {
    reader.close();
  }
});

test("safetensors BF16 / F16 write -> read rounds each value once", () => {
  const dir = tmpDir();
  const t = tensor([3, 5], (i) => (i - 7) * 0.3137);
  for (const [dtype, enc, dec] of [["BF16", f32BitsToBf16, bf16ToF32Bits], ["F16", f32BitsToF16, f16ToF32Bits]] as const) {
    const file = path.join(dir, `${dtype}.safetensors`);
    writeSafetensors(file, new Map([["w", t]]), dtype);
    const reader = SafetensorsReader.open(file);
    const got = reader.read("w");
    reader.close();
    assert.equal(reader.tensors.get("w")!.dtype, dtype);
    const expected = Float32Array.from(t.data, (x) => bitsToF32(dec(enc(f32Bits(x)))));
    assert.deepEqual(got, expected);
    assert.equal(fs.statSync(file).size % 2, 0);
  }
});

test("safetensors errors name the file, and the tensor key where there is one", () => {
  const dir = tmpDir();
  assertUserError(() => SafetensorsReader.open(path.join(dir, "missing.safetensors")), "missing.safetensors: file not found");

  const tiny = path.join(dir, "model.safetensors");
  fs.writeFileSync(tiny, Buffer.alloc(5));
  assertUserError(() => SafetensorsReader.open(tiny), "model.safetensors: file is truncated: 5 bytes");

  rawFile(dir, "{}", 90, 1234);
  assertUserError(() => SafetensorsReader.open(tiny), "model.safetensors: file is truncated: header says 8+1234 bytes but the file has 100");

  rawFile(dir, "{not json", 0);
  assertUserError(() => SafetensorsReader.open(tiny), "model.safetensors: header is not valid JSON");

  rawFile(dir, { "model.norm.weight": { dtype: "F32", shape: [64], data_offsets: [0, 512] } }, 512);
  assertUserError(() => SafetensorsReader.open(tiny),
    'model.safetensors: tensor "model.norm.weight" data_offsets [0, 512] do not match shape [64] × F32 (256 bytes)');

  rawFile(dir, { "model.norm.weight": { dtype: "F32", shape: [64], data_offsets: [0, 256] } }, 100);
  assertUserError(() => SafetensorsReader.open(tiny), "model.safetensors: file is truncated", '"model.norm.weight"');

  rawFile(dir, { w: { dtype: "F32", shape: [2] } }, 8);
  assertUserError(() => SafetensorsReader.open(tiny), 'tensor "w"', "data_offsets");

  rawFile(dir, { w: { shape: [2], data_offsets: [0, 8] } }, 8);
  assertUserError(() => SafetensorsReader.open(tiny), 'tensor "w"', '"dtype"');

  rawFile(dir, { w: { dtype: "F33", shape: [2], data_offsets: [0, 8] } }, 8);
  assertUserError(() => SafetensorsReader.open(tiny), 'tensor "w"', 'unknown dtype "F33"');

  rawFile(dir, { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, 8);
  assertUserError(() => SafetensorsReader.open(tiny), '"a" and "b" overlap');

  rawFile(dir, { "model.position_ids": { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, 16);
  const reader = SafetensorsReader.open(tiny); // valid file: the dtype is refused only when read
  assertUserError(() => reader.read("model.position_ids"),
    'model.safetensors: tensor "model.position_ids" has dtype I64; supported: F32, BF16, F16');
  assertUserError(() => reader.read("nope"), 'model.safetensors: no tensor "nope"');
  reader.close();

  assertUserError(() => writeSafetensors(path.join(dir, "bad.safetensors"), new Map([["w", { shape: [3], data: new Float32Array(2) }]])),
    'bad.safetensors: tensor "w": shape [3] does not match its 2 values');
});

test("sharded save -> load round trip, file names and index as transformers writes them", () => {
  const dir = tmpDir();
  const tensors = new Map<string, NamedTensor>([
    ["model.embed_tokens.weight", tensor([10, 8], (i) => i * 0.5)], // 320 bytes
    ["model.layers.0.w", tensor([8, 8], (i) => -i)], // 256
    ["model.layers.1.w", tensor([8, 8], (i) => i / 3)], // 256
    ["model.huge", tensor([200], (i) => i)], // 800 > limit: a shard of its own
    ["model.norm.weight", tensor([8], () => 1)], // 32
  ]);
  saveWeights(dir, tensors, { maxShardBytes: 600 });
  const files = fs.readdirSync(dir).sort();
  assert.deepEqual(files, [
    "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
    "model-00003-of-00003.safetensors", "model.safetensors.index.json",
  ]);
  const index = JSON.parse(fs.readFileSync(path.join(dir, "model.safetensors.index.json"), "utf8"));
  assert.equal(index.metadata.total_size, 320 + 256 + 256 + 800 + 32);
  assert.deepEqual(index.weight_map, {
    "model.embed_tokens.weight": "model-00001-of-00003.safetensors",
    "model.huge": "model-00002-of-00003.safetensors",
    "model.layers.0.w": "model-00001-of-00003.safetensors",
    "model.layers.1.w": "model-00003-of-00003.safetensors",
    "model.norm.weight": "model-00003-of-00003.safetensors",
  });
  assert.deepEqual(Object.keys(index.weight_map), Object.keys(index.weight_map).sort());
  const loaded = loadWeights(dir);
  assert.deepEqual([...loaded.keys()].sort(), [...tensors.keys()].sort());
  for (const [name, t] of tensors) assert.deepEqual(loaded.get(name), t, name);

  // Saving again unsharded removes the old shards and index.
  saveWeights(dir, tensors);
  assert.deepEqual(fs.readdirSync(dir), ["model.safetensors"]);
  for (const [name, t] of loadWeights(dir)) assert.deepEqual(t, tensors.get(name));
});

test("weights errors: no weights, missing shard, shard disagreeing with the index", () => {
  const dir = tmpDir();
  assertUserError(() => loadWeights(dir), dir, "no model.safetensors or model.safetensors.index.json");

  const t = new Map([["a", tensor([100], (i) => i)], ["b", tensor([100], (i) => i)], ["c", tensor([100], (i) => i)]]);
  saveWeights(dir, t, { maxShardBytes: 800 }); // a, b in shard 1; c in shard 2
  const [s1, s2] = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"];
  const indexFile = path.join(dir, "model.safetensors.index.json");

  fs.writeFileSync(indexFile, "{oops");
  assertUserError(() => loadWeights(dir), "model.safetensors.index.json: not valid JSON");

  fs.writeFileSync(indexFile, JSON.stringify({ weight_map: { a: s1, b: s1, c: "model-00009-of-00009.safetensors" } }));
  assertUserError(() => loadWeights(dir), "model.safetensors.index.json", 'shard "model-00009-of-00009.safetensors" does not exist');

  fs.writeFileSync(indexFile, JSON.stringify({ weight_map: { a: s1, c: s2 } }));
  assertUserError(() => loadWeights(dir), s1, 'tensor "b" is in this shard but model.safetensors.index.json does not list it');

  fs.writeFileSync(indexFile, JSON.stringify({ weight_map: { a: s1, b: s2, c: s2 } }));
  assertUserError(() => loadWeights(dir), s1, `tensor "b" is in this shard but model.safetensors.index.json maps it to "${s2}"`);

  fs.writeFileSync(indexFile, JSON.stringify({ weight_map: { a: s1, b: s1, c: s1 } }));
  assertUserError(() => loadWeights(dir), s1, 'tensor "c" is listed in model.safetensors.index.json but not in this shard');

  fs.writeFileSync(indexFile, JSON.stringify({ metadata: {} }));
  assertUserError(() => loadWeights(dir), 'model.safetensors.index.json: missing "weight_map" object');
});

test("saveModelDir writes config, weights, generation config and tokenizer files atomically", () => {
  const src = tmpDir();
  const fixture = fileURLToPath(new URL("../fixtures/models/tiny-qwen2/", import.meta.url));
  const config = readConfig(fixture);
  fs.writeFileSync(path.join(src, "tokenizer.json"), "{}");
  fs.writeFileSync(path.join(src, "tokenizer_config.json"), '{"eos_token": "<|im_end|>"}');
  fs.writeFileSync(path.join(src, "generation_config.json"), '{"temperature": 0.7, "eos_token_id": 5}');
  const tensors = new Map([["model.norm.weight", tensor([64], (i) => i / 64)]]);
  const out = path.join(tmpDir(), "ckpt", "step-1");
  saveModelDir(out, { ...config, eosTokenIds: [2, 5] }, tensors, { tokenizerFrom: src, dtype: "BF16" });
  assert.deepEqual(fs.readdirSync(out).sort(), [
    "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
  ]);
  const cfgJson = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8"));
  assert.equal(cfgJson.torch_dtype, "bfloat16");
  assert.equal(cfgJson.max_window_layers, 2); // unknown keys kept
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "generation_config.json"), "utf8")),
    { temperature: 0.7, bos_token_id: 1, eos_token_id: [2, 5] });
  assert.deepEqual(readConfig(out).eosTokenIds, [2, 5]);
  assert.deepEqual(loadWeights(out).get("model.norm.weight")!.shape, [64]);

  // Overwriting replaces the directory whole and leaves no temporary directories behind.
  saveModelDir(out, config, tensors);
  assert.deepEqual(fs.readdirSync(out).sort(), ["config.json", "generation_config.json", "model.safetensors"]);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ["step-1"]);

  // A failing save leaves the previous checkpoint untouched.
  const bad = new Map([["w", { shape: [3], data: new Float32Array(2) }]]);
  assert.throws(() => saveModelDir(out, config, bad), UserInputError);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ["step-1"]);
  assert.deepEqual(loadWeights(out).get("model.norm.weight"), tensors.get("model.norm.weight"));
});

const FIXTURES = fileURLToPath(new URL("../fixtures/models/", import.meta.url));
for (const name of ["tiny-qwen2", "tiny-llama", "tiny-qwen2-bf16", "tiny-qwen2-f16"]) {
  const dir = path.join(FIXTURES, name);
  test(`PyTorch fixture ${name} loads with the names and shapes its config implies`, { skip: !fs.existsSync(dir) && `${dir} is absent` }, () => {
    const cfg = readConfig(dir);
    const w = loadWeights(dir);
    const d = cfg.hiddenSize;
    const q = cfg.numHeads * cfg.headDim;
    const kv = cfg.numKvHeads * cfg.headDim;
    const expected = new Map<string, number[]>([["model.embed_tokens.weight", [cfg.vocabSize, d]], ["model.norm.weight", [d]]]);
    if (!cfg.tieWordEmbeddings) expected.set("lm_head.weight", [cfg.vocabSize, d]);
    for (let l = 0; l < cfg.numLayers; l++) {
      const p = `model.layers.${l}.`;
      expected.set(`${p}input_layernorm.weight`, [d]).set(`${p}post_attention_layernorm.weight`, [d]);
      expected.set(`${p}self_attn.q_proj.weight`, [q, d]).set(`${p}self_attn.k_proj.weight`, [kv, d]);
      expected.set(`${p}self_attn.v_proj.weight`, [kv, d]).set(`${p}self_attn.o_proj.weight`, [d, q]);
      if (cfg.attentionBias) expected.set(`${p}self_attn.q_proj.bias`, [q]).set(`${p}self_attn.k_proj.bias`, [kv]).set(`${p}self_attn.v_proj.bias`, [kv]);
      expected.set(`${p}mlp.gate_proj.weight`, [cfg.intermediateSize, d]).set(`${p}mlp.up_proj.weight`, [cfg.intermediateSize, d]);
      expected.set(`${p}mlp.down_proj.weight`, [d, cfg.intermediateSize]);
    }
    assert.deepEqual([...w.keys()].sort(), [...expected.keys()].sort());
    for (const [k, shape] of expected) {
      assert.deepEqual(w.get(k)!.shape, shape, k);
      assert.ok(w.get(k)!.data.every(Number.isFinite), `${k} has non-finite values`);
    }
    // Saved as F32 and read back: bit-exact.
    const out = tmpDir();
    saveWeights(out, w, { maxShardBytes: 100_000 });
    for (const [k, t] of loadWeights(out)) assert.deepEqual(new Uint32Array(t.data.buffer), new Uint32Array(w.get(k)!.data.buffer), k);
  });
}
