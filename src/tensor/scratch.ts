/**
 * Scratch memory for activations and their gradients, reused from one micro-batch to the next.
 *
 * Why not plain `new Float32Array`: every typed array's backing store is external memory to V8,
 * and a training step allocates a few hundred MB of them. V8 answers external growth with a
 * garbage collection every few tens of MB: on the built-in default's RL step that was a full
 * mark-compact about every 50 ms and 9% of the step, plus the page faults of fresh memory. So a
 * caller that knows when its activations die says so: inside `withScratch(fn)`, `scratch(n)`
 * hands out buffers from free lists, and when fn returns every buffer it took goes back to them.
 * Nothing taken inside fn may be read after it returns (copy results out inside fn). Outside any
 * scope, `scratch(n)` is a fresh buffer that the garbage collector owns, as before.
 *
 * Buffers come in size classes a quarter of an octave apart (at most 19% unused), so micro-batches
 * of slightly different token counts reuse each other's buffers; a request may take a free buffer
 * up to two classes larger. The free lists keep what the largest scope used (as PyTorch's caching
 * allocator does); `releaseScratch()` hands it back to the system.
 */

/** Free buffers by size class. */
const free = new Map<number, ArrayBuffer[]>();
/** The buffers taken by each open scope, innermost last. */
const scopes: ArrayBuffer[][] = [];
let poison = false;

/** Size class of a byte count: 4 steps per power of two. */
function classOf(bytes: number): number {
  const octave = Math.max(0, Math.ceil(Math.log2(bytes)) - 3);
  const base = 2 ** octave;
  const quarter = Math.ceil(bytes / base) - 4; // bytes ∈ (4..8] * base: quarter 1..4
  return 4 * octave + Math.max(0, quarter - 1);
}

function classBytes(c: number): number {
  return (4 + (c % 4) + 1) * 2 ** Math.floor(c / 4);
}

/** An uninitialized Float32Array of n elements: pooled inside a `withScratch` scope, fresh outside. */
export function scratch(n: number): Float32Array {
  const scope = scopes[scopes.length - 1];
  if (!scope) return fresh(n * 4, n);
  const c = classOf(Math.max(n * 4, 64));
  let buf: ArrayBuffer | undefined;
  for (let k = c; k <= c + 2 && !buf; k++) buf = free.get(k)?.pop();
  buf ??= fresh(classBytes(c), 0).buffer as ArrayBuffer;
  scope.push(buf);
  return new Float32Array(buf, 0, n);
}

/** Not zero-filled: a kernel overwrites it whole (zeroing a step's activations cost ~5% of it). */
function fresh(bytes: number, n: number): Float32Array {
  const b = Buffer.allocUnsafeSlow(bytes); // never from Node's small-buffer pool: its own ArrayBuffer
  return new Float32Array(b.buffer, b.byteOffset, n || bytes / 4);
}

/** Runs fn; every buffer `scratch` gave out meanwhile is free again when fn returns (or throws). */
export function withScratch<T>(fn: () => T): T {
  scopes.push([]);
  try {
    return fn();
  } finally {
    for (const buf of scopes.pop()!) {
      if (poison) new Float32Array(buf, 0, buf.byteLength >> 2).fill(NaN);
      const c = classOf(buf.byteLength);
      let list = free.get(c);
      if (!list) free.set(c, (list = []));
      list.push(buf);
    }
  }
}

/** Drops the free lists, so their memory can go back to the system. */
export function releaseScratch(): void {
  free.clear();
}

/** Tests: fill every buffer with NaN when its scope ends, so a read after the scope shows. */
export function poisonScratch(on: boolean): void {
  poison = on;
}
