// Fused LM head: logp, entropy, lse against a float64 reference (V spanning several vocabulary
// tiles), and the backward (dlogp and dentropy paths, dW accumulated) by finite differences.
import { test } from "node:test";
import { native } from "../../src/native/index.ts";
import { assertClose, checkGrad, dot, randn, rng } from "./helpers.ts";

function lmRef(hidden: Float32Array, W: Float32Array, targets: Int32Array, N: number, dim: number, V: number,
  scale: number) {
  const logp: number[] = [], entropy: number[] = [], lse: number[] = [];
  for (let n = 0; n < N; n++) {
    const z = new Float64Array(V);
    for (let j = 0; j < V; j++) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += hidden[n * dim + i] * W[j * dim + i];
      z[j] = scale * s;
    }
    const m = Math.max(...z);
    const l = m + Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
    let h = 0;
    for (let j = 0; j < V; j++) h -= Math.exp(z[j] - l) * (z[j] - l);
    lse.push(l);
    logp.push(z[targets[n]] - l);
    entropy.push(h);
  }
  return { logp, entropy, lse };
}

function forward(hidden: Float32Array, W: Float32Array, targets: Int32Array, N: number, dim: number, V: number,
  scale: number) {
  const logp = new Float32Array(N), entropy = new Float32Array(N), lse = new Float32Array(N);
  native.lmHeadLogprobForward(hidden, W, targets, N, dim, V, scale, logp, entropy, lse);
  return { logp, entropy, lse };
}

test("lmHeadLogprobForward matches the float64 reference", () => {
  const rand = rng(10);
  for (const [N, dim, V] of [[1, 1, 1], [3, 8, 5], [7, 24, 3000], [600, 16, 40]]) {
    const hidden = randn(rand, N * dim), W = randn(rand, V * dim, 0.5);
    const targets = new Int32Array(N).map(() => Math.floor(rand() * V));
    const scale = 0.7;
    const got = forward(hidden, W, targets, N, dim, V, scale), ref = lmRef(hidden, W, targets, N, dim, V, scale);
    const tag = `${N}x${dim}x${V}`;
    assertClose(got.logp, ref.logp, 1e-4, 1e-5, `logp ${tag}`);
    assertClose(got.entropy, ref.entropy, 1e-4, 1e-4, `entropy ${tag}`);
    assertClose(got.lse, ref.lse, 1e-4, 1e-5, `lse ${tag}`);
  }
});

test("lmHeadLogprobBackward: dhidden, dW (accumulated) by finite differences, both paths", () => {
  const rand = rng(11);
  for (const [N, dim, V] of [[5, 16, 2100], [600, 8, 30]]) {
    const hidden = randn(rand, N * dim), W = randn(rand, V * dim, 0.5), scale = 0.9;
    const targets = new Int32Array(N).map(() => Math.floor(rand() * V));
    const { entropy, lse } = forward(hidden, W, targets, N, dim, V, scale);
    for (const [useLogp, useEntropy] of [[true, false], [false, true], [true, true]]) {
      const R1 = useLogp ? randn(rand, N) : new Float32Array(N), R2 = useEntropy ? randn(rand, N) : new Float32Array(N);
      const L = (h: Float32Array, w: Float32Array) => {
        const o = forward(h, w, targets, N, dim, V, scale);
        return dot(o.logp, R1) + dot(o.entropy, R2);
      };
      // With the saved entropy passed (the fast path) and without it (recomputed).
      for (const saved of [entropy, undefined]) {
        const dhidden = new Float32Array(N * dim).fill(NaN), dW0 = randn(rand, V * dim), dW = dW0.slice();
        native.lmHeadLogprobBackward(R1, R2, hidden, W, targets, lse, N, dim, V, scale, dhidden, dW, saved);
        const tag = `${N}x${dim}x${V} dlogp=${useLogp} dentropy=${useEntropy} saved=${saved !== undefined}`;
        checkGrad(`dhidden ${tag}`, hidden, dhidden, (h) => L(h, W), rand);
        checkGrad(`dW ${tag}`, W, dW.map((g, i) => g - dW0[i]), (w) => L(hidden, w), rand);
      }
    }
  }
});

test("with the forward's logits saved, the backward gives the same gradients without recomputing them", () => {
  const rand = rng(12);
  const [N, dim, V] = [700, 16, 2500]; // two row chunks, three vocabulary tiles
  const hidden = randn(rand, N * dim), W = randn(rand, V * dim, 0.5), scale = 0.9;
  const targets = new Int32Array(N).map(() => Math.floor(rand() * V));
  const dlogp = randn(rand, N), dentropy = randn(rand, N);
  const run = (keep: boolean) => {
    const logp = new Float32Array(N), entropy = new Float32Array(N), lse = new Float32Array(N);
    const saved = keep ? new Float32Array(N * V) : undefined;
    native.lmHeadLogprobForward(hidden, W, targets, N, dim, V, scale, logp, entropy, lse, saved);
    const dh = new Float32Array(N * dim), dW = new Float32Array(V * dim);
    native.lmHeadLogprobBackward(dlogp, dentropy, hidden, W, targets, lse, N, dim, V, scale, dh, dW, entropy, saved);
    return { logp, dh, dW };
  };
  const a = run(true), b = run(false);
  assertClose(a.logp, b.logp, 0, 0, "logp");
  assertClose(a.dh, b.dh, 0, 0, "dhidden");
  assertClose(a.dW, b.dW, 0, 0, "dW");
});
