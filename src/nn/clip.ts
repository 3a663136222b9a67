/** Gradient-norm clipping over all parameters, as torch.nn.utils.clip_grad_norm_. */
import { native } from "../native/index.ts";
import type { Tensor } from "../tensor/tensor.ts";

/** Scales all gradients so their global L2 norm is at most maxNorm; returns the norm before. */
export function clipGradNorm(params: Tensor[], maxNorm: number): number {
  const grads = params.flatMap((p) => (p.grad ? [p.grad] : []));
  const norm = native.globalNorm(grads);
  if (norm > maxNorm) native.scaleInPlace(grads, maxNorm / (norm + 1e-6));
  return norm;
}
