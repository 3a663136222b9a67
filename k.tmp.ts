import { native } from "./src/native/index.ts";
function cpu(fn: () => void, n: number): number { fn(); const t = process.cpuUsage(); for (let i = 0; i < n; i++) fn(); const e = process.cpuUsage(t); return (e.user + e.system) / n; }
const r = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
for (const [B, T, Hq, Hkv, D] of [[8, 256, 8, 4, 32], [4, 256, 14, 2, 64]]) {
  const N = B * T, q = r(N * Hq * D), k = r(N * Hkv * D), v = r(N * Hkv * D), out = new Float32Array(N * Hq * D), lse = new Float32Array(N * Hq);
  const dq = new Float32Array(N * Hq * D), dk = new Float32Array(N * Hkv * D), dv = new Float32Array(N * Hkv * D), dout = r(N * Hq * D);
  const offsets = Int32Array.from({ length: B + 1 }, (_, b) => b * T);
  const f = cpu(() => native.attentionForward(q, k, v, offsets, Hq, Hkv, D, 1 / Math.sqrt(D), out, lse), 10);
  const b = cpu(() => native.attentionBackward(dout, q, k, v, out, lse, offsets, Hq, Hkv, D, 1 / Math.sqrt(D), dq, dk, dv), 5);
  const fl = 4 * B * Hq * (T * (T + 1) / 2) * D; // causal QK + PV
  console.log(`B=${B} T=${T} Hq=${Hq} Hkv=${Hkv} D=${D}: fwd ${(f / 1e3).toFixed(1)} ms (${(fl / f / 1e3).toFixed(1)} GFLOP/s), bwd ${(b / 1e3).toFixed(1)} ms (${(2.5 * fl / b / 1e3).toFixed(1)} GFLOP/s)`);
}
