// Builds the native addon with node-gyp (binding.gyp). Two modes:
//
//   node native/build.mjs             the package's `install` script: build/Release/rlzero_native.node for
//                                     this machine (-march=native, the best GEMM backend installed). When the
//                                     C++ toolchain is missing or the build fails, it says why; if the package
//                                     ships a prebuilt binary for this platform it exits 0, and the loader
//                                     (src/native/index.ts) uses that binary instead.
//   node native/build.mjs --prebuild  `prepack`: prebuilds/<platform>-<arch>/rlzero_native.node, the portable
//                                     kernel for a baseline CPU, shipped in the package for users whose
//                                     install-time build is skipped (install scripts not approved) or fails;
//                                     beside it rlzero_native.json names that CPU and the /proc/cpuinfo flags
//                                     it needs, which the loader checks before loading it.
//
// node-gyp is npm's own (npm gives lifecycle scripts its path as npm_config_node_gyp) or the devDependency.
// Everything is printed on stderr, so that `npm pack --json` keeps stdout to itself.
import { spawnSync } from "node:child_process";
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const binaryName = "rlzero_native.node";
const platformDir = path.join(root, "prebuilds", `${process.platform}-${process.arch}`);
/**
 * The CPU the prebuilt binary is compiled for. x86-64-v3 (AVX2 and FMA: Intel since 2013, AMD since
 * 2015) runs the portable kernel's 256-bit vectors natively, about 3x faster than x86-64-v2 (SSE).
 */
const BASELINE = {
  x64: { march: "x86-64-v3", cpuFlags: ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"] },
  arm64: { march: "armv8-a", cpuFlags: [] },
};

const say = (line) => console.error(`rlzero: ${line}`);

/** node-gyp's script, or null outside npm without the devDependency. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  try {
    return createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
  } catch {
    return null;
  }
}

function onPath(command) {
  if (command.includes("/")) return existsSync(command);
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The build tools node-gyp needs that are not on PATH, e.g. ["g++ (a C++ compiler)"]. */
function missingTools() {
  const cxx = process.env.CXX?.split(" ")[0] || "g++";
  const python = process.env.PYTHON || process.env.npm_config_python;
  const missing = [];
  if (nodeGyp() === null) missing.push("node-gyp (npm provides it: run `npm rebuild rlzero`)");
  if (!onPath(cxx)) missing.push(`${cxx} (a C++ compiler)`);
  if (!onPath("make")) missing.push("make");
  if (python ? !onPath(python) : !onPath("python3") && !onPath("python")) missing.push(python ?? "python3");
  return missing;
}

/** The GEMM backend binding.gyp will pick (native/detect-backend.mjs), or null with its error printed. */
function detectBackend(env) {
  const r = spawnSync(process.execPath, [path.join(root, "native", "detect-backend.mjs")], { env, encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    return null;
  }
  return r.stdout.trim();
}

/** Runs `node-gyp rebuild` in `dir`; true on success. */
function rebuild(dir, env) {
  const r = spawnSync(process.execPath, [nodeGyp(), "rebuild", "--jobs", "max"], { cwd: dir, env, stdio: ["ignore", 2, 2] });
  return r.status === 0;
}

function installBuild() {
  const prebuilt = path.join(platformDir, binaryName);
  /** Exits: 0 when the package ships a binary for this platform, else 1 (the install fails). */
  const giveUp = () => {
    if (!existsSync(prebuilt)) process.exit(1);
    say(`using the prebuilt portable kernel shipped in the package (${path.relative(root, prebuilt)}); ` +
      "it is slower than a build on this machine. Fix the above, then run `npm rebuild rlzero`.");
    process.exit(0);
  };

  const missing = missingTools();
  if (missing.length > 0) {
    say(`cannot build the native addon: not found on PATH: ${missing.join(", ")}.`);
    say("  Debian/Ubuntu: sudo apt-get install g++ make python3 libdnnl-dev (or libopenblas-dev)");
    giveUp();
  }
  const backend = detectBackend(process.env);
  if (backend === null) giveUp();
  if (backend === "portable" && !process.env.RLZERO_GEMM_BACKEND) {
    say("neither oneDNN (libdnnl-dev) nor OpenBLAS (libopenblas-dev) is installed: building the portable GEMM " +
      "kernel, several times slower. Install one and run `npm rebuild rlzero` to use it.");
  }
  say(`building the native addon (GEMM backend: ${backend}, -march=${process.env.RLZERO_MARCH || "native"})`);
  if (!rebuild(root, process.env)) {
    say("the native addon failed to build (node-gyp's output is above).");
    giveUp();
  }
}

function prebuild() {
  const target = BASELINE[process.arch];
  if (!target) throw new Error(`no baseline CPU target for ${process.arch}; add one to BASELINE in ${fileURLToPath(import.meta.url)}`);
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`cannot build the prebuilt binary: not found on PATH: ${missing.join(", ")}`);
  // node-gyp always builds in ./build; a scratch directory keeps this machine's own build/ intact.
  const work = mkdtempSync(path.join(tmpdir(), "rlzero-prebuild-"));
  try {
    copyFileSync(path.join(root, "binding.gyp"), path.join(work, "binding.gyp"));
    symlinkSync(path.join(root, "native"), path.join(work, "native"));
    symlinkSync(path.join(root, "node_modules"), path.join(work, "node_modules"));
    say(`building the prebuilt binary (portable GEMM kernel, -march=${target.march})`);
    if (!rebuild(work, { ...process.env, RLZERO_GEMM_BACKEND: "portable", RLZERO_MARCH: target.march })) {
      throw new Error("the prebuilt binary failed to build (node-gyp's output is above)");
    }
    rmSync(path.join(root, "prebuilds"), { recursive: true, force: true });
    mkdirSync(platformDir, { recursive: true });
    copyFileSync(path.join(work, "build", "Release", binaryName), path.join(platformDir, binaryName));
    writeFileSync(path.join(platformDir, "rlzero_native.json"), JSON.stringify(target) + "\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv.includes("--prebuild")) prebuild();
else installBuild();
