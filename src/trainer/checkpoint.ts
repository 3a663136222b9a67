/**
 * Checkpoints: everything a run needs to continue exactly where it stopped.
 *
 * checkpoints/step-N/
 *   policy/                 the policy as a Hugging Face directory (f32, so nothing is rounded)
 *   critic/                 the critic, with its value head (PPO)
 *   optimizer.safetensors   AdamW moments, "<model>.m.<param>" and "<model>.v.<param>"
 *   state.json              step, data cursor, optimizer step counts, run counters
 *
 * A checkpoint is written into a temporary directory and renamed into place, so a run killed at
 * any moment leaves the previous checkpoints whole; the newest K are kept. Randomness needs no
 * state here: every stream is keyed by (seed, step, ...), see Rng.derive.
 */
import fs from "node:fs";
import path from "node:path";
import { loadWeights } from "../models/weights.ts";
import { saveModel } from "../models/load.ts";
import type { CausalLM } from "../models/transformer.ts";
import { SafetensorsReader, writeSafetensors } from "../models/safetensors.ts";
import type { AdamW } from "../nn/adamw.ts";
import { UserInputError } from "../errors.ts";

export interface CheckpointParts {
  models: Record<string, CausalLM>;
  optimizers: Record<string, AdamW>;
  /** Anything JSON the run needs back (cursor, counters). */
  state: Record<string, unknown>;
  /** Model directory whose tokenizer files are copied into each saved model. */
  tokenizerFrom: string;
}

const OPTIMIZER_FILE = "optimizer.safetensors";
const STATE_FILE = "state.json";

export function checkpointDir(runDir: string, step: number): string {
  return path.join(runDir, "checkpoints", `step-${step}`);
}

export function saveCheckpoint(runDir: string, step: number, parts: CheckpointParts, keep: number): string {
  const target = checkpointDir(runDir, step);
  const tmp = path.join(runDir, "checkpoints", `.step-${step}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const [name, model] of Object.entries(parts.models)) saveModel(path.join(tmp, name), model, { tokenizerFrom: parts.tokenizerFrom });
  const moments = new Map<string, { shape: number[]; data: Float32Array }>();
  const steps: Record<string, number> = {};
  for (const [name, adam] of Object.entries(parts.optimizers)) {
    steps[name] = adam.step;
    for (const [p, m] of adam.m) moments.set(`${name}.m.${p}`, { shape: [m.length], data: m });
    for (const [p, v] of adam.v) moments.set(`${name}.v.${p}`, { shape: [v.length], data: v });
  }
  writeSafetensors(path.join(tmp, OPTIMIZER_FILE), moments);
  fs.writeFileSync(path.join(tmp, STATE_FILE), JSON.stringify({ step, optimizerSteps: steps, ...parts.state }, null, 2) + "\n");
  if (fs.existsSync(target)) fs.rmSync(target, { recursive: true });
  fs.renameSync(tmp, target);
  prune(runDir, keep);
  return target;
}

/** Step numbers of the complete checkpoints of a run, ascending. */
export function listCheckpoints(runDir: string): number[] {
  const dir = path.join(runDir, "checkpoints");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .map((f) => /^step-(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(dir, m[0], STATE_FILE)))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function prune(runDir: string, keep: number): void {
  const steps = listCheckpoints(runDir);
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) fs.rmSync(checkpointDir(runDir, s), { recursive: true, force: true });
}

/**
 * Restores models (weights copied into the existing parameter tensors, which the optimizers hold)
 * and optimizer moments from a checkpoint; returns its state.json.
 */
export function restoreCheckpoint(dir: string, parts: Omit<CheckpointParts, "state" | "tokenizerFrom">): Record<string, unknown> {
  const stateFile = path.join(dir, STATE_FILE);
  if (!fs.existsSync(stateFile)) throw new UserInputError(`${dir}: not a checkpoint (no ${STATE_FILE})`);
  const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as Record<string, unknown> & { optimizerSteps: Record<string, number> };
  for (const [name, model] of Object.entries(parts.models)) {
    const weights = loadWeights(path.join(dir, name));
    for (const [p, t] of model.params) {
      const w = weights.get(p);
      if (!w || w.data.length !== t.size) throw new UserInputError(`${dir}/${name}: tensor "${p}" is missing or has another shape than the run's model`);
      t.data.set(w.data);
    }
  }
  const reader = SafetensorsReader.open(path.join(dir, OPTIMIZER_FILE));
  try {
    for (const [name, adam] of Object.entries(parts.optimizers)) {
      for (const [kind, moments] of [["m", adam.m], ["v", adam.v]] as const) {
        for (const [p, arr] of moments) arr.set(reader.read(`${name}.${kind}.${p}`));
      }
      adam.step = state.optimizerSteps[name] ?? 0;
    }
  } finally {
    reader.close();
  }
  return state;
}
