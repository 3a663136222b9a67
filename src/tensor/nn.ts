/**
 * Transformer ops over the native kernels, each recording its backward on the tape.
 * Shapes: N = rows (B*T tokens), dim = model width, H = heads, D = head dim, V = vocabulary.
 * Parameter gradients are accumulated straight into `param.grad` by the kernels (beta = 1 GEMMs,
 * `+=` kernels), so a parameter used twice needs no extra buffer. Activations and their gradients
 * are `scratch` buffers: reused across micro-batches inside a `withScratch` scope.
 */
import { native } from "../native/index.ts";
import { Tensor, record, record1, accumulate } from "./tensor.ts";
import { scratch } from "./scratch.ts";

function rows(x: Tensor, dim: number, op: string): number {
  if (x.size % dim !== 0) throw new Error(`${op}: input of shape [${x.shape}] is not a multiple of ${dim}`);
  return x.size / dim;
}

/**
 * y[N,out] = x[N,in] @ W[out,in]^T (+ b[out]) (+ residual[N,out]), the Hugging Face nn.Linear
 * layout. A residual connection is summed by the GEMM itself (beta = 1), and its gradient, dy, is
 * handed over without a copy.
 */
export function linear(x: Tensor, W: Tensor, b?: Tensor, residual?: Tensor): Tensor {
  const [outF, inF] = W.shape;
  const N = rows(x, inF, "linear");
  if (residual && residual.size !== N * outF) throw new Error(`linear: residual of shape [${residual.shape}] for ${N} x ${outF} outputs`);
  const y = scratch(N * outF);
  if (residual) y.set(residual.data);
  if (b) native.gemm(false, false, N, outF, 1, 1, ones(N), b.data, residual ? 1 : 0, y); // y (+)= 1 b^T
  native.gemm(false, true, N, outF, inF, 1, x.data, W.data, b || residual ? 1 : 0, y);
  const inputs = [x, W, ...(b ? [b] : []), ...(residual ? [residual] : [])];
  return record1(inputs, y, [...x.shape.slice(0, -1), outF], (out) => {
    const dy = out.grad!;
    if (x.requiresGrad) {
      // dx[N,in] (+)= dy[N,out] @ W[out,in], straight into x's gradient: an activation's first is a
      // scratch buffer, a parameter's its own (it outlives the scope), as in `accumulate`
      const beta = x.grad ? 1 : 0;
      native.gemm(false, false, N, inF, outF, 1, dy, W.data, beta, x.grad ?? (x.name ? x.gradBuffer() : (x.grad = scratch(x.size))));
    }
    // dW[out,in] += dy^T[out,N] @ x[N,in]
    if (W.requiresGrad) native.gemm(true, false, outF, inF, N, 1, dy, x.data, 1, W.gradBuffer());
    // db[1,out] += 1^T dy
    if (b?.requiresGrad) native.gemm(false, false, 1, outF, N, 1, ones(N), dy, 1, b.gradBuffer());
    if (residual) accumulate(residual, dy);
  });
}

let onesCache = new Float32Array(0);
/** A vector of n ones (shared; read only). */
function ones(n: number): Float32Array {
  if (onesCache.length < n) onesCache = new Float32Array(n).fill(1);
  return onesCache;
}

/** RMSNorm over the last dimension: x / sqrt(mean(x^2) + eps) * weight. */
export function rmsnorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  const dim = weight.size;
  const N = rows(x, dim, "rmsnorm");
  const y = scratch(x.size);
  const rstd = scratch(N);
  native.rmsnormForward(x.data, weight.data, N, dim, eps, y, rstd);
  return record1([x, weight], y, x.shape, (out) => {
    const into = x.requiresGrad && x.grad !== null; // x also feeds a residual: add to its gradient in place
    const dx = into ? x.grad! : scratch(x.size);
    const dw = weight.requiresGrad ? weight.gradBuffer() : scratch(dim);
    native.rmsnormBackward(out.grad!, x.data, weight.data, rstd, N, dim, dx, dw, into);
    if (!into) accumulate(x, dx);
  });
}

/** Rotary position embedding on x[N, H, D] at positions[N] (rotate-half convention). */
export function rope(x: Tensor, positions: Int32Array, invFreq: Float32Array, H: number, D: number): Tensor {
  const N = rows(x, H * D, "rope");
  if (positions.length !== N) throw new Error(`rope: ${positions.length} positions for ${N} rows`);
  const y = scratch(x.size);
  native.rope(x.data, positions, invFreq, N, H, D, false, y);
  return record1([x], y, x.shape, (out) => {
    const dx = scratch(x.size);
    native.rope(out.grad!, positions, invFreq, N, H, D, true, dx);
    accumulate(x, dx);
  });
}

/** silu(gate) * up, element-wise. */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  const y = scratch(gate.size);
  native.swigluForward(gate.data, up.data, gate.size, y);
  return record1([gate, up], y, gate.shape, (out) => {
    const dg = scratch(gate.size);
    const du = scratch(up.size);
    native.swigluBackward(out.grad!, gate.data, up.data, gate.size, dg, du);
    accumulate(gate, dg);
    accumulate(up, du);
  });
}

/** Rows of weight[V, dim] picked by ids[N] -> [N, dim]. */
export function embedding(weight: Tensor, ids: Int32Array): Tensor {
  const [V, dim] = weight.shape;
  const y = scratch(ids.length * dim);
  native.embeddingForward(weight.data, V, dim, ids, y);
  return record1([weight], y, [ids.length, dim], (out) => {
    native.embeddingBackward(out.grad!, ids, V, dim, weight.gradBuffer());
  });
}

export interface AttentionHeads {
  Hq: number;
  Hkv: number;
  D: number;
}

export interface AttentionShape extends AttentionHeads {
  B: number;
  T: number;
}

/**
 * Causal grouped-query attention over packed sequences: sequence s is rows offsets[s] ..
 * offsets[s+1]-1 of q[N,Hq,D], k/v[N,Hkv,D], and attends only within itself -> [N,Hq,D].
 */
export function attentionPacked(q: Tensor, k: Tensor, v: Tensor, offsets: Int32Array, h: AttentionHeads): Tensor {
  const { Hq, Hkv, D } = h;
  const N = offsets[offsets.length - 1];
  const scale = 1 / Math.sqrt(D);
  const y = scratch(N * Hq * D);
  const lse = scratch(N * Hq);
  native.attentionForward(q.data, k.data, v.data, offsets, Hq, Hkv, D, scale, y, lse);
  return record1([q, k, v], y, q.shape, (out) => {
    const dq = scratch(q.size);
    const dk = scratch(k.size);
    const dv = scratch(v.size);
    native.attentionBackward(out.grad!, q.data, k.data, v.data, y, lse, offsets, Hq, Hkv, D, scale, dq, dk, dv);
    accumulate(q, dq);
    accumulate(k, dk);
    accumulate(v, dv);
  });
}

/** Causal grouped-query attention over a right-padded batch: q[B,T,Hq,D], k/v[B,T,Hkv,D] -> [B,T,Hq,D]. */
export function attention(q: Tensor, k: Tensor, v: Tensor, s: AttentionShape): Tensor {
  return attentionPacked(q, k, v, Int32Array.from({ length: s.B + 1 }, (_, b) => b * s.T), s);
}

/** Rows of x[N, dim] at the given row indices -> [rows.length, dim]. */
export function gatherRows(x: Tensor, rowIds: Int32Array): Tensor {
  const dim = x.shape[x.shape.length - 1];
  const N = rows(x, dim, "gatherRows");
  const y = scratch(rowIds.length * dim);
  rowIds.forEach((r, i) => {
    if (r < 0 || r >= N) throw new RangeError(`gatherRows: row ${r} outside [0, ${N})`);
    y.set(x.data.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  const increasing = rowIds.every((r, i) => i === 0 || r > rowIds[i - 1]);
  return record1([x], y, [rowIds.length, dim], (out) => {
    const g = out.grad!;
    const dx = scratch(x.size).fill(0);
    rowIds.forEach((r, i) => {
      if (increasing) dx.set(g.subarray(i * dim, (i + 1) * dim), r * dim); // distinct rows: a copy
      else for (let j = 0; j < dim; j++) dx[r * dim + j] += g[i * dim + j];
    });
    accumulate(x, dx);
  });
}

/** The most logits (N*V floats, 1 GiB) that tokenLogprobs keeps between forward and backward. */
export const SAVED_LOGITS_LIMIT = 2 ** 28;

/**
 * Per-token log-probability of targets and entropy of the next-token distribution, through the
 * fused LM head: logits = scale * hidden[N,dim] @ W[V,dim]^T, computed in tiles; kept for the
 * backward up to SAVED_LOGITS_LIMIT, else computed again there.
 * `scale` is 1/temperature, so log-probs match a sampler run at that temperature.
 * Returns logp[N] and entropy[N].
 */
export function tokenLogprobs(hidden: Tensor, W: Tensor, targets: Int32Array, scale = 1): { logp: Tensor; entropy: Tensor } {
  const [V, dim] = W.shape;
  const N = rows(hidden, dim, "tokenLogprobs");
  if (targets.length !== N) throw new Error(`tokenLogprobs: ${targets.length} targets for ${N} rows`);
  const logp = scratch(N);
  const ent = scratch(N);
  const lse = scratch(N);
  // Logits kept for the backward (so it need not compute them again) when they fit the budget.
  const tracked = hidden.requiresGrad || W.requiresGrad;
  const saved = tracked && N * V <= SAVED_LOGITS_LIMIT ? scratch(N * V) : undefined;
  native.lmHeadLogprobForward(hidden.data, W.data, targets, N, dim, V, scale, logp, ent, lse, saved);
  const [logpT, entT] = record([hidden, W], [{ data: logp, shape: [N] }, { data: ent, shape: [N] }], ([lo, en]) => {
    const dh = scratch(hidden.size);
    const dW = W.requiresGrad ? W.gradBuffer() : scratch(W.size);
    native.lmHeadLogprobBackward(lo.grad ?? scratch(N).fill(0), en.grad ?? scratch(N).fill(0),
      hidden.data, W.data, targets, lse, N, dim, V, scale, dh, dW, ent, saved);
    accumulate(hidden, dh);
  });
  return { logp: logpT, entropy: entT };
}
