// Causal GQA attention (Hq = 4, Hkv = 2): forward and lse against a float64 reference,
// backward by finite differences, and KV-cache prefill + decode against the full forward.
import { test } from "node:test";
import { native } from "../../src/native/index.ts";
import { assertClose, checkGrad, dot, randn, rng } from "./helpers.ts";

interface Shape { B: number; T: number; Hq: number; Hkv: number; D: number }

/** float64 causal GQA attention: out[B,T,Hq,D], lse[B,Hq,T]. */
function attentionRef(q: Float32Array, k: Float32Array, v: Float32Array, s: Shape, scale: number) {
  const { B, T, Hq, Hkv, D } = s, G = Hq / Hkv;
  const out = new Float64Array(B * T * Hq * D), lse = new Float64Array(B * Hq * T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hq; h++) {
      const hk = Math.floor(h / G);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * Hq + h) * D, scores: number[] = [];
        for (let j = 0; j <= t; j++) {
          const ko = ((b * T + j) * Hkv + hk) * D;
          let sc = 0;
          for (let d = 0; d < D; d++) sc += q[qo + d] * k[ko + d];
          scores.push(sc * scale);
        }
        const m = Math.max(...scores);
        const sum = scores.reduce((a, x) => a + Math.exp(x - m), 0);
        lse[(b * Hq + h) * T + t] = m + Math.log(sum);
        for (let j = 0; j <= t; j++) {
          const p = Math.exp(scores[j] - m) / sum, vo = ((b * T + j) * Hkv + hk) * D;
          for (let d = 0; d < D; d++) out[qo + d] += p * v[vo + d];
        }
      }
    }
  }
  return { out, lse };
}

function forward(q: Float32Array, k: Float32Array, v: Float32Array, s: Shape, scale: number) {
  const out = new Float32Array(s.B * s.T * s.Hq * s.D), lse = new Float32Array(s.B * s.Hq * s.T);
  native.attentionForward(q, k, v, s.B, s.T, s.Hq, s.Hkv, s.D, scale, out, lse);
  return { out, lse };
}

const shapes: Shape[] = [
  { B: 1, T: 1, Hq: 4, Hkv: 2, D: 8 },
  { B: 2, T: 5, Hq: 4, Hkv: 2, D: 16 },
  { B: 2, T: 70, Hq: 4, Hkv: 2, D: 12 }, // two key blocks, D not a multiple of the vector width
  { B: 1, T: 150, Hq: 4, Hkv: 1, D: 64 },
  { B: 1, T: 33, Hq: 2, Hkv: 2, D: 128 },
];

test("attentionForward matches the float64 reference (out and lse)", () => {
  const rand = rng(7);
  for (const s of shapes) {
    const nq = s.B * s.T * s.Hq * s.D, nkv = s.B * s.T * s.Hkv * s.D, scale = 1 / Math.sqrt(s.D);
    const q = randn(rand, nq, 2), k = randn(rand, nkv), v = randn(rand, nkv);
    const got = forward(q, k, v, s, scale), ref = attentionRef(q, k, v, s, scale);
    assertClose(got.out, ref.out, 2e-5, 1e-4, `attention out ${JSON.stringify(s)}`);
    assertClose(got.lse, ref.lse, 2e-5, 1e-5, `attention lse ${JSON.stringify(s)}`);
  }
});

test("attentionBackward: dq, dk, dv by finite differences", () => {
  const rand = rng(8);
  for (const s of shapes.slice(0, 4)) {
    const nq = s.B * s.T * s.Hq * s.D, nkv = s.B * s.T * s.Hkv * s.D, scale = 1 / Math.sqrt(s.D);
    const q = randn(rand, nq), k = randn(rand, nkv), v = randn(rand, nkv), R = randn(rand, nq);
    const { out, lse } = forward(q, k, v, s, scale);
    const dq = new Float32Array(nq).fill(NaN), dk = new Float32Array(nkv).fill(NaN), dv = new Float32Array(nkv).fill(NaN);
    native.attentionBackward(R, q, k, v, out, lse, s.B, s.T, s.Hq, s.Hkv, s.D, scale, dq, dk, dv);
    const L = (qq: Float32Array, kk: Float32Array, vv: Float32Array) => dot(forward(qq, kk, vv, s, scale).out, R);
    const tag = JSON.stringify(s);
    checkGrad(`dq ${tag}`, q, dq, (x) => L(x, k, v), rand);
    checkGrad(`dk ${tag}`, k, dk, (x) => L(q, x, v), rand);
    checkGrad(`dv ${tag}`, v, dv, (x) => L(q, k, x), rand);
  }
});

test("attentionWithCache: prefill then step-by-step decode equals attentionForward, per-row start", () => {
  const rand = rng(9);
  for (const D of [16, 64]) {
    const B = 2, Hq = 4, Hkv = 2, total = 80, prefill = 7, maxT = 96, scale = 1 / Math.sqrt(D);
    const offset = [0, 5]; // row 1 already holds 5 tokens in its cache before the prefill
    // Each row's full sequence, checked against a B = 1 forward over it.
    const seq = [0, 1].map(() => ({
      q: randn(rand, total * Hq * D), k: randn(rand, total * Hkv * D), v: randn(rand, total * Hkv * D),
    }));
    const full = seq.map((x) => forward(x.q, x.k, x.v, { B: 1, T: total, Hq, Hkv, D }, scale).out);
    const cacheK = new Float32Array(B * Hkv * maxT * D), cacheV = new Float32Array(B * Hkv * maxT * D);
    for (let t = 0; t < offset[1]; t++) {
      for (let h = 0; h < Hkv; h++) {
        const dst = ((1 * Hkv + h) * maxT + t) * D, src = (t * Hkv + h) * D;
        cacheK.set(seq[1].k.subarray(src, src + D), dst);
        cacheV.set(seq[1].v.subarray(src, src + D), dst);
      }
    }
    // Rows of a [B, T, H, D] batch taken from each sequence at its own positions.
    const batch = (name: "q" | "k" | "v", H: number, starts: number[], T: number) => {
      const out = new Float32Array(B * T * H * D);
      for (let b = 0; b < B; b++) out.set(seq[b][name].subarray(starts[b] * H * D, (starts[b] + T) * H * D), b * T * H * D);
      return out;
    };
    for (let t0 = 0; t0 + offset[1] < total;) {
      const T = t0 === 0 ? prefill : 1, starts = offset.map((o) => o + t0);
      const out = new Float32Array(B * T * Hq * D);
      native.attentionWithCache(batch("q", Hq, starts, T), batch("k", Hkv, starts, T), batch("v", Hkv, starts, T),
        cacheK, cacheV, new Int32Array(starts), B, T, Hq, Hkv, D, maxT, scale, out);
      for (let b = 0; b < B; b++) {
        const ref = full[b].subarray(starts[b] * Hq * D, (starts[b] + T) * Hq * D);
        assertClose(out.subarray(b * T * Hq * D, (b + 1) * T * Hq * D), ref, 1e-5, 1e-4, `D=${D} row ${b} at ${starts[b]}`);
      }
      t0 += T;
    }
  }
});
