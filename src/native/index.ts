/**
 * Loads the compiled addon and exposes it typed by the contract in api.ts. The first of these
 * that exists and loads is used, and `nativeBinary` says which:
 *
 *   build/Release/rlzero_native.node                built by `npm install` on this machine
 *                                                   (native/build.mjs: -march=native, the best
 *                                                   GEMM backend installed)
 *   prebuilds/<platform>-<arch>/rlzero_native.node  shipped in the npm package: the portable
 *                                                   kernel for a baseline CPU, for when the
 *                                                   install-time build was skipped or failed;
 *                                                   loaded only on a CPU with the flags that
 *                                                   rlzero_native.json beside it names
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeAddon } from "./api.ts";

export type { GemmBackend, NativeAddon, NativeInfo, PackedLinear } from "./api.ts";

export interface NativeBinary {
  /** "build": compiled on this machine at install; "prebuilt": the portable binary shipped in the package. */
  kind: "build" | "prebuilt";
  path: string;
}

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

/** Why this CPU cannot run a prebuilt binary (it lacks a flag its rlzero_native.json names), or null. */
function unsupportedCpu(binaryPath: string): string | null {
  const specFile = path.join(path.dirname(binaryPath), "rlzero_native.json");
  if (!existsSync(specFile)) return null;
  const spec = JSON.parse(readFileSync(specFile, "utf8")) as { march: string; cpuFlags: string[] };
  if (spec.cpuFlags.length === 0) return null;
  const flagsLine = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => /^(flags|Features)\s*:/.test(l)) ?? "";
  const have = new Set(flagsLine.slice(flagsLine.indexOf(":") + 1).trim().split(/\s+/));
  const missing = spec.cpuFlags.filter((f) => !have.has(f));
  return missing.length > 0 ? `compiled for ${spec.march}, and this CPU lacks ${missing.join(" ")}` : null;
}

function load(): { addon: NativeAddon; binary: NativeBinary } {
  // The OpenMP pool sleeps while it waits for work instead of spinning, unless the environment
  // chose: on a machine shared with other processes, spinning threads took the cores from the
  // thread they waited for, and generation ran 10-20x slower (BENCHMARKS.md). Read once, when
  // libgomp is loaded with the addon.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.OMP_WAIT_POLICY = "PASSIVE";
  }
  const root = packageRoot();
  const candidates: NativeBinary[] = [
    { kind: "build", path: path.join(root, "build", "Release", "rlzero_native.node") },
    { kind: "prebuilt", path: path.join(root, "prebuilds", `${process.platform}-${process.arch}`, "rlzero_native.node") },
  ];
  const failures: string[] = [];
  for (const binary of candidates.filter((c) => existsSync(c.path))) {
    const unsupported = binary.kind === "prebuilt" ? unsupportedCpu(binary.path) : null;
    if (unsupported) {
      failures.push(`${binary.path} cannot run here (${unsupported})`);
      continue;
    }
    try {
      const addon = createRequire(import.meta.url)(binary.path) as NativeAddon;
      if (failures.length > 0) console.warn(`rlzero: ${failures.join("; ")}; using ${binary.path}`);
      return { addon, binary };
    } catch (err) {
      failures.push(`${binary.path} failed to load (${(err as Error).message.split("\n")[0]})`);
    }
  }
  const found = failures.length > 0 ? failures.join("; ") : `neither ${candidates.map((c) => c.path).join(" nor ")} exists`;
  throw new Error(
    `rlzero: no native addon: ${found}. Build it with \`npm rebuild rlzero --foreground-scripts\` in your project ` +
      "(`npm install` in a clone of rlzero); it needs a C++ compiler, make and python3, and oneDNN (libdnnl-dev) " +
      "or OpenBLAS (libopenblas-dev) make it fast.",
  );
}

const loaded = load();
export const native: NativeAddon = loaded.addon;
export const nativeBinary: NativeBinary = loaded.binary;
