/**
 * The k most likely tokens at each generated position, for `logprobs: k` (completions) and
 * `top_logprobs: k` (chat). `generate` keeps only the sampled token's log-prob, so this runs one
 * more forward pass over prompt + completion and takes log-softmax(logits / temperature) (at
 * temperature 1 when greedy), the distribution the sampled log-probs come from.
 */
import type { CausalLM } from "../models/transformer.ts";
import { noGrad } from "../tensor/tensor.ts";
import { native } from "../native/index.ts";

export interface TokenLogprob {
  id: number;
  logprob: number;
}

/** result[i]: the k most likely tokens at completion[i]'s position, most likely first (lowest id on ties). */
export function topLogprobs(model: CausalLM, prompt: readonly number[], completion: readonly number[], k: number,
  temperature: number): TokenLogprob[][] {
  if (k === 0 || completion.length === 0) return completion.map(() => []);
  const ids = Int32Array.from([...prompt, ...completion.slice(0, -1)]); // [T]: position t predicts token t+1
  const hidden = noGrad(() => model.hidden(ids, 1, ids.length).data); // [T, d]
  const d = model.config.hiddenSize;
  const V = model.config.vocabSize;
  const rows = completion.length;
  const logits = new Float32Array(rows * V); // [rows, V] = hidden[rows, d] @ lmHead[V, d]^T
  native.gemm(false, true, rows, V, d, 1, hidden.subarray((prompt.length - 1) * d), model.lmHead().data, 0, logits);
  const scale = temperature > 0 ? 1 / temperature : 1;
  return Array.from({ length: rows }, (_, r) => mostLikely(logits.subarray(r * V, (r + 1) * V), scale, k));
}

/** The k largest of z as log-softmax(z * scale) entries; one pass keeping a sorted list of k. */
function mostLikely(z: Float32Array, scale: number, k: number): TokenLogprob[] {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (const v of z) sum += Math.exp((v - max) * scale);
  const logZ = max * scale + Math.log(sum);
  const best: number[] = []; // token ids, largest logit first
  for (let i = 0; i < z.length; i++) {
    if (best.length === k && !(z[i] > z[best[k - 1]])) continue;
    if (best.length === k) best.pop();
    let at = best.length;
    while (at > 0 && z[best[at - 1]] < z[i]) at--;
    best.splice(at, 0, i);
  }
  return best.map((id) => ({ id, logprob: z[id] * scale - logZ }));
}
