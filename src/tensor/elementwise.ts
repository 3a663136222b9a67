/**
 * Element-wise ops and reductions with their gradients, for losses written as plain
 * expressions (PPO ratios, clipping, advantages times log-probs). Binary ops take two tensors of
 * the same size (no broadcasting: the RL losses are per-token vectors); scalar forms take a
 * number. These run in TypeScript: they touch a few values per token, not per parameter.
 */
import { Tensor, record1, accumulate, type Shape } from "./tensor.ts";

function sameSize(op: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new Error(`${op}: shapes [${a.shape}] and [${b.shape}] differ in size`);
}

function unary(x: Tensor, f: (v: number) => number, df: (v: number, y: number) => number): Tensor {
  const y = new Float32Array(x.size);
  for (let i = 0; i < y.length; i++) y[i] = f(x.data[i]);
  return record1([x], y, x.shape, (out) => {
    const g = out.grad!;
    const dx = new Float32Array(x.size);
    for (let i = 0; i < dx.length; i++) dx[i] = g[i] * df(x.data[i], y[i]);
    accumulate(x, dx);
  });
}

export function add(a: Tensor, b: Tensor): Tensor {
  sameSize("add", a, b);
  const y = new Float32Array(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i] + b.data[i];
  return record1([a, b], y, a.shape, (out) => {
    const g = out.grad!;
    accumulate(b, g.slice());
    accumulate(a, g); // the output's gradient is dropped after this node: hand it over, no copy
  });
}

export function sub(a: Tensor, b: Tensor): Tensor {
  sameSize("sub", a, b);
  const y = new Float32Array(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i] - b.data[i];
  return record1([a, b], y, a.shape, (out) => {
    const g = out.grad!;
    accumulate(b, g.map((v) => -v));
    accumulate(a, g);
  });
}

export function mul(a: Tensor, b: Tensor): Tensor {
  sameSize("mul", a, b);
  const y = new Float32Array(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i] * b.data[i];
  return record1([a, b], y, a.shape, (out) => {
    const g = out.grad!;
    accumulate(a, g.map((v, i) => v * b.data[i]));
    accumulate(b, g.map((v, i) => v * a.data[i]));
  });
}

/** Picks a[i] where takeA(a[i], b[i]), else b[i]; the gradient follows the pick. */
function pick(a: Tensor, b: Tensor, takeA: (x: number, y: number) => boolean): Tensor {
  const y = new Float32Array(a.size);
  for (let i = 0; i < y.length; i++) y[i] = takeA(a.data[i], b.data[i]) ? a.data[i] : b.data[i];
  return record1([a, b], y, a.shape, (out) => {
    const g = out.grad!;
    accumulate(a, g.map((v, i) => (takeA(a.data[i], b.data[i]) ? v : 0)));
    accumulate(b, g.map((v, i) => (takeA(a.data[i], b.data[i]) ? 0 : v)));
  });
}

/** Element-wise minimum; the gradient goes to `a` where a <= b, else to `b`. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  sameSize("minimum", a, b);
  return pick(a, b, (x, y) => x <= y);
}

/** Element-wise maximum; the gradient goes to `a` where a >= b, else to `b`. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  sameSize("maximum", a, b);
  return pick(a, b, (x, y) => x >= y);
}

/** x * s + c for numbers s and c. */
export function affine(x: Tensor, s: number, c = 0): Tensor {
  return unary(x, (v) => v * s + c, () => s);
}

export function neg(x: Tensor): Tensor {
  return affine(x, -1);
}

export function exp(x: Tensor): Tensor {
  return unary(x, Math.exp, (_v, y) => y);
}

export function log(x: Tensor): Tensor {
  return unary(x, Math.log, (v) => 1 / v);
}

export function square(x: Tensor): Tensor {
  return unary(x, (v) => v * v, (v) => 2 * v);
}

/** log(sigmoid(x)), computed stably; the DPO loss is -logSigmoid(beta * margin). */
export function logSigmoid(x: Tensor): Tensor {
  return unary(
    x,
    (v) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v))),
    (v) => 1 / (1 + Math.exp(v)),
  );
}

/** Clamps to [lo, hi]; the gradient is zero where the value was clamped (as torch.clamp). */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  return unary(x, (v) => Math.min(hi, Math.max(lo, v)), (v) => (v < lo || v > hi ? 0 : 1));
}

/** Sum of all elements -> scalar [1]. */
export function sum(x: Tensor): Tensor {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i];
  return record1([x], Float32Array.of(s), [1], (out) => {
    accumulate(x, new Float32Array(x.size).fill(out.grad![0]));
  });
}

export function mean(x: Tensor): Tensor {
  return affine(sum(x), 1 / x.size);
}

/**
 * sum_i w[i] * x[i] -> scalar [1], with constant weights. Every loss aggregation is one of these:
 * token mean (w = 1/N), sequence-mean-token-mean (w = 1/(len_seq * numSeqs)), masked sums.
 */
export function weightedSum(x: Tensor, w: Float32Array): Tensor {
  if (w.length !== x.size) throw new Error(`weightedSum: ${w.length} weights for ${x.size} values`);
  let s = 0;
  for (let i = 0; i < x.size; i++) s += w[i] * x.data[i];
  return record1([x], Float32Array.of(s), [1], (out) => {
    const g = out.grad![0];
    accumulate(x, w.map((wi) => wi * g));
  });
}

/** Same data, new shape of the same size. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  return record1([x], x.data, shape, (out) => accumulate(x, out.grad!));
}

/**
 * Sums each segment of x: y[i] = sum of x[offsets[i] .. offsets[i+1]) -> [s], for offsets [s+1]
 * covering x end to end. Each element's gradient is its segment's. Sequence-level sums over packed
 * responses (DPO's log-ratios of whole responses) are one of these.
 */
export function segmentSum(x: Tensor, offsets: Int32Array): Tensor {
  const s = offsets.length - 1;
  if (s < 0 || offsets[0] !== 0 || offsets[s] !== x.size) {
    throw new Error(`segmentSum: offsets must run from 0 to ${x.size}, got [${offsets[0]} .. ${offsets[s]}]`);
  }
  const y = new Float32Array(s);
  for (let i = 0; i < s; i++) {
    if (offsets[i + 1] < offsets[i]) throw new Error(`segmentSum: offsets decrease at ${i + 1}`);
    let acc = 0;
    for (let t = offsets[i]; t < offsets[i + 1]; t++) acc += x.data[t];
    y[i] = acc;
  }
  return record1([x], y, [s], (out) => {
    const g = out.grad!;
    const dx = new Float32Array(x.size);
    for (let i = 0; i < s; i++) dx.fill(g[i], offsets[i], offsets[i + 1]);
    accumulate(x, dx);
  });
}
