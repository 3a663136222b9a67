// Causal GQA attention over packed sequences: forward and lse against a float64 reference,
// backward by finite differences, and the KV-cache path (prefill and decode mixed in one call,
// in arbitrary slots) against the full forward.
import { test } from "node:test";
import assert from "node:assert/strict";
import { native } from "../../src/native/index.ts";
import { assertClose, checkGrad, dot, randn, rng } from "./helpers.ts";

interface Heads { Hq: number; Hkv: number; D: number }

const offsetsOf = (lengths: number[]): Int32Array => {
  const o = new Int32Array(lengths.length + 1);
  lengths.forEach((n, s) => (o[s + 1] = o[s] + n));
  return o;
};

/** float64 causal GQA attention within each packed sequence: out[N,Hq,D], lse[N,Hq]. */
function attentionRef(q: Float32Array, k: Float32Array, v: Float32Array, offsets: Int32Array, h: Heads, scale: number) {
  const { Hq, Hkv, D } = h, G = Hq / Hkv, N = offsets[offsets.length - 1];
  const out = new Float64Array(N * Hq * D), lse = new Float64Array(N * Hq);
  for (let s = 0; s + 1 < offsets.length; s++) {
    for (let t = offsets[s]; t < offsets[s + 1]; t++) {
      for (let hq = 0; hq < Hq; hq++) {
        const hk = Math.floor(hq / G), qo = (t * Hq + hq) * D, scores: number[] = [];
        for (let j = offsets[s]; j <= t; j++) {
          let sc = 0;
          for (let d = 0; d < D; d++) sc += q[qo + d] * k[(j * Hkv + hk) * D + d];
          scores.push(sc * scale);
        }
        const m = Math.max(...scores), sum = scores.reduce((a, x) => a + Math.exp(x - m), 0);
        lse[t * Hq + hq] = m + Math.log(sum);
        scores.forEach((sc, i) => {
          const p = Math.exp(sc - m) / sum, vo = ((offsets[s] + i) * Hkv + hk) * D;
          for (let d = 0; d < D; d++) out[qo + d] += p * v[vo + d];
        });
      }
    }
  }
  return { out, lse };
}

function forward(q: Float32Array, k: Float32Array, v: Float32Array, offsets: Int32Array, h: Heads, scale: number) {
  const N = offsets[offsets.length - 1];
  const out = new Float32Array(N * h.Hq * h.D), lse = new Float32Array(N * h.Hq);
  native.attentionForward(q, k, v, offsets, h.Hq, h.Hkv, h.D, scale, out, lse);
  return { out, lse };
}

const cases: { lengths: number[]; h: Heads }[] = [
  { lengths: [1], h: { Hq: 4, Hkv: 2, D: 8 } },
  { lengths: [5, 5], h: { Hq: 4, Hkv: 2, D: 16 } },
  { lengths: [70, 3, 0, 66], h: { Hq: 4, Hkv: 2, D: 12 } }, // two key blocks, an empty sequence, D not a vector multiple
  { lengths: [150], h: { Hq: 4, Hkv: 1, D: 64 } },
  { lengths: [33, 1], h: { Hq: 2, Hkv: 2, D: 128 } },
  { lengths: [9, 20], h: { Hq: 7, Hkv: 1, D: 32 } }, // 7 query heads per KV head, as Qwen2.5-0.5B
];

test("attentionForward over packed sequences matches the float64 reference (out and lse)", () => {
  const rand = rng(7);
  for (const { lengths, h } of cases) {
    const offsets = offsetsOf(lengths), N = offsets[lengths.length], scale = 1 / Math.sqrt(h.D);
    const q = randn(rand, N * h.Hq * h.D, 2), k = randn(rand, N * h.Hkv * h.D), v = randn(rand, N * h.Hkv * h.D);
    const got = forward(q, k, v, offsets, h, scale), ref = attentionRef(q, k, v, offsets, h, scale);
    const tag = JSON.stringify({ lengths, ...h });
    assertClose(got.out, ref.out, 2e-5, 1e-4, `attention out ${tag}`);
    assertClose(got.lse, ref.lse, 2e-5, 1e-5, `attention lse ${tag}`);
  }
});

test("attentionBackward over packed sequences: dq, dk, dv by finite differences", () => {
  const rand = rng(8);
  for (const { lengths, h } of cases.slice(0, 4)) {
    const offsets = offsetsOf(lengths), N = offsets[lengths.length], scale = 1 / Math.sqrt(h.D);
    const nq = N * h.Hq * h.D, nkv = N * h.Hkv * h.D;
    const q = randn(rand, nq), k = randn(rand, nkv), v = randn(rand, nkv), R = randn(rand, nq);
    const { out, lse } = forward(q, k, v, offsets, h, scale);
    const dq = new Float32Array(nq).fill(NaN), dk = new Float32Array(nkv).fill(NaN), dv = new Float32Array(nkv).fill(NaN);
    native.attentionBackward(R, q, k, v, out, lse, offsets, h.Hq, h.Hkv, h.D, scale, dq, dk, dv);
    const L = (qq: Float32Array, kk: Float32Array, vv: Float32Array) => dot(forward(qq, kk, vv, offsets, h, scale).out, R);
    const tag = JSON.stringify({ lengths, ...h });
    checkGrad(`dq ${tag}`, q, dq, (x) => L(x, k, v), rand);
    checkGrad(`dk ${tag}`, k, dk, (x) => L(q, x, v), rand);
    checkGrad(`dv ${tag}`, v, dv, (x) => L(q, k, x), rand);
  }
});

test("packed sequences give exactly what each sequence gives alone", () => {
  const rand = rng(10);
  const h = { Hq: 4, Hkv: 2, D: 32 }, lengths = [40, 7, 90], scale = 1 / Math.sqrt(h.D);
  const offsets = offsetsOf(lengths), N = offsets[3];
  const q = randn(rand, N * h.Hq * h.D), k = randn(rand, N * h.Hkv * h.D), v = randn(rand, N * h.Hkv * h.D);
  const packed = forward(q, k, v, offsets, h, scale).out;
  lengths.forEach((n, s) => {
    const rows = (x: Float32Array, H: number) => x.slice(offsets[s] * H * h.D, offsets[s + 1] * H * h.D);
    const alone = forward(rows(q, h.Hq), rows(k, h.Hkv), rows(v, h.Hkv), offsetsOf([n]), h, scale).out;
    assert.deepEqual(packed.subarray(offsets[s] * h.Hq * h.D, offsets[s + 1] * h.Hq * h.D), alone, `sequence ${s}`);
  });
});

test("attentionCached: prefill and decode mixed in one call, in any slots, k and v packed or strided, equal the full forward", () => {
  const rand = rng(9);
  for (const D of [16, 64, 12]) {
    const Hq = 4, Hkv = 2, total = 80, maxT = 100, slotsN = 3, scale = 1 / Math.sqrt(D);
    // Sequence a: prefill 7, then one token per call. Sequence b joins at call 5 with a prefill of
    // 70 tokens (two key blocks), then decodes. They live in slots 2 and 0.
    const seqs = [0, 1].map(() => ({
      q: randn(rand, total * Hq * D), k: randn(rand, total * Hkv * D), v: randn(rand, total * Hkv * D),
    }));
    const full = seqs.map((x) => forward(x.q, x.k, x.v, offsetsOf([total]), { Hq, Hkv, D }, scale).out);
    const cacheK = new Float32Array(slotsN * Hkv * maxT * D), cacheV = new Float32Array(slotsN * Hkv * maxT * D);
    const slotOf = [2, 0], done = [0, 0], joinAt = [0, 5], firstChunk = [7, 70];
    for (let call = 0; done[0] < total || done[1] < total; call++) {
      const chunks = [0, 1].map((s) => (call < joinAt[s] || done[s] >= total ? 0 : done[s] === 0 ? firstChunk[s] : 1));
      const live = [0, 1].filter((s) => chunks[s] > 0);
      const offsets = offsetsOf(live.map((s) => chunks[s]));
      const take = (name: "q" | "k" | "v", H: number) => {
        const out = new Float32Array(offsets[live.length] * H * D);
        live.forEach((s, i) => out.set(seqs[s][name].subarray(done[s] * H * D, (done[s] + chunks[s]) * H * D), offsets[i] * H * D));
        return out;
      };
      const out = new Float32Array(offsets[live.length] * Hq * D);
      // k and v as slices of fused q|k|v rows on odd calls (kvStride), packed on even ones
      const q = take("q", Hq), k = take("k", Hkv), v = take("v", Hkv), fused = call % 2 === 1;
      const wide = (Hq + 2 * Hkv) * D, qkv = new Float32Array(offsets[live.length] * wide);
      for (let r = 0; r < offsets[live.length]; r++) {
        qkv.set(q.subarray(r * Hq * D, (r + 1) * Hq * D), r * wide);
        qkv.set(k.subarray(r * Hkv * D, (r + 1) * Hkv * D), r * wide + Hq * D);
        qkv.set(v.subarray(r * Hkv * D, (r + 1) * Hkv * D), r * wide + (Hq + Hkv) * D);
      }
      native.attentionCached(q, fused ? qkv.subarray(Hq * D) : k, fused ? qkv.subarray((Hq + Hkv) * D) : v, cacheK, cacheV,
        Int32Array.from(live, (s) => slotOf[s]), Int32Array.from(live, (s) => done[s]), offsets, Hq, Hkv, D, maxT, scale, out,
        fused ? wide : undefined);
      live.forEach((s, i) => {
        const ref = full[s].subarray(done[s] * Hq * D, (done[s] + chunks[s]) * Hq * D);
        assertClose(out.subarray(offsets[i] * Hq * D, offsets[i + 1] * Hq * D), ref, 1e-5, 1e-4, `D=${D} seq ${s} at ${done[s]}`);
        done[s] += chunks[s];
      });
    }
  }
});

test("kvCopySlot copies a slot's first positions, keys (transposed) and values, and nothing else", () => {
  const Hkv = 2, D = 3, maxT = 5, slots = 3, length = 4;
  const cacheK = randn(rng(5), slots * Hkv * D * maxT), cacheV = randn(rng(6), slots * Hkv * maxT * D);
  const k0 = cacheK.slice(), v0 = cacheV.slice();
  native.kvCopySlot(cacheK, cacheV, Hkv, D, maxT, 2, 0, length);
  const head = maxT * D;
  for (let slot = 0; slot < slots; slot++)
    for (let h = 0; h < Hkv; h++)
      for (let d = 0; d < D; d++)
        for (let t = 0; t < maxT; t++) {
          const copied = slot === 0 && t < length;
          const at = (slot * Hkv + h) * head, from = (2 * Hkv + h) * head;
          assert.equal(cacheK[at + d * maxT + t], copied ? k0[from + d * maxT + t] : k0[at + d * maxT + t]);
          assert.equal(cacheV[at + t * D + d], copied ? v0[from + t * D + d] : v0[at + t * D + d]);
        }
  assert.throws(() => native.kvCopySlot(cacheK, cacheV, Hkv, D, maxT, 3, 0, 1), /slots 3 -> 0/);
  assert.throws(() => native.kvCopySlot(cacheK, cacheV, Hkv, D, maxT, 1, 1, 1), /must differ/);
  assert.throws(() => native.kvCopySlot(cacheK, cacheV, Hkv, D, maxT, 0, 1, 6), /length 6 > maxT/);
});
