/**
 * Micro-batches by a token budget, so that long responses do not blow up memory: a forward and
 * backward pass holds the activations of one micro-batch, and gradients accumulate over the
 * micro-batches of a mini-batch. A micro-batch costs its padded size (rows × longest sequence);
 * units (a response, or responses that must stay together, such as a DPO pair) are never split,
 * and a unit larger than the budget gets a micro-batch of its own.
 *
 * Units are taken longest first, so sequences of similar length share a micro-batch and little
 * is spent on padding; the order of micro-batches does not change the accumulated gradient.
 */
export function planMicroBatches(units: readonly (readonly number[])[], lengths: ArrayLike<number>, budget: number): number[][] {
  const longest = (u: readonly number[]): number => Math.max(...u.map((i) => lengths[i]));
  const order = [...units].sort((a, b) => longest(b) - longest(a));
  const batches: number[][] = [];
  let current: number[] = [];
  let currentMax = 0;
  for (const unit of order) {
    const max = Math.max(currentMax, longest(unit));
    if (current.length > 0 && (current.length + unit.length) * max > budget) {
      batches.push(current);
      current = [];
      currentMax = 0;
    }
    current.push(...unit);
    currentMax = Math.max(currentMax, longest(unit));
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
