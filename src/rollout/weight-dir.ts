/**
 * Where the trainer writes each policy version for inference servers to load:
 *
 *   <root>/v<N>/    a whole Hugging Face checkpoint (config.json, safetensors in f32 or bf16,
 *                   tokenizer files), written into a temporary directory and renamed into place,
 *                   so a server never reads half a checkpoint
 *   <root>/current  a link to the newest version (start a vLLM server on it: weight-sync.ts)
 *
 * Only the newest `keep` versions stay: servers hold the weights they loaded in memory.
 */
import fs from "node:fs";
import path from "node:path";
import { saveModel } from "../models/load.ts";
import type { FloatDtype } from "../models/safetensors.ts";
import type { CausalLM } from "../models/transformer.ts";

export interface WeightDirectoryOptions {
  dtype: FloatDtype;
  keep: number;
  /** Model directory whose tokenizer files go into every version. */
  tokenizerFrom: string;
}

export class WeightDirectory {
  readonly root: string;

  constructor(root: string, private readonly opts: WeightDirectoryOptions) {
    this.root = path.resolve(root);
  }

  /** Writes `model` as version `version`, points `current` at it, prunes; returns its absolute path. */
  write(model: CausalLM, version: number): string {
    fs.mkdirSync(this.root, { recursive: true });
    const name = `v${version}`;
    const target = path.join(this.root, name);
    const tmp = path.join(this.root, `.${name}.tmp-${process.pid}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    saveModel(tmp, model, { tokenizerFrom: this.opts.tokenizerFrom, dtype: this.opts.dtype });
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(tmp, target);
    const link = path.join(this.root, `.current.tmp-${process.pid}`);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(name, link);
    fs.renameSync(link, path.join(this.root, "current")); // replaces the old link in one step
    this.prune(version);
    return target;
  }

  /** Version numbers present, ascending. */
  versions(): number[] {
    if (!fs.existsSync(this.root)) return [];
    return fs.readdirSync(this.root).flatMap((f) => (/^v(\d+)$/.test(f) ? [Number(f.slice(1))] : [])).sort((a, b) => a - b);
  }

  private prune(newest: number): void {
    const old = this.versions().filter((v) => v !== newest);
    for (const v of old.slice(0, Math.max(0, old.length - (this.opts.keep - 1)))) {
      fs.rmSync(path.join(this.root, `v${v}`), { recursive: true, force: true });
    }
  }
}
