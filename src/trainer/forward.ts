/**
 * The trainer's forward passes over responses: log-probs and entropies of the response tokens
 * under a policy, and the critic's values before each response token. One micro-batch at a time
 * on the tape (for the update), or over a whole batch without gradients in micro-batches (old
 * and reference log-probs, rollout-time values), with results packed in response order.
 *
 * Simplification: a micro-batch is right-padded to its longest sequence; planMicroBatches keeps
 * sequences of similar length together, so little is spent on padding.
 */
import type { CausalLM } from "../models/transformer.ts";
import { noGrad, type Tensor } from "../tensor/tensor.ts";
import { planMicroBatches } from "./micro-batches.ts";
import { responseLength, responseOffsets, type Sequence } from "./sequences.ts";

interface Padded {
  ids: Int32Array; // [B*T]
  B: number;
  T: number;
  /** Rows that predict the response tokens, in order: sequence b's token k is predicted at b*T + promptLength - 1 + k. */
  rows: Int32Array;
}

function pad(seqs: readonly Sequence[]): Padded {
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.ids.length));
  const ids = new Int32Array(B * T);
  const rows = new Int32Array(seqs.reduce((n, s) => n + responseLength(s), 0));
  let r = 0;
  seqs.forEach((s, b) => {
    ids.set(s.ids, b * T);
    for (let k = 0; k < responseLength(s); k++) rows[r++] = b * T + s.promptLength - 1 + k;
  });
  return { ids, B, T, rows };
}

/** logp and entropy [response tokens of seqs, in order], on the tape, at the sampling temperature. */
export function policyForward(model: CausalLM, seqs: readonly Sequence[], temperature: number): { logp: Tensor; entropy: Tensor } {
  const { ids, B, T, rows } = pad(seqs);
  return model.tokenLogprobs(ids, B, T, rows, temperature);
}

/** Critic values [response tokens of seqs, in order], on the tape. */
export function criticForward(critic: CausalLM, seqs: readonly Sequence[]): Tensor {
  const { ids, B, T, rows } = pad(seqs);
  return critic.values(ids, B, T, rows);
}

/**
 * Runs `fn` without gradients over micro-batches of at most `budget` padded tokens and packs its
 * per-token outputs back in sequence order: out[k][offsets[i] .. offsets[i+1]) belongs to seqs[i].
 */
function packedNoGrad(seqs: readonly Sequence[], budget: number, outputs: number,
  fn: (batch: Sequence[]) => Float32Array[]): Float32Array[] {
  const offsets = responseOffsets(seqs);
  const out = Array.from({ length: outputs }, () => new Float32Array(offsets[seqs.length]));
  const lengths = seqs.map((s) => s.ids.length);
  for (const batch of planMicroBatches(seqs.map((_, i) => [i]), lengths, budget)) {
    const results = noGrad(() => fn(batch.map((i) => seqs[i])));
    let at = 0;
    for (const i of batch) {
      const n = offsets[i + 1] - offsets[i];
      results.forEach((r, k) => out[k].set(r.subarray(at, at + n), offsets[i]));
      at += n;
    }
  }
  return out;
}

/** log-probs and entropies of every response token, packed [N], without gradients. */
export function scoreResponses(model: CausalLM, seqs: readonly Sequence[], temperature: number, budget: number): { logp: Float32Array; entropy: Float32Array } {
  const [logp, entropy] = packedNoGrad(seqs, budget, 2, (batch) => {
    const r = policyForward(model, batch, temperature);
    return [r.logp.data, r.entropy.data];
  });
  return { logp, entropy };
}

/** Critic values before every response token, packed [N], without gradients. */
export function valueResponses(critic: CausalLM, seqs: readonly Sequence[], budget: number): Float32Array {
  return packedNoGrad(seqs, budget, 1, (batch) => [criticForward(critic, batch).data])[0];
}
