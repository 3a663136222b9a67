/**
 * A scratch copy of test/fixtures/runs for a dashboard test to append to, beside a directory
 * outside it holding a secret, with symlinks from inside pointing at it (a directory and a file)
 * and one pointing at a run inside (which is allowed).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURE_RUNS = fileURLToPath(new URL("../fixtures/runs/", import.meta.url));
export const SECRET = "the secret outside the runs directory";

export interface Scratch {
  /** The runs directory (a copy of the fixtures). */
  runs: string;
  /** The directory beside it, with secret.txt. */
  outside: string;
  remove(): void;
}

export function scratchRuns(): Scratch {
  const base = mkdtempSync(path.join(os.tmpdir(), "rlzero-dashboard-"));
  const runs = path.join(base, "runs");
  const outside = path.join(base, "outside");
  cpSync(FIXTURE_RUNS, runs, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  mkdirSync(outside);
  writeFileSync(path.join(outside, "secret.txt"), SECRET);
  writeFileSync(path.join(outside, "metrics.jsonl"), JSON.stringify({ step: 1, secret: SECRET }) + "\n");
  symlinkSync(outside, path.join(runs, "link-out"));
  symlinkSync(path.join(outside, "secret.txt"), path.join(runs, "ppo-critic", "secret-link.txt"));
  symlinkSync(path.join(runs, "grpo"), path.join(runs, "link-in"));
  return { runs, outside, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** The parsed lines of a JSONL file (complete lines only). */
export function readJsonl(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, "utf8");
  return text
    .split("\n")
    .slice(0, text.endsWith("\n") ? undefined : -1)
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}
