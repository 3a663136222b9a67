/**
 * Loading memory: a ~200 MB bf16 model-like file must load with peak RSS growth under 3× its
 * f32 size (the loader reads one tensor at a time; it never holds the whole file).
 * Its own file so the test runner gives it a fresh process and a clean RSS baseline.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadWeights } from "../../src/models/weights.ts";

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rlzero-mem-"));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** Writes a bf16 safetensors file of `count` tensors [rows, cols]; value of element i is bf16 bits (i % 251) + 0x3f00. */
function writeBf16Model(file: string, count: number, rows: number, cols: number): void {
  const bytesPer = rows * cols * 2;
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  for (let t = 0; t < count; t++) {
    header[`model.layers.${t}.mlp.up_proj.weight`] = { dtype: "BF16", shape: [rows, cols], data_offsets: [t * bytesPer, (t + 1) * bytesPer] };
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const chunk = new Uint16Array(cols);
  for (let i = 0; i < cols; i++) chunk[i] = 0x3f00 + (i % 251);
  const chunkBytes = new Uint8Array(chunk.buffer);
  const fd = fs.openSync(file, "w");
  fs.writeSync(fd, len);
  fs.writeSync(fd, json);
  for (let r = 0; r < count * rows; r++) fs.writeSync(fd, chunkBytes);
  fs.closeSync(fd);
}

test("a 200 MB bf16 file loads in under 3x its f32 size of RSS growth", () => {
  const dir = tmpRoot;
  const [count, rows, cols] = [10, 2500, 4000]; // 10 × 10M values: 200 MB bf16, 400 MB f32
  writeBf16Model(path.join(dir, "model.safetensors"), count, rows, cols);
  const f32Bytes = count * rows * cols * 4;
  const before = process.memoryUsage().rss;
  const weights = loadWeights(dir);
  const peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
  const growth = process.memoryUsage().rss - before;
  assert.equal(weights.size, count);
  const w = weights.get("model.layers.3.mlp.up_proj.weight")!;
  assert.deepEqual(w.shape, [rows, cols]);
  const bits = new Uint32Array(w.data.buffer);
  for (const i of [0, 1, 250, 251, cols - 1, rows * cols - 1]) assert.equal(bits[i], (0x3f00 + ((i % cols) % 251)) << 16);
  const mb = (n: number): string => `${(n / 1e6).toFixed(0)} MB`;
  assert.ok(peakGrowth < 3 * f32Bytes, `peak RSS grew ${mb(peakGrowth)}, limit ${mb(3 * f32Bytes)}`);
  assert.ok(growth < 3 * f32Bytes, `RSS grew ${mb(growth)}, limit ${mb(3 * f32Bytes)}`);
  console.log(`f32 size ${mb(f32Bytes)}; RSS growth ${mb(growth)}, peak ${mb(peakGrowth)}`);
});
