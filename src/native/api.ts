/**
 * The contract between TypeScript and the C++ addon (native/).
 *
 * Every array is a contiguous row-major Float32Array (ids: Int32Array). Kernels never allocate
 * what the caller sees: outputs are passed in and overwritten, except where a comment says
 * "accumulated" (+=), which is how parameter gradients are summed. Shapes are in comments;
 * B = batch, T = time, H = heads, D = head dim, N = rows (usually B*T), V = vocabulary.
 */
export type GemmBackend = "onednn" | "openblas" | "portable";

export interface NativeInfo {
  backend: GemmBackend;
  threads: number;
  /** CPU features the kernels can use, as reported by the CPU (e.g. "avx512f", "amx_bf16"). */
  cpuFeatures: string[];
  /** Backend library version string, e.g. "oneDNN 2.6.3". */
  backendVersion: string;
  /** Whether bf16 products run in hardware here (oneDNN on AVX512-BF16 or AMX): `packLinear(.., true)`. */
  bf16: boolean;
}

/** Weights prepared by `packLinear` (an opaque handle; its memory is freed with it). */
export type PackedLinear = { readonly __packedLinear: unique symbol };

export interface NativeAddon {
  info(): NativeInfo;
  /** Sets the size of the one thread pool that every kernel (and the GEMM backend) uses. */
  setThreads(n: number): void;

  /**
   * C[M,N] = alpha * op(A) @ op(B) + beta * C, with op(A) = A [M,K] or A^T (A stored [K,M]) and
   * op(B) = B [K,N] or B^T (B stored [N,K]).
   */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: Float32Array, B: Float32Array, beta: number, C: Float32Array,
  ): void;

  /**
   * Prepares W[N,K] for `linearForward` in the backend's preferred layout: a copy, in f32, or in
   * bf16 when `bf16` (rounded to nearest; throws RangeError unless info().bf16). Pack again after
   * W changes.
   */
  packLinear(W: Float32Array, N: number, K: number, bf16: boolean): PackedLinear;
  /** Frees a packed weight now (else the garbage collector does); linearForward on it then throws TypeError. */
  releaseLinear(packed: PackedLinear): void;
  /**
   * y[M,N] = x[M,K] @ W^T (+ y when accumulate) with W packed by `packLinear`; with bf16 weights
   * x is rounded to bf16 and the products accumulate in f32. The GEMM runs on linearRows(M) rows
   * (M rounded up to a bucket, so a few compiled kernels serve every row count): x and y must
   * hold that many rows, and the rows past M are scratch.
   */
  linearForward(x: Float32Array, M: number, packed: PackedLinear, y: Float32Array, accumulate: boolean): void;
  /** The rows `linearForward` computes for M: M below 16, then M rounded up by less than 1/8. */
  linearRows(M: number): number;

  /** y[N,dim] = x / sqrt(mean(x^2) + eps) * weight[dim]; rstd[N] saved for the backward. */
  rmsnormForward(x: Float32Array, weight: Float32Array, N: number, dim: number, eps: number,
    y: Float32Array, rstd: Float32Array): void;
  /** dx[N,dim] written (added to when `accumulate`); dweight[dim] accumulated. */
  rmsnormBackward(dy: Float32Array, x: Float32Array, weight: Float32Array, rstd: Float32Array,
    N: number, dim: number, dx: Float32Array, dweight: Float32Array, accumulate?: boolean): void;

  /**
   * Rotary embedding, Hugging Face rotate-half convention, on x[N, H, D] (N = B*T rows):
   * y = x * cos(p * f) + rotate_half(x) * sin(p * f), rotate_half([x1, x2]) = [-x2, x1],
   * with p = positions[n] and f = invFreq[D/2] (the caller computes invFreq, so any RoPE
   * scaling works). The backward is the same call with `inverse` true (rotation by -angle).
   * y may be x (in place). Row n of x starts at n * xStride, of y at n * yStride (default H * D:
   * packed rows; larger for the q or k heads inside the rows of a fused q|k|v projection).
   */
  rope(x: Float32Array, positions: Int32Array, invFreq: Float32Array, N: number, H: number,
    D: number, inverse: boolean, y: Float32Array, xStride?: number, yStride?: number): void;

  /** out = silu(gate) * up, all [n]. */
  swigluForward(gate: Float32Array, up: Float32Array, n: number, out: Float32Array): void;
  /** The same over a fused projection: row r of gateUp[rows, 2I] is [gate | up]; out[rows, I]. */
  swigluRows(gateUp: Float32Array, rows: number, I: number, out: Float32Array): void;
  /** dgate, dup [n] written. */
  swigluBackward(dout: Float32Array, gate: Float32Array, up: Float32Array, n: number,
    dgate: Float32Array, dup: Float32Array): void;

  /** out[N,dim] = weight[ids[n], :]; throws RangeError if an id is outside [0, V). */
  embeddingForward(weight: Float32Array, V: number, dim: number, ids: Int32Array,
    out: Float32Array): void;
  /** dweight[V,dim] accumulated: dweight[ids[n], :] += dout[n, :]. */
  embeddingBackward(dout: Float32Array, ids: Int32Array, V: number, dim: number,
    dweight: Float32Array): void;

  /**
   * Causal grouped-query self-attention over packed sequences: sequence s is the token rows
   * offsets[s] .. offsets[s+1]-1 (offsets[S+1], from 0, non-decreasing; N = offsets[S]) of
   * q[N,Hq,D] and k/v[N,Hkv,D], and each token attends the tokens of its own sequence up to
   * itself, so sequences of different lengths cost no work on padding (a right-padded [B,T]
   * batch is offsets 0, T, 2T, ...). Query head h uses KV head floor(h / (Hq / Hkv)); no KV
   * copies. Writes out[N,Hq,D] and lse[N,Hq] (log-sum-exp of the scaled scores, for the backward).
   */
  attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, offsets: Int32Array,
    Hq: number, Hkv: number, D: number, scale: number, out: Float32Array, lse: Float32Array): void;
  /** dq, dk, dv written (same shapes as q, k, v). */
  attentionBackward(dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array,
    out: Float32Array, lse: Float32Array, offsets: Int32Array, Hq: number, Hkv: number, D: number,
    scale: number, dq: Float32Array, dk: Float32Array, dv: Float32Array): void;

  /**
   * KV-cache attention over packed sequences, prefill and decoding in one call. Sequence s brings
   * the token rows offsets[s] .. offsets[s+1]-1 of q[N,Hq,D], k/v[N,Hkv,D], at positions
   * start[s] .. of cache slot slots[s] (distinct). Their keys and values are first written into
   * the slot, then each token attends the slot's positions 0 .. its own. cacheK is
   * [slots, Hkv, D, maxT] (keys transposed), cacheV [slots, Hkv, maxT, D]; the slot count is
   * cacheK.length / (Hkv * maxT * D). Writes out[N,Hq,D]. Rows of k and v are kvStride floats
   * apart (default Hkv * D; larger when they are slices of a fused q|k|v projection's rows).
   * Throws RangeError if a slot is out of range or repeated, or start[s] + its token count > maxT.
   */
  attentionCached(q: Float32Array, k: Float32Array, v: Float32Array, cacheK: Float32Array,
    cacheV: Float32Array, slots: Int32Array, start: Int32Array, offsets: Int32Array, Hq: number,
    Hkv: number, D: number, maxT: number, scale: number, out: Float32Array, kvStride?: number): void;

  /**
   * Copies positions 0 .. length-1 of KV-cache slot `from` into slot `to` (layouts as in
   * attentionCached, maxT positions per slot). Throws RangeError if a slot is out of range, the
   * two are the same, or length > maxT.
   */
  kvCopySlot(cacheK: Float32Array, cacheV: Float32Array, Hkv: number, D: number, maxT: number,
    from: number, to: number, length: number): void;

  /**
   * Fused LM head + log-softmax, chunked over rows so no [N, V] tensor is kept:
   * z = scale * hidden[N,dim] @ W[V,dim]^T; logp[n] = log softmax(z[n])[targets[n]];
   * entropy[n] = -sum softmax(z[n]) * log softmax(z[n]); lse[n] = logsumexp(z[n]) (saved).
   * With `saved` (N*V floats) the logits are kept there, in the kernel's tile order, for the backward.
   */
  lmHeadLogprobForward(hidden: Float32Array, W: Float32Array, targets: Int32Array, N: number,
    dim: number, V: number, scale: number, logp: Float32Array, entropy: Float32Array,
    lse: Float32Array, saved?: Float32Array): void;
  /**
   * Backward of the above given dlogp[N] and dentropy[N] (either may be all zeros):
   * dhidden[N,dim] written, dW[V,dim] accumulated. Recomputes the logits chunk by chunk.
   * `entropy` (optional) is the forward's entropy[N]: the dentropy path needs it, and without it
   * a non-zero dentropy costs an extra forward pass to recompute it. `saved` (optional, N*V floats)
   * is the buffer the forward kept its logits in: then they are not computed again (a quarter of
   * the LM head's work), and the buffer is overwritten.
   */
  lmHeadLogprobBackward(dlogp: Float32Array, dentropy: Float32Array, hidden: Float32Array,
    W: Float32Array, targets: Int32Array, lse: Float32Array, N: number, dim: number, V: number,
    scale: number, dhidden: Float32Array, dW: Float32Array, entropy?: Float32Array,
    saved?: Float32Array): void;

  /**
   * Samples one token per row of logits[B,V]. Row b: z = logits / temperature; keep the topK
   * largest (topK <= 0: all), then the smallest set whose probability reaches topP (1: all);
   * draw with the uniform number uniforms[b] in [0,1). temperature <= 0 means greedy (argmax,
   * lowest id on ties). ids[b] gets the token; logp[b] its log-probability under
   * softmax(logits / temperature) before any top-k/top-p filtering (under softmax(logits) when
   * greedy). NaN logits get probability 0; +inf logits share all of it. The uniforms are clamped
   * into [0, 1).
   */
  sample(logits: Float32Array, B: number, V: number, temperature: number, topK: number,
    topP: number, uniforms: Float32Array, ids: Int32Array, logp: Float32Array): void;

  /**
   * One AdamW step over every parameter at once (decoupled weight decay, bias-corrected):
   * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr * (m/(1-b1^step) / (sqrt(v/(1-b2^step)) + eps)
   * + weightDecay * p). Arrays are matched by index.
   */
  adamw(params: Float32Array[], grads: Float32Array[], m: Float32Array[], v: Float32Array[],
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number,
    step: number): void;

  /** sqrt of the sum of squares over all arrays (accumulated in double). */
  globalNorm(arrays: Float32Array[]): number;
  /** Multiplies every element of every array by s, in place. */
  scaleInPlace(arrays: Float32Array[], s: number): void;
}
