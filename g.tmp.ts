import { native } from "./src/native/index.ts";
function cpu(fn: () => void, n: number): number { fn(); const t = process.cpuUsage(); for (let i = 0; i < n; i++) fn(); const e = process.cpuUsage(t); return (e.user + e.system) / n; }
const r = (n: number, s = 1) => Float32Array.from({ length: n }, () => (Math.random() - 0.5) * s);
const N = 1020, dim = 896, V = 151936;
const hidden = r(N * dim), W = r(V * dim, 0.05), targets = new Int32Array(N).map((_, i) => (i * 7919) % V);
const logp = new Float32Array(N), ent = new Float32Array(N), lse = new Float32Array(N), dh = new Float32Array(N * dim), dW = new Float32Array(V * dim);
const dlogp = r(N), dent = new Float32Array(N);
const f = cpu(() => native.lmHeadLogprobForward(hidden, W, targets, N, dim, V, 1, logp, ent, lse), 1);
const b = cpu(() => native.lmHeadLogprobBackward(dlogp, dent, hidden, W, targets, lse, N, dim, V, 1, dh, dW, ent), 1);
const fl = 2 * N * dim * V;
console.log(`lm head fwd ${(f/1e6).toFixed(2)} s (${(fl/f/1e3).toFixed(0)} GFLOP/s), bwd ${(b/1e6).toFixed(2)} s (${(3*fl/b/1e3).toFixed(0)} GFLOP/s)`);
