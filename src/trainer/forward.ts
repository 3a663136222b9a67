/**
 * The trainer's forward passes over responses: log-probs and entropies of the response tokens
 * under a policy, and the critic's values before each response token. One micro-batch at a time
 * on the tape (for the update), or over a whole batch without gradients in micro-batches (old
 * and reference log-probs, rollout-time values), with results packed in response order.
 * Sequences are packed end to end (each attends only within itself), so nothing is spent on padding.
 */
import type { CausalLM } from "../models/transformer.ts";
import { noGrad, type Tensor } from "../tensor/tensor.ts";
import { withScratch } from "../tensor/scratch.ts";
import { planMicroBatches } from "./micro-batches.ts";
import { responseLength, responseOffsets, type Sequence } from "./sequences.ts";

interface Packed {
  /** [N] every sequence's ids, end to end. */
  ids: Int32Array;
  /** [S+1] where each sequence starts in ids. */
  offsets: Int32Array;
  /** Rows that predict the response tokens, in order: sequence s's token k is predicted at offsets[s] + promptLength - 1 + k. */
  rows: Int32Array;
}

function pack(seqs: readonly Sequence[]): Packed {
  const offsets = new Int32Array(seqs.length + 1);
  seqs.forEach((q, s) => (offsets[s + 1] = offsets[s] + q.ids.length));
  const ids = new Int32Array(offsets[seqs.length]);
  const rows = new Int32Array(seqs.reduce((n, q) => n + responseLength(q), 0));
  let r = 0;
  seqs.forEach((q, s) => {
    ids.set(q.ids, offsets[s]);
    for (let k = 0; k < responseLength(q); k++) rows[r++] = offsets[s] + q.promptLength - 1 + k;
  });
  return { ids, offsets, rows };
}

/** logp and entropy [response tokens of seqs, in order], on the tape, at the sampling temperature. */
export function policyForward(model: CausalLM, seqs: readonly Sequence[], temperature: number): { logp: Tensor; entropy: Tensor } {
  const { ids, offsets, rows } = pack(seqs);
  return model.tokenLogprobsPacked(ids, offsets, rows, temperature);
}

/** Critic values [response tokens of seqs, in order], on the tape. */
export function criticForward(critic: CausalLM, seqs: readonly Sequence[]): Tensor {
  const { ids, offsets, rows } = pack(seqs);
  return critic.valuesPacked(ids, offsets, rows);
}

/**
 * Runs `fn` without gradients over micro-batches of at most `budget` tokens and packs its
 * per-token outputs back in sequence order: out[k][offsets[i] .. offsets[i+1]) belongs to seqs[i].
 */
function packedNoGrad(seqs: readonly Sequence[], budget: number, outputs: number,
  fn: (batch: Sequence[]) => Float32Array[]): Float32Array[] {
  const offsets = responseOffsets(seqs);
  const out = Array.from({ length: outputs }, () => new Float32Array(offsets[seqs.length]));
  const lengths = seqs.map((s) => s.ids.length);
  for (const batch of planMicroBatches(seqs.map((_, i) => [i]), lengths, budget)) {
    withScratch(() => { // the results are copied out before their buffers are reused
      const results = noGrad(() => fn(batch.map((i) => seqs[i])));
      let at = 0;
      for (const i of batch) {
        const n = offsets[i + 1] - offsets[i];
        results.forEach((r, k) => out[k].set(r.subarray(at, at + n), offsets[i]));
        at += n;
      }
    });
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
