/**
 * Loads the compiled addon (build/Release/rlzero_native.node, built by `npm install` via
 * node-gyp) and exposes it typed by the contract in api.ts.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeAddon } from "./api.ts";

export type { GemmBackend, NativeAddon, NativeInfo, PackedLinear } from "./api.ts";

/** The package root: the nearest ancestor directory with a package.json (works from src/ and dist/). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("rlzero: cannot find the package root above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

function load(): NativeAddon {
  const file = path.join(packageRoot(), "build", "Release", "rlzero_native.node");
  // The OpenMP pool sleeps while it waits for work instead of spinning, unless the environment
  // chose: on a machine shared with other processes, spinning threads took the cores from the
  // thread they waited for, and generation ran 10-20x slower (BENCHMARKS.md). Read once, when
  // libgomp is loaded with the addon.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.OMP_WAIT_POLICY = "PASSIVE";
  }
  if (!existsSync(file)) {
    throw new Error(
      `rlzero: the native addon ${file} is missing; run \`npm install\` in the package directory to build it ` +
        "(needs a C++ compiler; oneDNN (libdnnl-dev) or OpenBLAS (libopenblas-dev) make it fast).",
    );
  }
  return createRequire(import.meta.url)(file) as NativeAddon;
}

export const native: NativeAddon = load();
