/**
 * rlzero as an npm package, the way a user gets it: `npm pack` (which builds dist/ and the
 * prebuilt portable binary), `npm install <tarball>` into an empty project (dependencies from the
 * registry, through the npm cache), then the public entry imported with plain node (no tsx) and
 * type-checked, `npx rlzero info`, and the fallback to the prebuilt binary when the install-time
 * build cannot run. The package's file list must hold no tests, fixtures, CI or sources.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const version: string = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version;
const prebuiltDir = `prebuilds/${process.platform}-${process.arch}`;

/**
 * The environment of a user's shell: without what `npm test` (or `npm exec -c`) says of this
 * repository (its package, its directory as the project root, the command) and without this
 * repository's bins; npm's settings are kept.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const ours = /^(npm_package_|npm_lifecycle_|npm_config_(local_prefix|call)$|npm_command$|INIT_CWD$)/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !ours.test(k)));
  env.PATH = (env.PATH ?? "").split(path.delimiter).filter((d) => !d.startsWith(root)).join(path.delimiter);
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions & { cwd: string }): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: userEnv(), timeout: 600_000, maxBuffer: 64 << 20, ...opts });
  const out = { stdout: String(r.stdout), stderr: String(r.stderr) };
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed (${r.error ?? r.signal ?? r.status}):\n${out.stderr}\n${out.stdout}`);
  return out;
}

/** Imports the installed package with plain node and reports what a user's code would see. */
const CONSUMER = `
import { createRequire } from "node:module";
import { VerifierPool, grpoAdvantages, native, nativeBinary } from "rlzero";
let internal;
try { await import("rlzero/dist/cli/main.js"); internal = "importable"; } catch (e) { internal = e.code; }
console.log(JSON.stringify({
  advantages: Array.from(grpoAdvantages(Float32Array.of(1, 0, 0, 1, 2, 4), Int32Array.of(0, 0, 0, 0, 1, 1))),
  info: native.info(),
  binary: nativeBinary,
  version: createRequire(import.meta.url)("rlzero/package.json").version,
  internal,
  // Beyond stdout's pipe and file reads closing: a timer, socket or server would be listed here.
  handles: process.getActiveResourcesInfo().filter((h) => !["PipeWrap", "TTYWrap", "CloseReq", "FSReqCallback"].includes(h)),
  // The pool's worker file, dist/rewards/worker.js, is found and graded with.
  verdicts: await (async () => {
    const pool = new VerifierPool({ size: 1, config: { format: "boxed" } });
    const v = await pool.gradeAll([{ response: "so \\\\boxed{4}", answer: "4" }, { response: "\\\\boxed{5}", answer: "4" }]);
    await pool.close();
    return v.map((x) => x.reason);
  })(),
}));
`;

/** Type-checks against the installed declarations: the first line is fine, the second must be rejected. */
const TYPED_CONSUMER = `
import { grpoAdvantages, type RunConfig } from "rlzero";
const ok: Float32Array = grpoAdvantages(Float32Array.of(1, 0), Int32Array.of(0, 0));
const wrong: string = grpoAdvantages(Float32Array.of(1, 0), Int32Array.of(0, 0));
export type Seed = RunConfig["seed"];
`;

describe("the npm package", { timeout: 900_000 }, () => {
  let dir = "";
  let project = "";
  let files: string[] = [];
  let installLog = "";

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "rlzero-package-"));
    project = path.join(dir, "project");
    // stdout is npm's JSON report alone: the lifecycle scripts print on stderr.
    const packed = run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root });
    const report = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m)))[0];
    files = report.files.map((f: { path: string }) => f.path);
    // The project approves rlzero's install script as `npm install-scripts approve` would: npm 11 names
    // a tarball dependency by its resolved spec (a registry one by name@version); older npm runs it unasked.
    const tarball = path.join(dir, report.filename);
    mkdirSync(project);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", allowScripts: { [`file:${tarball}`]: true } }));
    writeFileSync(path.join(project, "consumer.js"), CONSUMER);
    const installed = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--foreground-scripts", tarball], { cwd: project });
    installLog = installed.stderr + installed.stdout;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test("holds the build, the CLI, the addon's sources and the prebuilt binary, and no tests, fixtures, CI or sources", () => {
    for (const f of ["package.json", "README.md", "bin/rlzero.js", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "dist/rewards/worker.js",
      "dist/dashboard/page/index.html", "binding.gyp", "native/build.mjs", "native/detect-backend.mjs", "native/addon.cc",
      `${prebuiltDir}/rlzero_native.node`, `${prebuiltDir}/rlzero_native.json`]) {
      assert.ok(files.includes(f), `${f} is missing from the package`);
    }
    const unwanted = files.filter((f) => /^(test|bench|scripts|docs|src|\.ci|build|node_modules)\//.test(f) || /fixtures|\.test\.|tsconfig|package-lock/.test(f) ||
      (f.endsWith(".ts") && !f.endsWith(".d.ts")));
    assert.deepEqual(unwanted, []);
  });

  test("the install script builds the addon on this machine, and the entry imports with plain node", () => {
    assert.doesNotMatch(installLog, /not yet covered by allowScripts/);
    assert.match(installLog, /rlzero: building the native addon \(GEMM backend: (onednn|openblas|portable), -march=native\)/);
    const backend = run(process.execPath, [path.join(root, "native/detect-backend.mjs")], { cwd: root }).stdout.trim();
    // The process ends by itself (a worker thread or server started at import would keep it alive).
    const r = JSON.parse(run(process.execPath, ["consumer.js"], { cwd: project, timeout: 60_000 }).stdout);
    // Group 0: mean 1/2, unbiased std sqrt(1/3), so ±(1/2)/sqrt(1/3) = ±sqrt(3)/2; group 1: mean 3, std sqrt(2).
    const s3 = Math.sqrt(3) / 2, s2 = 1 / Math.sqrt(2);
    [s3, -s3, -s3, s3, -s2, s2].forEach((want, i) => assert.ok(Math.abs(r.advantages[i] - want) < 1e-5, `advantage ${i}: ${r.advantages[i]} vs ${want}`));
    assert.deepEqual(r.binary, { kind: "build", path: path.join(project, "node_modules/rlzero/build/Release/rlzero_native.node") });
    assert.equal(r.info.backend, backend);
    assert.equal(r.version, version);
    assert.equal(r.internal, "ERR_PACKAGE_PATH_NOT_EXPORTED", "only the entry and package.json are exported");
    assert.deepEqual(r.handles, [], "importing starts no worker, timer or server");
    assert.deepEqual(r.verdicts, ["correct", "wrong_answer"]);
  });

  test("the installed declarations type the entry", () => {
    writeFileSync(path.join(project, "typed.ts"), TYPED_CONSUMER);
    const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--module", "nodenext",
      "--skipLibCheck", "--typeRoots", path.join(root, "node_modules/@types"), "--types", "node", "typed.ts"], { cwd: project, encoding: "utf8" });
    const errors = tsc.stdout.trim().split("\n");
    assert.equal(errors.length, 1, tsc.stdout);
    assert.match(errors[0], /^typed\.ts\(4,7\): error TS2322: Type 'Float32Array<ArrayBufferLike>' is not assignable to type 'string'/);
  });

  test("npx rlzero info names the binary built at install", () => {
    const { stdout } = run("npx", ["--no", "rlzero", "info"], { cwd: project });
    assert.match(stdout, /^binary: +\S+\/node_modules\/rlzero\/build\/Release\/rlzero_native\.node \(built on this machine\)$/m);
    assert.match(stdout, /^backend: +(onednn|openblas|portable) /m);
  });

  test("without a compiler the install script says so and the prebuilt portable binary is used", () => {
    const pkgDir = path.join(project, "node_modules/rlzero");
    rmSync(path.join(pkgDir, "build"), { recursive: true, force: true });
    const rebuilt = run("npm", ["rebuild", "rlzero", "--foreground-scripts"], { cwd: project, env: userEnv({ CXX: "/nonexistent/c++" }) });
    const log = rebuilt.stderr + rebuilt.stdout;
    assert.match(log, /rlzero: cannot build the native addon: not found on PATH: \/nonexistent\/c\+\+ \(a C\+\+ compiler\)/);
    assert.match(log, /rlzero: using the prebuilt portable kernel shipped in the package/);

    const { cpuFlags } = JSON.parse(readFileSync(path.join(pkgDir, prebuiltDir, "rlzero_native.json"), "utf8")) as { cpuFlags: string[] };
    const flagsLine = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => /^(flags|Features)\s*:/.test(l)) ?? "";
    const lacking = cpuFlags.filter((f) => !flagsLine.split(/\s+/).includes(f));
    if (lacking.length > 0) {
      const r = spawnSync(process.execPath, ["consumer.js"], { cwd: project, encoding: "utf8" });
      assert.match(r.stderr, /rlzero: no native addon: \S+rlzero_native\.node cannot run here \(compiled for \S+, and this CPU lacks/);
      return;
    }
    const r = JSON.parse(run(process.execPath, ["consumer.js"], { cwd: project }).stdout);
    assert.deepEqual(r.binary, { kind: "prebuilt", path: path.join(pkgDir, prebuiltDir, "rlzero_native.node") });
    assert.equal(r.info.backend, "portable");
    assert.ok(Math.abs(r.advantages[0] - Math.sqrt(3) / 2) < 1e-5);
    const { stdout } = run("npx", ["--no", "rlzero", "info"], { cwd: project });
    assert.match(stdout, /^binary: +\S+\/rlzero_native\.node \(prebuilt portable kernel shipped in the package\)$/m);
  });
});
