/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}), then the raw
 * little-endian tensor bytes, offsets relative to the end of the header.
 *
 * Our own reader/writer rather than a library: the only npm package (`safetensors@0.0.1`) is
 * an unmaintained stub, and @huggingface/hub only parses remote headers. We need positioned,
 * one-tensor-at-a-time reads (a model is never read into memory whole, so loading costs the
 * f32 weights plus one raw tensor) and bf16/f16 conversion, which take about as much code as a
 * wrapper would. Assumes a little-endian host (x86, ARM), like the format itself.
 */
import fs from "node:fs";
import { UserInputError, fileAccessError } from "../errors.ts";

/** Bytes per element of every dtype the format defines; we convert only F32, F16 and BF16. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
export type FloatDtype = "F32" | "F16" | "BF16";
const MAX_HEADER_BYTES = 100_000_000; // the reference implementation's limit
const IO_CHUNK = 1 << 30; // readSync/writeSync take at most 2 GiB per call

export interface TensorInfo {
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

// ---- scalar conversions (bit patterns as unsigned integers) ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

export function bitsToF32(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

/** f32 bits → bf16 bits, round to nearest even; NaN stays a (quiet) NaN. */
export function f32BitsToBf16(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** f32 bits → f16 bits, round to nearest even, overflow to inf, underflow through subnormals. */
export function f32BitsToF16(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    const m = mant | 0x800000;
    const shift = 14 - e; // 14..24
    return sign | roundShift(m, shift);
  }
  return sign | roundShift((e << 23) | mant, 13); // a carry into the exponent is correct, up to inf
}

/** x >> shift, rounded to nearest, ties to even. */
function roundShift(x: number, shift: number): number {
  const r = x >>> shift;
  const rem = x & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rem > half || (rem === half && (r & 1) === 1) ? r + 1 : r;
}

export function bf16ToF32Bits(h: number): number {
  return (h << 16) >>> 0;
}

/** f16 bits → f32 bits, exact (subnormals normalised, inf and NaN payloads kept). */
export function f16ToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  let e = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

let f16Table: Uint32Array | undefined;
function f16ToF32Table(): Uint32Array {
  if (!f16Table) {
    f16Table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16ToF32Bits(h);
  }
  return f16Table;
}

// ---- header ----

function fail(file: string, msg: string): never {
  throw new UserInputError(`${file}: ${msg}`);
}

function isUint(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function parseEntry(file: string, name: string, v: unknown, dataStart: number, fileSize: number): TensorInfo {
  const where = `tensor "${name}"`;
  if (typeof v !== "object" || v === null) fail(file, `${where}: header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = v as Record<string, unknown>;
  if (typeof dtype !== "string") fail(file, `${where}: missing "dtype"`);
  const size = DTYPE_BYTES[dtype];
  if (size === undefined) fail(file, `${where}: unknown dtype "${dtype}"`);
  if (!Array.isArray(shape) || !shape.every(isUint)) fail(file, `${where}: "shape" must be a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isUint) || offsets[0] > offsets[1]) {
    fail(file, `${where}: "data_offsets" must be [begin, end] with 0 <= begin <= end`);
  }
  const [b, e] = offsets as [number, number];
  const expected = product(shape) * size;
  if (e - b !== expected) {
    fail(file, `${where} data_offsets [${b}, ${e}] do not match shape ${fmtShape(shape)} × ${dtype} (${expected} bytes)`);
  }
  if (dataStart + e > fileSize) {
    fail(file, `file is truncated: ${where} ends at byte ${dataStart + e} but the file has ${fileSize}`);
  }
  return { dtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e };
}

/** Reads and validates a safetensors header; the tensors are not read. */
function readHeader(file: string, fd: number): Map<string, TensorInfo> {
  const fileSize = fs.fstatSync(fd).size;
  if (fileSize < 8) fail(file, `file is truncated: ${fileSize} bytes, less than the 8-byte header length`);
  const lenBuf = Buffer.alloc(8);
  readFully(file, fd, lenBuf, 0);
  const n = lenBuf.readBigUInt64LE(0);
  if (n > BigInt(fileSize - 8)) fail(file, `file is truncated: header says 8+${n} bytes but the file has ${fileSize}`);
  const headerLen = Number(n);
  if (headerLen > MAX_HEADER_BYTES) fail(file, `header of ${headerLen} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerBuf = Buffer.alloc(headerLen);
  readFully(file, fd, headerBuf, 8);
  let json: unknown;
  try {
    json = JSON.parse(headerBuf.toString("utf8"));
  } catch (e) {
    fail(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail(file, "header JSON is not an object");
  const dataStart = 8 + headerLen;
  const tensors = new Map<string, TensorInfo>();
  for (const [name, v] of Object.entries(json)) {
    if (name === "__metadata__") continue;
    tensors.set(name, parseEntry(file, name, v, dataStart, fileSize));
  }
  checkNoOverlap(file, tensors);
  return tensors;
}

function checkNoOverlap(file: string, tensors: Map<string, TensorInfo>): void {
  const sorted = [...tensors].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  for (let i = 1; i < sorted.length; i++) {
    const [prevName, prev] = sorted[i - 1];
    const [name, t] = sorted[i];
    if (t.begin < prev.end) fail(file, `tensors "${prevName}" and "${name}" overlap in the data section`);
  }
}

function readFully(file: string, fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.byteLength) {
    const len = Math.min(IO_CHUNK, into.byteLength - done);
    const n = fs.readSync(fd, into, done, len, position + done);
    if (n === 0) fail(file, `file is truncated: unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

// ---- reading ----

/** An open safetensors file; `read` converts one tensor at a time to f32. */
export class SafetensorsReader {
  private scratch = new Uint8Array(0);

  private constructor(readonly file: string, private fd: number, readonly tensors: Map<string, TensorInfo>) {}

  static open(file: string): SafetensorsReader {
    let fd: number;
    try {
      fd = fs.openSync(file, "r");
    } catch (e) {
      throw fileAccessError(file, e, "open");
    }
    try {
      return new SafetensorsReader(file, fd, readHeader(file, fd));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  read(name: string): Float32Array {
    const info = this.tensors.get(name);
    if (!info) fail(this.file, `no tensor "${name}"`);
    const count = product(info.shape);
    if (info.dtype === "F32") {
      const out = new Float32Array(count);
      readFully(this.file, this.fd, new Uint8Array(out.buffer), info.begin);
      return out;
    }
    if (info.dtype !== "BF16" && info.dtype !== "F16") {
      fail(this.file, `tensor "${name}" has dtype ${info.dtype}; supported: F32, BF16, F16`);
    }
    const bytes = info.end - info.begin;
    if (this.scratch.byteLength < bytes) this.scratch = new Uint8Array(bytes);
    readFully(this.file, this.fd, this.scratch.subarray(0, bytes), info.begin);
    const src = new Uint16Array(this.scratch.buffer, 0, count);
    const out = new Float32Array(count);
    const dst = new Uint32Array(out.buffer);
    if (info.dtype === "BF16") {
      for (let i = 0; i < count; i++) dst[i] = src[i] << 16;
    } else {
      const table = f16ToF32Table();
      for (let i = 0; i < count; i++) dst[i] = table[src[i]];
    }
    return out;
  }

  close(): void {
    fs.closeSync(this.fd);
    this.scratch = new Uint8Array(0);
  }
}

// ---- writing ----

export function dtypeBytes(dtype: FloatDtype): number {
  return DTYPE_BYTES[dtype];
}

/**
 * Writes tensors (sorted by name) to `file` in the given dtype, converting from f32 with
 * round-to-nearest-even, a bounded chunk at a time.
 */
export function writeSafetensors(
  file: string,
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>,
  dtype: FloatDtype = "F32",
): void {
  const size = DTYPE_BYTES[dtype];
  const names = [...tensors.keys()].sort();
  const entries = [`"__metadata__":{"format":"pt"}`];
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors.get(name)!;
    if (!shape.every(isUint) || product(shape) !== data.length) {
      fail(file, `tensor "${name}": shape ${fmtShape(shape)} does not match its ${data.length} values`);
    }
    const end = offset + data.length * size;
    entries.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  let header = `{${entries.join(",")}}`;
  header += " ".repeat((8 - (Buffer.byteLength(header) % 8)) % 8);
  const headerBytes = Buffer.from(header, "utf8");
  const lenBuf = Buffer.alloc(8);
  lenBuf.writeBigUInt64LE(BigInt(headerBytes.length));

  const fd = fs.openSync(file, "w");
  try {
    writeFully(fd, lenBuf);
    writeFully(fd, headerBytes);
    const chunk = new Uint16Array(dtype === "F32" ? 0 : 1 << 20);
    const encode = dtype === "BF16" ? f32BitsToBf16 : f32BitsToF16;
    for (const name of names) {
      const data = tensors.get(name)!.data;
      if (dtype === "F32") {
        writeFully(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        continue;
      }
      const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
      for (let start = 0; start < bits.length; start += chunk.length) {
        const n = Math.min(chunk.length, bits.length - start);
        for (let i = 0; i < n; i++) chunk[i] = encode(bits[start + i]);
        writeFully(fd, new Uint8Array(chunk.buffer, 0, n * 2));
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) {
    done += fs.writeSync(fd, bytes, done, Math.min(IO_CHUNK, bytes.byteLength - done));
  }
}
