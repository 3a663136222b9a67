/**
 * GGUF export read back by an independent reader (@huggingface/gguf): the metadata llama.cpp
 * reads, every tensor's name, shape, type and bytes (f32 exact; f16 and bf16 as the rounding of
 * the f32 weights), Llama's q/k rows reordered for llama.cpp's RoPE, the BPE tokenizer, and the
 * CLI command. (Running llama.cpp on the export is in the bench: `npm run bench -- --llamacpp DIR`.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { gguf, GGMLQuantizationType } from "@huggingface/gguf";
import { loadModel, randomModel, saveModel } from "../../src/models/load.ts";
import { parseConfig } from "../../src/models/config.ts";
import { writeGguf, type GgufDtype } from "../../src/models/gguf.ts";
import { bf16ToF32Bits, bitsToF32, f16ToF32Bits, f32Bits, f32BitsToBf16, f32BitsToF16 } from "../../src/models/safetensors.ts";
import type { CausalLM } from "../../src/models/transformer.ts";

const fixtures = fileURLToPath(new URL("../fixtures/models/", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-gguf-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** The stored values of a tensor, widened to f32. */
function readTensor(file: string, dataOffset: bigint, info: { shape: bigint[]; dtype: number; offset: bigint }): Float32Array {
  const n = info.shape.reduce((a, b) => a * Number(b), 1);
  const bytes = info.dtype === GGMLQuantizationType.F32 ? 4 : 2;
  const buf = Buffer.alloc(n * bytes);
  const fd = fs.openSync(file, "r");
  fs.readSync(fd, buf, 0, buf.length, Number(dataOffset + info.offset));
  fs.closeSync(fd);
  if (bytes === 4) return new Float32Array(buf.buffer, buf.byteOffset, n).slice();
  const h = new Uint16Array(buf.buffer, buf.byteOffset, n);
  const widen = info.dtype === GGMLQuantizationType.F16 ? f16ToF32Bits : bf16ToF32Bits;
  return Float32Array.from(h, (x) => bitsToF32(widen(x)));
}

/** The f32 weights as the export rounds them. */
function rounded(data: Float32Array, dtype: GgufDtype): Float32Array {
  if (dtype === "f32") return data;
  const narrow = dtype === "f16" ? f32BitsToF16 : f32BitsToBf16, widen = dtype === "f16" ? f16ToF32Bits : bf16ToF32Bits;
  return data.map((x) => bitsToF32(widen(narrow(f32Bits(x)))));
}

async function exportAndRead(model: CausalLM, name: string, dtype: GgufDtype, tokenizerDir?: string) {
  const file = path.join(tmp, `${name}-${dtype}.gguf`);
  const { warnings } = writeGguf(model, file, { dtype, tokenizerDir });
  const parsed = await gguf(file, { allowLocalFile: true });
  const tensors = new Map(parsed.tensorInfos.map((t) => [t.name, t]));
  return { file, warnings, parsed, tensors, read: (n: string) => readTensor(file, parsed.tensorDataOffset, tensors.get(n)!) };
}

for (const dtype of ["f32", "f16", "bf16"] as const) {
  test(`tiny-qwen2 exported as GGUF ${dtype} reads back: metadata, tensor names, shapes, types and values`, async () => {
    const model = loadModel(`${fixtures}tiny-qwen2`);
    const cfg = model.config;
    const { parsed, tensors, read } = await exportAndRead(model, "tiny-qwen2", dtype);
    const m = parsed.metadata as Record<string, unknown>;
    assert.equal(m.version, 3);
    assert.equal(m["general.architecture"], "qwen2");
    assert.equal(m["general.file_type"], { f32: 0, f16: 1, bf16: 32 }[dtype]);
    assert.equal(m["qwen2.block_count"], cfg.numLayers);
    assert.equal(m["qwen2.embedding_length"], cfg.hiddenSize);
    assert.equal(m["qwen2.feed_forward_length"], cfg.intermediateSize);
    assert.equal(m["qwen2.attention.head_count"], cfg.numHeads);
    assert.equal(m["qwen2.attention.head_count_kv"], cfg.numKvHeads);
    assert.equal(m["qwen2.context_length"], cfg.maxPositions);
    assert.equal(m["qwen2.rope.freq_base"], cfg.ropeTheta);
    assert.ok(Math.abs((m["qwen2.attention.layer_norm_rms_epsilon"] as number) - cfg.rmsNormEps) < 1e-12);
    assert.equal(m["tokenizer.ggml.model"], "none");
    assert.equal(m["qwen2.vocab_size"], cfg.vocabSize);
    // 1 embedding + per layer (2 norms, q/k/v weight and bias, o, gate, up, down) + final norm; tied head.
    assert.equal(parsed.tensorInfos.length, 1 + cfg.numLayers * 12 + 1);
    const type = { f32: GGMLQuantizationType.F32, f16: GGMLQuantizationType.F16, bf16: GGMLQuantizationType.BF16 }[dtype];
    const cases: [string, string, boolean][] = [
      ["token_embd.weight", "model.embed_tokens.weight", true],
      ["blk.1.attn_q.weight", "model.layers.1.self_attn.q_proj.weight", true],
      ["blk.0.attn_k.bias", "model.layers.0.self_attn.k_proj.bias", false],
      ["blk.1.ffn_down.weight", "model.layers.1.mlp.down_proj.weight", true],
      ["blk.0.attn_norm.weight", "model.layers.0.input_layernorm.weight", false],
      ["output_norm.weight", "model.norm.weight", false],
    ];
    for (const [name, hf, isMatrix] of cases) {
      const info = tensors.get(name)!, p = model.p(hf);
      assert.deepEqual(info.shape.map(Number), [...p.shape].reverse(), `${name} shape (innermost first)`);
      assert.equal(info.dtype, isMatrix ? type : GGMLQuantizationType.F32, `${name} type`);
      assert.deepEqual(read(name), rounded(p.data, isMatrix ? dtype : "f32"), `${name} values`);
      assert.equal(Number(info.offset) % 32, 0, `${name} aligned`);
    }
  });
}

test("Llama export: q and k rows reordered from rotate-half to llama.cpp's adjacent pairs, v as it is", async () => {
  const model = loadModel(`${fixtures}tiny-llama`);
  const { parsed, read } = await exportAndRead(model, "tiny-llama", "f32");
  const { numHeads, numKvHeads, headDim: D, hiddenSize: d } = model.config;
  assert.equal((parsed.metadata as Record<string, unknown>)["general.architecture"], "llama");
  for (const [name, hf, heads] of [["attn_q", "q_proj", numHeads], ["attn_k", "k_proj", numKvHeads]] as const) {
    const got = read(`blk.0.${name}.weight`), w = model.p(`model.layers.0.self_attn.${hf}.weight`).data;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < D / 2; i++) {
        for (const part of [0, 1]) {
          const src = (h * D + part * (D / 2) + i) * d, dst = (h * D + 2 * i + part) * d;
          assert.deepEqual(got.subarray(dst, dst + d), w.subarray(src, src + d), `${name} head ${h} row ${2 * i + part}`);
        }
      }
    }
  }
  assert.deepEqual(read("blk.0.attn_v.weight"), model.p("model.layers.0.self_attn.v_proj.weight").data);
  assert.ok(parsed.tensorInfos.some((t) => t.name === "output.weight") === !model.config.tieWordEmbeddings);
});

const tokenizerDir = path.join(root, "../shared/data/tokenizers/torchtune_tiny_bpe");
test("a BPE tokenizer.json goes into the GGUF vocabulary", { skip: !fs.existsSync(tokenizerDir) && "../shared/data is absent" }, async () => {
  const tok = JSON.parse(fs.readFileSync(path.join(tokenizerDir, "tokenizer.json"), "utf8"));
  const cfg = parseConfig({
    architectures: ["Qwen2ForCausalLM"], model_type: "qwen2", vocab_size: 2048, hidden_size: 32, intermediate_size: 64,
    num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 64, tie_word_embeddings: true,
  }, "test config");
  const { parsed, warnings } = await exportAndRead(randomModel(cfg, 3), "tiny-bpe", "f16", tokenizerDir);
  const m = parsed.metadata as Record<string, unknown>;
  const tokens = m["tokenizer.ggml.tokens"] as string[], types = m["tokenizer.ggml.token_type"] as number[];
  assert.equal(m["tokenizer.ggml.model"], "gpt2");
  assert.equal(m["tokenizer.ggml.pre"], "llama-bpe"); // its split regex is Llama 3's
  assert.deepEqual(warnings, []);
  assert.equal(tokens.length, 2048);
  for (const [t, id] of Object.entries(tok.model.vocab as Record<string, number>)) assert.equal(tokens[id], t);
  assert.equal(tokens[2047], "[PAD2047]");
  assert.equal(types[0], 1);
  assert.equal(types[2047], 5);
  const merges = m["tokenizer.ggml.merges"] as string[];
  assert.equal(merges.length, tok.model.merges.length);
  assert.equal(merges[0], tok.model.merges[0].join(" "));
});

test("rlzero export --format gguf writes the file; a bad dtype is one clear error", async () => {
  const dir = path.join(tmp, "model");
  saveModel(dir, loadModel(`${fixtures}tiny-qwen2`));
  const out = path.join(tmp, "cli.gguf");
  const run = (...args: string[]) => spawnSync(process.execPath,
    ["--import", "tsx", path.join(root, "test/helpers/cli.ts"), "export", ...args], { encoding: "utf8", cwd: root });
  const ok = run("--format", "gguf", "--model", dir, "--out", out, "--dtype", "bf16");
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /wrote .*cli\.gguf \(GGUF v3, qwen2, bf16/);
  assert.equal(((await gguf(out, { allowLocalFile: true })).metadata as Record<string, unknown>)["general.file_type"], 32);
  const bad = run("--format", "gguf", "--model", dir, "--out", out, "--dtype", "q4");
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.trim(), 'rlzero: --dtype must be f32, f16 or bf16, got "q4"');
});
