/**
 * The built-in default run, `rlzero train` with no arguments: configs/default.yaml (read from the
 * package, so it works in a clone and in an installed package alike), its model path taken inside
 * the package, and a run directory not used yet (runs/default, runs/default-2, ...).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The package's root: two levels above this file (src/trainer/ or dist/trainer/). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const DEFAULT_CONFIG_FILE = path.join(ROOT, "configs", "default.yaml");

/** The `--set` override that places the default's model inside the package. */
export const defaultModelOverride = (): string => `model.path=${path.join(ROOT, "models", "tiny-arith")}`;

/** `--set` overrides that place the default's model inside the package and its run in a fresh directory. */
export function defaultRunOverrides(runDirBase = "runs/default"): string[] {
  let runDir = runDirBase;
  for (let i = 2; fs.existsSync(runDir); i++) runDir = `${runDirBase}-${i}`;
  return [defaultModelOverride(), `run_dir=${runDir}`];
}
