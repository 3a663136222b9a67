/**
 * Tensor and reverse-mode autograd.
 *
 * A Tensor is a contiguous row-major Float32Array with a shape. Every op that has an input
 * requiring a gradient records one `Node` on the tape: the backward closure reads the gradients
 * of the node's outputs and adds into the gradients of its inputs. `backward(loss)` runs the tape
 * in reverse, so a node runs after every node that consumed its outputs. Gradients accumulate
 * (`+=`) into `Tensor.grad`, which is how a parameter used twice (tied embeddings) gets both
 * contributions; `zeroGrad` clears them between steps.
 *
 * Simplification: one global tape, no higher-order gradients, no views: an op that reshapes
 * shares the data array but gets its own gradient buffer.
 */

export type Shape = readonly number[];

export class Tensor {
  /** Gradient of the loss with respect to this tensor, same length as `data`; null until needed. */
  grad: Float32Array | null = null;

  constructor(
    readonly data: Float32Array,
    readonly shape: Shape,
    readonly requiresGrad = false,
    /** Parameter name (Hugging Face key) for parameters; empty for activations. */
    readonly name = "",
  ) {
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new Error(`Tensor ${name || ""}: data has ${data.length} elements, shape [${shape}] needs ${n}`);
    }
  }

  get size(): number {
    return this.data.length;
  }

  /** The buffer `zeroGrad` took back, reused by the next `gradBuffer` (fresh memory costs page faults every step). */
  private spareGrad: Float32Array | null = null;

  /** The gradient buffer, zeros on first use. */
  gradBuffer(): Float32Array {
    if (this.grad === null) {
      this.grad = this.spareGrad?.fill(0) ?? new Float32Array(this.data.length);
      this.spareGrad = null;
    }
    return this.grad;
  }

  /** Drops the gradient (back to null: "none yet"), keeping its memory for the next one. */
  clearGrad(): void {
    if (this.grad !== null) this.spareGrad = this.grad;
    this.grad = null;
  }

  /** Scalar value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new Error(`item() on a tensor of shape [${this.shape}]`);
    return this.data[0];
  }
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid dimension ${d} in shape [${shape}]`);
    n *= d;
  }
  return n;
}

export function tensor(data: Float32Array | number[], shape: Shape = [data.length], requiresGrad = false): Tensor {
  return new Tensor(data instanceof Float32Array ? data : Float32Array.from(data), shape, requiresGrad);
}

export function zeros(shape: Shape): Tensor {
  return new Tensor(new Float32Array(sizeOf(shape)), shape);
}

/** A parameter: a named tensor that requires a gradient. */
export function parameter(name: string, data: Float32Array, shape: Shape): Tensor {
  return new Tensor(data, shape, true, name);
}

interface Node {
  outputs: Tensor[];
  backward: () => void;
}

let tape: Node[] = [];
let gradEnabled = true;

/** Runs fn without recording anything on the tape (generation, evaluation, old log-probs). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Creates the output tensor(s) of an op and, when any input requires a gradient and grad mode
 * is on, records the backward closure. Outputs of a recorded op require a gradient.
 */
export function record(inputs: readonly Tensor[], outputs: { data: Float32Array; shape: Shape }[],
  backward: (outs: Tensor[]) => void): Tensor[] {
  const tracked = gradEnabled && inputs.some((t) => t.requiresGrad);
  const outs = outputs.map((o) => new Tensor(o.data, o.shape, tracked));
  if (tracked) tape.push({ outputs: outs, backward: () => backward(outs) });
  return outs;
}

/** Single-output form of `record`. */
export function record1(inputs: readonly Tensor[], data: Float32Array, shape: Shape,
  backward: (out: Tensor) => void): Tensor {
  return record(inputs, [{ data, shape }], (outs) => backward(outs[0]))[0];
}

/**
 * Adds g into t.grad if t requires a gradient. An activation with no gradient yet takes g itself,
 * so a node may pass its output's own gradient array here (`backward` drops that array after the
 * node runs); a parameter's gradient is its own buffer, outliving any scratch scope g came from.
 */
export function accumulate(t: Tensor, g: Float32Array): void {
  if (!t.requiresGrad) return;
  if (t.grad === null && t.name === "") {
    t.grad = g;
    return;
  }
  const dst = t.gradBuffer();
  for (let i = 0; i < dst.length; i++) dst[i] += g[i];
}

/**
 * Back-propagates from a scalar loss: d loss / d loss = 1, then every recorded node in reverse.
 * Clears the tape. Nodes whose outputs received no gradient are skipped.
 */
export function backward(loss: Tensor): void {
  if (loss.size !== 1) throw new Error(`backward() needs a scalar loss, got shape [${loss.shape}]`);
  if (!loss.requiresGrad) throw new Error("backward(): the loss does not depend on any parameter");
  loss.gradBuffer()[0] += 1;
  const nodes = tape;
  tape = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node.outputs.some((o) => o.grad !== null)) node.backward();
    for (const o of node.outputs) o.grad = null; // activations' gradients are not needed again
  }
}

export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) p.clearGrad();
}
