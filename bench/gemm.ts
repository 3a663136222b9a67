/**
 * GEMM and fused-kernel benchmark of the native addon. `benchGemm()` returns the lines to print:
 * GFLOP/s on DESIGN.md's three shapes (best and median of repeated runs, since the machine may be
 * shared), the fp32 peak, the ratios to peak and to DESIGN.md's oneDNN figures, then ms per call
 * of attention, the LM head and the sampler at model-sized shapes.
 */
import { readFileSync } from "node:fs";
import { native } from "../src/native/index.ts";

/** DESIGN.md: oneDNN matmul primitive, 2 threads. Shapes are M x K x N. */
const SHAPES = [
  { name: "512x512x512", M: 512, K: 512, N: 512, design: 203 },
  { name: "64x896x896", M: 64, K: 896, N: 896, design: 216 },
  { name: "2048x896x4864", M: 2048, K: 896, N: 4864, design: 205 },
];

function random(n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (Math.random() * 2 - 1) * scale;
  return a;
}

/** Runs fn once to warm up, then until `seconds` have passed (at least 3 times); ms per call. */
function time(fn: () => void, seconds = 1): { best: number; median: number } {
  fn();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (times.length < 3 || performance.now() < end) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(times.length / 2)] };
}

/** Max core frequency in GHz and where it was read from. */
function cpuGHz(): { ghz: number; source: string } {
  try {
    const khz = Number(readFileSync("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "utf8"));
    if (khz > 0) return { ghz: khz / 1e6, source: "cpufreq cpuinfo_max_freq" };
  } catch { /* not exposed (e.g. in a VM) */ }
  const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
  return m ? { ghz: Number(m[1]) / 1000, source: "/proc/cpuinfo cpu MHz (current, not max)" } : { ghz: NaN, source: "unknown" };
}

export async function benchGemm(): Promise<string[]> {
  const info = native.info();
  const { ghz, source } = cpuGHz();
  // cores x GHz x 2 FMA units x 16 fp32 lanes (AVX-512) x 2 flops per FMA
  const peak = info.threads * ghz * 2 * 16 * 2;
  const lines = [
    `native: ${info.backend} (${info.backendVersion}), ${info.threads} threads, features: ${info.cpuFeatures.join(" ")}`,
    `fp32 peak ${peak.toFixed(0)} GFLOP/s = ${info.threads} cores x ${ghz.toFixed(2)} GHz (${source}) x 2 FMA x 16 lanes x 2` +
      " (above 100% means the cores run faster than that clock)",
  ];
  for (const s of SHAPES) {
    const A = random(s.M * s.K), B = random(s.K * s.N), C = new Float32Array(s.M * s.N);
    const t = time(() => native.gemm(false, false, s.M, s.N, s.K, 1, A, B, 0, C));
    const flops = 2 * s.M * s.N * s.K, best = flops / t.best / 1e6, median = flops / t.median / 1e6;
    lines.push(`gemm ${s.name.padEnd(14)} best ${best.toFixed(1).padStart(6)} GFLOP/s, median ${median.toFixed(1).padStart(6)}` +
      ` | best ${(100 * best / peak).toFixed(0)}% of peak, ${(100 * best / s.design).toFixed(0)}% of DESIGN.md oneDNN (${s.design})`);
  }

  // Decode-shaped GEMMs (32 rows) as the generation path runs them: y = x W^T with W prepacked.
  for (const [M, N, K] of [[32, 151936, 896], [32, 4864, 896], [32, 896, 4864]]) {
    const W = random(N * K, 0.05), rows = native.linearRows(M), x = random(rows * K), y = new Float32Array(rows * N);
    const rate = (fn: () => void) => (2 * M * N * K) / time(fn, 2).median / 1e6;
    const plain = rate(() => native.gemm(false, true, M, N, K, 1, x, W, 0, y));
    const f32 = native.packLinear(W, N, K, false);
    let line = `linear ${M}x${N}x${K} (x W^T) median GFLOP/s: plain gemm ${plain.toFixed(0)}, packed f32 ${rate(() => native.linearForward(x, M, f32, y, false)).toFixed(0)}`;
    if (info.bf16) {
      const bf16 = native.packLinear(W, N, K, true);
      line += `, packed bf16 ${rate(() => native.linearForward(x, M, bf16, y, false)).toFixed(0)}`;
    }
    lines.push(line);
  }

  // Why generation fuses q|k|v and gate|up: on 32 rows of the mini model (hidden 256), the same
  // outputs from separate packed GEMMs and from one GEMM over the stacked weights.
  for (const [what, Ns] of [["q, k, v", [256, 128, 128]], ["gate, up", [704, 704]]] as const) {
    const M = 32, K = 256, rows = native.linearRows(M), x = random(rows * K);
    const us = (parts: readonly number[]) => {
      const packs = parts.map((N) => native.packLinear(random(N * K, 0.05), N, K, false));
      const ys = parts.map((N) => new Float32Array(rows * N));
      return 1000 * time(() => packs.forEach((p, i) => native.linearForward(x, M, p, ys[i], false))).median;
    };
    const total = Ns.reduce((a, b) => a + b, 0);
    lines.push(`linear 32 rows x ${K}: ${what} (${Ns.join("+")} outputs) as ${Ns.length} GEMMs ${us(Ns).toFixed(0)} us, fused into one ${us([total]).toFixed(0)} us`);
  }

  const fmt = (name: string, t: { best: number; median: number }) =>
    `${name.padEnd(52)} best ${t.best.toFixed(2).padStart(8)} ms, median ${t.median.toFixed(2).padStart(8)} ms`;
  {
    const B = 8, T = 256, Hq = 14, Hkv = 2, D = 64, nq = B * T * Hq * D, nkv = B * T * Hkv * D, scale = 1 / 8;
    const q = random(nq), k = random(nkv), v = random(nkv), out = new Float32Array(nq), lse = new Float32Array(B * Hq * T);
    const dq = new Float32Array(nq), dk = new Float32Array(nkv), dv = new Float32Array(nkv), dout = random(nq);
    const offsets = Int32Array.from({ length: B + 1 }, (_, b) => b * T);
    lines.push(fmt(`attention fwd B=${B} T=${T} Hq=${Hq} Hkv=${Hkv} D=${D}`,
      time(() => native.attentionForward(q, k, v, offsets, Hq, Hkv, D, scale, out, lse))));
    lines.push(fmt("attention bwd (same)",
      time(() => native.attentionBackward(dout, q, k, v, out, lse, offsets, Hq, Hkv, D, scale, dq, dk, dv))));
  }
  {
    const B = 32, ctx = 192, Hq = 14, Hkv = 2, D = 64, maxT = 256;
    const q = random(B * Hq * D), k = random(B * Hkv * D), v = random(B * Hkv * D), out = new Float32Array(B * Hq * D);
    const cacheK = random(B * Hkv * maxT * D), cacheV = random(B * Hkv * maxT * D), start = new Int32Array(B).fill(ctx);
    const slots = Int32Array.from({ length: B }, (_, b) => b), offsets = Int32Array.from({ length: B + 1 }, (_, b) => b);
    lines.push(fmt(`attention decode step B=${B} context=${ctx} Hq=${Hq} Hkv=${Hkv}`, time(() =>
      native.attentionCached(q, k, v, cacheK, cacheV, slots, start, offsets, Hq, Hkv, D, maxT, 1 / 8, out))));
  }
  {
    const N = 512, dim = 896, V = 151936;
    const hidden = random(N * dim), W = random(V * dim, 0.05), targets = new Int32Array(N).map((_, i) => (i * 7919) % V);
    const logp = new Float32Array(N), entropy = new Float32Array(N), lse = new Float32Array(N);
    const dhidden = new Float32Array(N * dim), dW = new Float32Array(V * dim), dlogp = random(N), dentropy = random(N);
    lines.push(fmt(`lm head fwd N=${N} dim=${dim} V=${V}`,
      time(() => native.lmHeadLogprobForward(hidden, W, targets, N, dim, V, 1, logp, entropy, lse), 3)));
    lines.push(fmt("lm head bwd (same, dlogp and dentropy)", time(() => native.lmHeadLogprobBackward(dlogp, dentropy,
      hidden, W, targets, lse, N, dim, V, 1, dhidden, dW, entropy), 3)));
  }
  {
    const B = 32, V = 151936, logits = random(B * V, 5), uniforms = random(B).map(Math.abs);
    const ids = new Int32Array(B), logp = new Float32Array(B);
    for (const [label, temperature, topK, topP] of [["greedy", 0, 0, 1], ["T=1", 1, 0, 1], ["T=1 top-k=50", 1, 50, 1],
      ["T=1 top-p=0.95", 1, 0, 0.95]] as const) {
      lines.push(fmt(`sampler B=${B} V=${V} ${label}`,
        time(() => native.sample(logits, B, V, temperature, topK, topP, uniforms, ids, logp))));
    }
  }
  return lines;
}
