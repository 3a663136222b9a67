/**
 * GGUF v3 export of a Qwen2 / Llama model, so a model trained here runs in llama.cpp or Ollama:
 * the hyperparameters llama.cpp's loader reads for the `qwen2` and `llama` architectures, the
 * tokenizer (byte-level BPE from tokenizer.json, or none), and the weights in f32, f16 or bf16
 * (norms and biases stay f32, as llama.cpp's own converter writes them).
 *
 * Our own writer: the one maintained npm GGUF package, @huggingface/gguf, reads GGUF and
 * re-serialises metadata, but does not write tensors (it reads our files back in the tests).
 *
 * Layout (little-endian): "GGUF", version 3, tensor count, metadata count; the metadata as typed
 * key-value pairs; one info record per tensor (name, dims innermost first, ggml type, offset into
 * the data section); padding to the alignment; the tensor data, each tensor aligned.
 * What llama.cpp's converter does that this does not: quantized types, and the pre-tokenizer is
 * recognised from its regex (Qwen2's and Llama 3's) rather than from a hash of its output.
 */
import fs from "node:fs";
import path from "node:path";
import type { CausalLM } from "./transformer.ts";
import { readJson, ropeInvFreq } from "./config.ts";
import { f32BitsToBf16, f32BitsToF16 } from "./safetensors.ts";
import { UserInputError } from "../errors.ts";

export type GgufDtype = "f32" | "f16" | "bf16";

const ALIGNMENT = 32;
/** ggml tensor types and GGUF's general.file_type for each export dtype. */
const GGML_TYPE = { f32: 0, f16: 1, bf16: 30 } as const;
const FILE_TYPE = { f32: 0, f16: 1, bf16: 32 } as const;

/** GGUF metadata value types. */
const T = { U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;
type Value =
  | { t: typeof T.U32 | typeof T.I32 | typeof T.F32; v: number }
  | { t: typeof T.BOOL; v: boolean }
  | { t: typeof T.STRING; v: string }
  | { t: typeof T.ARRAY; of: typeof T.STRING; v: readonly string[] }
  | { t: typeof T.ARRAY; of: typeof T.I32; v: ArrayLike<number> };

/** One tensor: name, shape as Hugging Face writes it ([out, in]), ggml type, data. */
interface GgufTensor {
  name: string;
  shape: readonly number[];
  dtype: GgufDtype;
  data: Float32Array;
}

/** Appends little-endian GGUF scalars, strings and arrays to a growing byte buffer. */
class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
  u32(x: number): void { this.room(4); this.buf.writeUInt32LE(x, this.length); this.length += 4; }
  i32(x: number): void { this.room(4); this.buf.writeInt32LE(x, this.length); this.length += 4; }
  u64(x: number): void { this.room(8); this.buf.writeBigUInt64LE(BigInt(x), this.length); this.length += 8; }
  f32(x: number): void { this.room(4); this.buf.writeFloatLE(x, this.length); this.length += 4; }
  u8(x: number): void { this.room(1); this.buf.writeUInt8(x, this.length); this.length += 1; }
  str(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.room(bytes.length);
    bytes.copy(this.buf, this.length);
    this.length += bytes.length;
  }
  pad(to: number): void { while (this.length % to !== 0) this.u8(0); }
  value(x: Value): void {
    this.u32(x.t);
    switch (x.t) {
      case T.U32: return this.u32(x.v);
      case T.I32: return this.i32(x.v);
      case T.F32: return this.f32(x.v);
      case T.BOOL: return this.u8(x.v ? 1 : 0);
      case T.STRING: return this.str(x.v);
      case T.ARRAY:
        this.u32(x.of);
        this.u64(x.v.length);
        if (x.of === T.STRING) for (const s of x.v as readonly string[]) this.str(s);
        else for (let i = 0; i < x.v.length; i++) this.i32((x.v as ArrayLike<number>)[i]);
    }
  }
  bytes(): Buffer { return this.buf.subarray(0, this.length); }
}

function tensorBytes(t: GgufTensor): Buffer {
  if (t.dtype === "f32") return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
  const out = new Uint16Array(t.data.length);
  const convert = t.dtype === "f16" ? f32BitsToF16 : f32BitsToBf16;
  for (let i = 0; i < bits.length; i++) out[i] = convert(bits[i]);
  return Buffer.from(out.buffer);
}

/** Writes a GGUF v3 file: metadata, then the tensors in the given order. */
function writeGgufFile(file: string, metadata: ReadonlyMap<string, Value>, tensors: readonly GgufTensor[]): void {
  const head = new ByteWriter();
  head.u32(0x46554747); // "GGUF"
  head.u32(3);
  head.u64(tensors.length);
  head.u64(metadata.size);
  for (const [key, value] of metadata) {
    head.str(key);
    head.value(value);
  }
  let offset = 0;
  const sizes = tensors.map((t) => t.data.length * (t.dtype === "f32" ? 4 : 2));
  tensors.forEach((t, i) => {
    head.str(t.name);
    head.u32(t.shape.length);
    for (let d = t.shape.length - 1; d >= 0; d--) head.u64(t.shape[d]); // ggml: innermost dimension first
    head.u32(GGML_TYPE[t.dtype]);
    head.u64(offset);
    offset += Math.ceil(sizes[i] / ALIGNMENT) * ALIGNMENT;
  });
  head.pad(ALIGNMENT);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, head.bytes());
    const zeros = Buffer.alloc(ALIGNMENT);
    tensors.forEach((t, i) => {
      fs.writeSync(fd, tensorBytes(t));
      const pad = (ALIGNMENT - (sizes[i] % ALIGNMENT)) % ALIGNMENT;
      if (pad > 0) fs.writeSync(fd, zeros, 0, pad);
    });
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Hugging Face's q/k rows (rotate-half RoPE: the two halves of each head) reordered for
 * llama.cpp's `llama` architecture, which rotates adjacent pairs: row 2i + h of a head takes HF
 * row h * D/2 + i. (Qwen2 runs rotate-half in llama.cpp too and needs no reordering.)
 */
function interleaveRopeRows(w: Float32Array, heads: number, rowLength: number): Float32Array {
  const rowsPerHead = w.length / rowLength / heads, half = rowsPerHead / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let part = 0; part < 2; part++) {
        const src = (h * rowsPerHead + part * half + i) * rowLength, dst = (h * rowsPerHead + 2 * i + part) * rowLength;
        out.set(w.subarray(src, src + rowLength), dst);
      }
    }
  }
  return out;
}

const QWEN2_REGEX = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const LLAMA3_REGEX = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

/** llama.cpp's name for a tokenizer.json pre-tokenizer, from its split regex. */
function preTokenizer(json: Record<string, unknown>, warnings: string[]): string {
  const text = JSON.stringify(json.pre_tokenizer ?? null);
  if (text.includes(JSON.stringify(QWEN2_REGEX))) return "qwen2";
  if (text.includes(JSON.stringify(LLAMA3_REGEX))) return "llama-bpe";
  warnings.push("tokenizer.json's pre-tokenizer is neither Qwen2's nor Llama 3's: written as llama.cpp's \"default\", so llama.cpp may split text differently");
  return "default";
}

/** ggml token types. */
const TOKEN = { normal: 1, control: 3, userDefined: 4, unused: 5 } as const;

/** The tokenizer metadata from a model directory's tokenizer.json (byte-level BPE) and tokenizer_config.json. */
function tokenizerMetadata(dir: string, model: CausalLM, meta: Map<string, Value>, warnings: string[]): void {
  const file = path.join(dir, "tokenizer.json");
  const json = readJson(file) as Record<string, unknown>;
  const bpe = json.model as { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[] };
  if (bpe?.type !== "BPE" || !bpe.vocab || !bpe.merges) {
    throw new UserInputError(`${file}: only byte-level BPE tokenizers can be exported to GGUF (model.type is ${bpe?.type})`);
  }
  const V = model.config.vocabSize;
  const tokens: string[] = Array.from({ length: V }, (_, i) => `[PAD${i}]`);
  const types = new Int32Array(V).fill(TOKEN.unused);
  for (const [tok, id] of Object.entries(bpe.vocab)) {
    if (id < V) [tokens[id], types[id]] = [tok, TOKEN.normal];
  }
  for (const t of (json.added_tokens ?? []) as { id: number; content: string; special?: boolean }[]) {
    if (t.id < V) [tokens[t.id], types[t.id]] = [t.content, t.special ? TOKEN.control : TOKEN.userDefined];
  }
  meta.set("tokenizer.ggml.model", { t: T.STRING, v: "gpt2" });
  meta.set("tokenizer.ggml.pre", { t: T.STRING, v: preTokenizer(json, warnings) });
  meta.set("tokenizer.ggml.tokens", { t: T.ARRAY, of: T.STRING, v: tokens });
  meta.set("tokenizer.ggml.token_type", { t: T.ARRAY, of: T.I32, v: types });
  meta.set("tokenizer.ggml.merges", { t: T.ARRAY, of: T.STRING, v: bpe.merges.map((m) => (typeof m === "string" ? m : m.join(" "))) });
  const cfgFile = path.join(dir, "tokenizer_config.json");
  const tc = fs.existsSync(cfgFile) ? (readJson(cfgFile) as Record<string, unknown>) : {};
  const id = (key: string): number | undefined => {
    const v = tc[key];
    const s = typeof v === "string" ? v : (v as { content?: string } | null)?.content;
    const i = s === undefined ? undefined : tokens.indexOf(s);
    return i === undefined || i < 0 ? undefined : i;
  };
  const bos = model.config.bosTokenId ?? id("bos_token"), eos = model.config.eosTokenIds[0] ?? id("eos_token");
  if (bos !== undefined) meta.set("tokenizer.ggml.bos_token_id", { t: T.U32, v: bos });
  if (eos !== undefined) meta.set("tokenizer.ggml.eos_token_id", { t: T.U32, v: eos });
  const pad = id("pad_token");
  if (pad !== undefined) meta.set("tokenizer.ggml.padding_token_id", { t: T.U32, v: pad });
  meta.set("tokenizer.ggml.add_bos_token", { t: T.BOOL, v: tc.add_bos_token === true });
  const templateFile = path.join(dir, "chat_template.jinja");
  const template = fs.existsSync(templateFile) ? fs.readFileSync(templateFile, "utf8") : tc.chat_template;
  if (typeof template === "string") meta.set("tokenizer.chat_template", { t: T.STRING, v: template });
}

export interface GgufExportOptions {
  dtype?: GgufDtype;
  /** A model directory whose tokenizer.json (+ tokenizer_config.json) goes into the file; none: no vocabulary. */
  tokenizerDir?: string;
  name?: string;
}

/**
 * Writes `model` as a GGUF v3 file (atomically: a temporary file renamed into place). Returns
 * warnings about what llama.cpp may read differently (an unrecognised pre-tokenizer).
 */
export function writeGguf(model: CausalLM, file: string, opts: GgufExportOptions = {}): { warnings: string[] } {
  const cfg = model.config, dtype = opts.dtype ?? "f32";
  const arch = cfg.modelType;
  const warnings: string[] = [];
  const meta = new Map<string, Value>();
  const u32 = (v: number): Value => ({ t: T.U32, v });
  meta.set("general.architecture", { t: T.STRING, v: arch });
  meta.set("general.name", { t: T.STRING, v: opts.name ?? "rlzero export" });
  meta.set("general.file_type", u32(FILE_TYPE[dtype]));
  meta.set("general.alignment", u32(ALIGNMENT));
  meta.set(`${arch}.vocab_size`, u32(cfg.vocabSize));
  meta.set(`${arch}.context_length`, u32(cfg.maxPositions));
  meta.set(`${arch}.embedding_length`, u32(cfg.hiddenSize));
  meta.set(`${arch}.block_count`, u32(cfg.numLayers));
  meta.set(`${arch}.feed_forward_length`, u32(cfg.intermediateSize));
  meta.set(`${arch}.attention.head_count`, u32(cfg.numHeads));
  meta.set(`${arch}.attention.head_count_kv`, u32(cfg.numKvHeads));
  meta.set(`${arch}.attention.key_length`, u32(cfg.headDim));
  meta.set(`${arch}.attention.value_length`, u32(cfg.headDim));
  meta.set(`${arch}.rope.dimension_count`, u32(cfg.headDim));
  meta.set(`${arch}.rope.freq_base`, { t: T.F32, v: cfg.ropeTheta });
  meta.set(`${arch}.attention.layer_norm_rms_epsilon`, { t: T.F32, v: cfg.rmsNormEps });
  const tensors: GgufTensor[] = [];
  const scaling = cfg.ropeScaling;
  if (scaling?.type === "linear") {
    meta.set(`${arch}.rope.scaling.type`, { t: T.STRING, v: "linear" });
    meta.set(`${arch}.rope.scaling.factor`, { t: T.F32, v: scaling.factor });
  } else if (scaling?.type === "llama3") {
    if (arch !== "llama") throw new UserInputError(`GGUF export: llama3 RoPE scaling is only read by llama.cpp for llama models, not ${arch}`);
    // llama.cpp divides each rotation frequency by rope_freqs[i]: the unscaled over the scaled one.
    const scaled = ropeInvFreq(cfg);
    const factors = scaled.map((f, i) => 1 / Math.pow(cfg.ropeTheta, (2 * i) / cfg.headDim) / f);
    tensors.push({ name: "rope_freqs.weight", shape: [factors.length], dtype: "f32", data: factors });
  }
  if (opts.tokenizerDir && fs.existsSync(path.join(opts.tokenizerDir, "tokenizer.json"))) {
    tokenizerMetadata(opts.tokenizerDir, model, meta, warnings);
  } else {
    meta.set("tokenizer.ggml.model", { t: T.STRING, v: "none" }); // llama.cpp then makes vocab_size dummy tokens
  }

  const matrix = (name: string, hf: string, transform?: (w: Float32Array) => Float32Array): void => {
    const p = model.p(hf);
    tensors.push({ name, shape: p.shape, dtype, data: transform ? transform(p.data) : p.data });
  };
  const vector = (name: string, hf: string, transform?: (w: Float32Array) => Float32Array): void => {
    const p = model.p(hf);
    tensors.push({ name, shape: p.shape, dtype: "f32", data: transform ? transform(p.data) : p.data });
  };
  const permute = (heads: number) => (w: Float32Array): Float32Array =>
    arch === "llama" ? interleaveRopeRows(w, heads, w.length / (heads * cfg.headDim)) : w;
  matrix("token_embd.weight", "model.embed_tokens.weight");
  for (let i = 0; i < cfg.numLayers; i++) {
    const l = `model.layers.${i}.`, b = `blk.${i}.`;
    vector(`${b}attn_norm.weight`, `${l}input_layernorm.weight`);
    matrix(`${b}attn_q.weight`, `${l}self_attn.q_proj.weight`, permute(cfg.numHeads));
    matrix(`${b}attn_k.weight`, `${l}self_attn.k_proj.weight`, permute(cfg.numKvHeads));
    matrix(`${b}attn_v.weight`, `${l}self_attn.v_proj.weight`);
    if (cfg.attentionBias) {
      vector(`${b}attn_q.bias`, `${l}self_attn.q_proj.bias`, permute(cfg.numHeads));
      vector(`${b}attn_k.bias`, `${l}self_attn.k_proj.bias`, permute(cfg.numKvHeads));
      vector(`${b}attn_v.bias`, `${l}self_attn.v_proj.bias`);
    }
    matrix(`${b}attn_output.weight`, `${l}self_attn.o_proj.weight`);
    vector(`${b}ffn_norm.weight`, `${l}post_attention_layernorm.weight`);
    matrix(`${b}ffn_gate.weight`, `${l}mlp.gate_proj.weight`);
    matrix(`${b}ffn_up.weight`, `${l}mlp.up_proj.weight`);
    matrix(`${b}ffn_down.weight`, `${l}mlp.down_proj.weight`);
  }
  vector("output_norm.weight", "model.norm.weight");
  if (!cfg.tieWordEmbeddings) matrix("output.weight", "lm_head.weight");
  writeGgufFile(file, meta, tensors);
  return { warnings };
}
