/**
 * Model weights in a Hugging Face directory: `model.safetensors`, or shards listed in
 * `model.safetensors.index.json` ({metadata: {total_size}, weight_map: {name: shard}}).
 * Loading converts every tensor to f32, one tensor at a time (peak memory: the f32 weights plus
 * one raw tensor). Saving shards exactly like transformers' `save_pretrained`.
 */
import fs from "node:fs";
import path from "node:path";
import { UserInputError } from "../errors.ts";
import { SafetensorsReader, dtypeBytes, writeSafetensors, type FloatDtype } from "./safetensors.ts";

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export const SINGLE_FILE = "model.safetensors";
export const INDEX_FILE = "model.safetensors.index.json";
/** transformers' default `max_shard_size` ("5GB", decimal). */
const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;
const SHARD_NAME = /^model-\d{5}-of-\d{5}\.safetensors$/;

export function loadWeights(dir: string): Map<string, NamedTensor> {
  const indexPath = path.join(dir, INDEX_FILE);
  if (fs.existsSync(indexPath)) return loadSharded(dir, indexPath);
  const single = path.join(dir, SINGLE_FILE);
  if (!fs.existsSync(single)) {
    throw new UserInputError(`${dir}: no ${SINGLE_FILE} or ${INDEX_FILE} (only safetensors weights are supported)`);
  }
  const out = new Map<string, NamedTensor>();
  const reader = SafetensorsReader.open(single);
  try {
    readInto(reader, [...reader.tensors.keys()], out);
  } finally {
    reader.close();
  }
  return out;
}

function readInto(reader: SafetensorsReader, names: string[], out: Map<string, NamedTensor>): void {
  for (const name of names) {
    const info = reader.tensors.get(name);
    if (!info) throw new UserInputError(`${reader.file}: tensor "${name}" is listed in ${INDEX_FILE} but not in this shard`);
    out.set(name, { shape: info.shape, data: reader.read(name) });
  }
}

function loadSharded(dir: string, indexPath: string): Map<string, NamedTensor> {
  const byShard = readIndex(indexPath);
  const owner = new Map<string, string>();
  for (const [shard, names] of byShard) {
    for (const name of names) owner.set(name, shard);
  }
  const out = new Map<string, NamedTensor>();
  for (const [shard, names] of byShard) {
    const file = path.join(dir, shard);
    if (!fs.existsSync(file)) throw new UserInputError(`${indexPath}: shard "${shard}" does not exist (${file})`);
    const reader = SafetensorsReader.open(file);
    try {
      const extra = [...reader.tensors.keys()].find((n) => owner.get(n) !== shard);
      if (extra !== undefined) {
        const where = owner.has(extra) ? `maps it to "${owner.get(extra)}"` : "does not list it";
        throw new UserInputError(`${file}: tensor "${extra}" is in this shard but ${INDEX_FILE} ${where}`);
      }
      readInto(reader, names, out);
    } finally {
      reader.close();
    }
  }
  return out;
}

/** Parses the index into shard file → tensor names (in index order). */
function readIndex(indexPath: string): Map<string, string[]> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(indexPath, "utf8"));
  } catch (e) {
    throw new UserInputError(`${indexPath}: not valid JSON (${(e as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new UserInputError(`${indexPath}: missing "weight_map" object`);
  }
  const byShard = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== "string" || shard.includes("/") || shard.includes("\\")) {
      throw new UserInputError(`${indexPath}: weight_map["${name}"] must be a file name in the same directory`);
    }
    if (!byShard.has(shard)) byShard.set(shard, []);
    byShard.get(shard)!.push(name);
  }
  return byShard;
}

export interface SaveWeightsOptions {
  dtype?: FloatDtype;
  maxShardBytes?: number;
}

/**
 * Writes `model.safetensors`, or shards `model-0000i-of-0000n.safetensors` + the index when the
 * tensors exceed `maxShardBytes` (in the output dtype). Shards are filled in the map's order as
 * huggingface_hub's `split_torch_state_dict_into_shards` does: a tensor larger than the limit
 * gets a shard of its own. Old weight files in `dir` that the new save does not use are deleted.
 */
export function saveWeights(dir: string, tensors: ReadonlyMap<string, NamedTensor>, opts: SaveWeightsOptions = {}): void {
  const dtype = opts.dtype ?? "F32";
  const maxBytes = opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  const shards = splitIntoShards(tensors, dtypeBytes(dtype), maxBytes);
  fs.mkdirSync(dir, { recursive: true });
  const files = shards.length === 1 ? [SINGLE_FILE] : shards.map((_, i) => shardName(i + 1, shards.length));
  removeStaleWeights(dir, new Set(files));
  shards.forEach((shard, i) => writeSafetensors(path.join(dir, files[i]), shard, dtype));
  if (shards.length === 1) return;
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  shards.forEach((shard, i) => {
    for (const [name, t] of shard) {
      weightMap[name] = files[i];
      totalSize += t.data.length * dtypeBytes(dtype);
    }
  });
  const sortedMap = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]]));
  const index = { metadata: { total_size: totalSize }, weight_map: sortedMap };
  fs.writeFileSync(path.join(dir, INDEX_FILE), JSON.stringify(index, null, 2) + "\n");
}

function shardName(i: number, n: number): string {
  return `model-${String(i).padStart(5, "0")}-of-${String(n).padStart(5, "0")}.safetensors`;
}

function splitIntoShards(
  tensors: ReadonlyMap<string, NamedTensor>, bytesPerValue: number, maxBytes: number,
): Map<string, NamedTensor>[] {
  const shards: Map<string, NamedTensor>[] = [];
  let current = new Map<string, NamedTensor>();
  let currentBytes = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.length * bytesPerValue;
    if (bytes > maxBytes) {
      shards.push(new Map([[name, t]]));
      continue;
    }
    if (currentBytes + bytes > maxBytes && current.size > 0) {
      shards.push(current);
      current = new Map();
      currentBytes = 0;
    }
    current.set(name, t);
    currentBytes += bytes;
  }
  if (current.size > 0 || shards.length === 0) shards.push(current);
  return shards;
}

function removeStaleWeights(dir: string, keep: Set<string>): void {
  for (const f of fs.readdirSync(dir)) {
    const isWeights = f === SINGLE_FILE || f === INDEX_FILE || SHARD_NAME.test(f);
    if (isWeights && !keep.has(f)) fs.rmSync(path.join(dir, f));
  }
}
