/**
 * Micro-batches by a token budget, so that long responses do not blow up memory: a forward and
 * backward pass holds the activations of one micro-batch, and gradients accumulate over the
 * micro-batches of a mini-batch. A micro-batch costs the tokens of its sequences (they are packed
 * end to end, no padding); units (a response, or responses that must stay together, such as a
 * DPO pair) are never split, and a unit larger than the budget gets a micro-batch of its own.
 * The order of micro-batches does not change the accumulated gradient.
 */
export function planMicroBatches(units: readonly (readonly number[])[], lengths: ArrayLike<number>, budget: number): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let tokens = 0;
  for (const unit of units) {
    const size = unit.reduce((n, i) => n + lengths[i], 0);
    if (current.length > 0 && tokens + size > budget) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(...unit);
    tokens += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
