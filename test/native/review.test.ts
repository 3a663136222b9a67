// Edge cases found in review: sampler uniforms that round to 1, float summation at the end of
// the inverse CDF, NaN and +inf logits, argument products that overflow int64, degenerate shapes,
// and the addon used from worker threads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { native } from "../../src/native/index.ts";
import { assertClose } from "./helpers.ts";

function sample(logits: Float32Array, V: number, temperature: number, topK: number, topP: number, u: number) {
  const ids = new Int32Array(1), logp = new Float32Array(1);
  native.sample(logits, 1, V, temperature, topK, topP, new Float32Array([u]), ids, logp);
  return { id: ids[0], logp: logp[0] };
}

test("sample: a uniform that rounds to 1 in float32 never draws a zero-probability token", () => {
  // src/util/rng.ts gives k / 2^32; Float32Array rounds the largest values to exactly 1.
  const u = Math.fround((2 ** 32 - 1) / 2 ** 32);
  assert.equal(u, 1);
  const logits = new Float32Array([0, 1, 2, 1, -Infinity]);
  for (const [topK, topP] of [[0, 1], [0, 0.999], [3, 1], [0, 0.5]]) {
    const { id, logp } = sample(logits, 5, 1, topK, topP, u);
    assert.ok(id >= 0 && id < 4, `topK=${topK} topP=${topP}: drew id ${id}`);
    assert.ok(Number.isFinite(logp), `topK=${topK} topP=${topP}: logp ${logp}`);
  }
});

test("sample: u just below 1 stays on the positive-probability tokens whatever the summation order", () => {
  // One token of weight 1 and many of weight ~0.75 ulp(1): a float32 running sum rounds up at every
  // add, so a total summed in float32 exceeds the exact sum by more than (1 - u) * total.
  const V = 65, small = Math.log(0.75 * 2 ** -23);
  const logits = new Float32Array(V).fill(small);
  logits[0] = 0;
  logits[V - 1] = -Infinity;
  const u = 1 - 2 ** -24; // the largest float32 below 1
  for (const topP of [1, 0.99999]) {
    const { id } = sample(logits, V, 1, 0, topP, u);
    assert.ok(id < V - 1, `topP=${topP}: drew the -inf token ${id}`);
  }
});

test("sample: NaN logits get zero probability (and top-p does not index out of its histogram)", () => {
  const logits = new Float32Array([NaN, 1, 2, NaN, 0.5, NaN]);
  const p = [0, Math.E, Math.E ** 2, 0, Math.E ** 0.5, 0], total = p.reduce((a, x) => a + x, 0);
  for (const [temperature, topK, topP] of [[1, 0, 1], [1, 0, 0.9], [1, 2, 1], [1, 0, 0.3], [0, 0, 1]]) {
    for (const u of [0, 0.5, 0.999]) {
      const { id, logp } = sample(logits, 6, temperature, topK, topP, u);
      assert.ok(p[id] > 0, `T=${temperature} topK=${topK} topP=${topP} u=${u}: drew NaN token ${id}`);
      assertClose([logp], [Math.log(p[id] / total)], 1e-5, 1e-5, `logp of ${id}`);
    }
  }
  assert.equal(sample(logits, 6, 0, 0, 1, 0).id, 2, "greedy skips NaN");
});

test("sample: +inf logits share all the probability", () => {
  const logits = new Float32Array([0, Infinity, 3, Infinity, -Infinity]);
  for (const [temperature, topK, topP] of [[1, 0, 1], [0.7, 0, 0.9], [1, 3, 1], [1, 1, 1], [0, 0, 1]]) {
    for (const u of [0, 0.4, 0.6, 0.999]) {
      const { id, logp } = sample(logits, 5, temperature, topK, topP, u);
      assert.ok(id === 1 || id === 3, `T=${temperature} topK=${topK} topP=${topP} u=${u}: drew ${id}`);
      assertClose([logp], [Math.log(0.5)], 1e-6, 1e-6, "logp");
    }
  }
  assert.equal(sample(logits, 5, 1, 0, 1, 0.4).id, 1);
  assert.equal(sample(logits, 5, 1, 0, 1, 0.6).id, 3);
});

test("sample: tiny temperature is greedy in the limit; huge topK means all", () => {
  const logits = new Float32Array([0.5, 2, 1.999, -3]);
  for (const temperature of [1e-6, 1e-40, 1e-50]) { // 1 / 1e-40 overflows float32; 1e-50 rounds to 0 in it
    for (const [topK, topP] of [[0, 1], [2, 1], [0, 0.5]]) {
      for (const u of [0, 0.5, 1 - 2 ** -24]) {
        const { id, logp } = sample(logits, 4, temperature, topK, topP, u);
        assert.equal(id, 1, `T=${temperature} topK=${topK} topP=${topP} u=${u}`);
        assert.ok(Math.abs(logp) < 1e-6, `T=${temperature}: logp ${logp}`);
      }
    }
  }
  const p = [0.1, 0.2, 0.3, 0.4], small = new Float32Array(p.map(Math.log));
  for (const topK of [4, 5, 1e300, Infinity]) {
    assert.equal(sample(small, 4, 1, topK, 1, 0.05).id, 0, `topK=${topK}`);
    assert.equal(sample(small, 4, 1, topK, 1, 0.65).id, 3, `topK=${topK}`);
  }
});

test("sample: NaN temperature or topK, and non-integer topK, throw RangeError", () => {
  const ids = new Int32Array(1), logp = new Float32Array(1), u = new Float32Array([0.5]), z = new Float32Array(4);
  assert.throws(() => native.sample(z, 1, 4, NaN, 0, 1, u, ids, logp), RangeError);
  assert.throws(() => native.sample(z, 1, 4, 1, NaN, 1, u, ids, logp), RangeError);
  assert.throws(() => native.sample(z, 1, 4, 1, 2.5, 1, u, ids, logp), RangeError);
  assert.throws(() => native.sample(z, 0, 2 ** 31, 1, 0, 1, u, ids, logp), RangeError); // ids are int32
});

test("sizes whose product overflows int64 throw RangeError instead of passing the length checks", () => {
  const e = new Float32Array(0);
  // 2^32 * 2^32 wraps to 0 in int64, so empty arrays looked long enough.
  assert.throws(() => native.embeddingForward(e, 2 ** 32, 2 ** 32, new Int32Array(0), e), RangeError);
  assert.throws(() => native.gemm(false, false, 2 ** 32, 2 ** 32, 2 ** 32, 1, e, e, 0, e), RangeError);
  assert.throws(() => native.attentionForward(e, e, e, new Int32Array([0, 2 ** 31 - 1]), 2 ** 17, 2 ** 17, 2 ** 16, 1, e, e),
    RangeError);
});

test("attention: Hq = 0 throws RangeError (it divided by G = 0)", () => {
  const e = new Float32Array(0), kv = new Float32Array(4);
  assert.throws(() => native.attentionForward(e, kv, kv, new Int32Array([0, 1]), 0, 1, 4, 1, e, e), RangeError);
  assert.throws(() => native.attentionCached(e, kv, kv, new Float32Array(16), new Float32Array(16),
    new Int32Array(1), new Int32Array(1), new Int32Array([0, 1]), 0, 1, 4, 4, 1, e), RangeError);
});

test("adamw: beta1 or beta2 outside [0, 1) throws RangeError (bias correction divides by 1 - beta^step)", () => {
  const a = () => [new Float32Array(2)];
  assert.throws(() => native.adamw(a(), a(), a(), a(), 1e-3, 1, 0.999, 1e-8, 0, 1), RangeError);
  assert.throws(() => native.adamw(a(), a(), a(), a(), 1e-3, 0.9, 1, 1e-8, 0, 1), RangeError);
  assert.throws(() => native.adamw(a(), a(), a(), a(), 1e-3, 0.9, -0.1, 1e-8, 0, 1), RangeError);
  assert.throws(() => native.adamw(a(), a(), a(), a(), 1e-3, 0.9, 1 - 1e-9, 1e-8, 0, 1), RangeError); // 1 in float
  assert.throws(() => native.adamw(a(), a(), a(), a(), 1e-3, 0.9, 0.999, 1e-8, 0, 0), RangeError); // step 0
  const p = [new Float32Array([1, -1])];
  native.adamw(p, [new Float32Array([0.5, 0.5])], a(), a(), 0.1, 0, 0, 0, 0, 1); // beta = 0 is plain sign descent
  assertClose(p[0], [0.9, -1.1], 1e-6, 0, "beta = 0");
});

/** Runs `body` (CommonJS, with `n` = the addon, `k` = the worker's index) in `workers` worker threads
 * of a child process, which prints what each posted once all have exited. */
function inWorkers(workers: number, body: string): unknown[] {
  const addon = fileURLToPath(new URL("../../build/Release/rlzero_native.node", import.meta.url));
  const code = `const { parentPort, workerData: k } = require("node:worker_threads");
    const n = require(${JSON.stringify(addon)});
    ${body}`;
  const script = `
    const { Worker } = require("node:worker_threads");
    Promise.all(Array.from({ length: ${workers} }, (_, k) => new Promise((res, rej) => {
      const w = new Worker(${JSON.stringify(code)}, { eval: true, workerData: k });
      let out;
      w.on("message", (m) => (out = m));
      w.on("error", rej);
      w.on("exit", () => res(out));
    }))).then((r) => setTimeout(() => console.log(JSON.stringify(r)), 200));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.signal, null, `child died with ${r.signal}; stderr: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("worker threads: a worker that ran OpenMP kernels exits cleanly", () => {
  // Node unloads the addon when the worker that loaded it exits; that used to unload libgomp
  // while its pool threads still ran (SIGSEGV at exit).
  const out = inWorkers(1, `
    const g = new Float32Array(1 << 14).fill(1), o = new Float32Array(g.length);
    n.swigluForward(g, g, g.length, o);
    parentPort.postMessage(o[0]);`);
  assertClose(out as number[], [1 / (1 + Math.exp(-1))], 1e-6, 1e-6, "silu(1) * 1");
});

test("worker threads: concurrent GEMMs past the primitive-cache bound", () => {
  // Two workers with 300 shapes each make the oneDNN backend clear its 512-entry primitive cache
  // while the other worker may be running a primitive it got from it.
  const out = inWorkers(2, `
    let bad = 0;
    for (let M = 1; M <= 300; M++) {
      const K = 3 + k, A = new Float32Array(M * K).fill(1), B = new Float32Array(K * 2).fill(1);
      const C = new Float32Array(M * 2);
      n.gemm(false, false, M, 2, K, 0.5, A, B, 0, C);
      if (C.some((x) => x !== 0.5 * K)) bad++;
    }
    parentPort.postMessage(bad);`);
  assert.deepEqual(out, [0, 0]);
});
