/**
 * A response as the forward passes see it: the prompt and response token ids in one array.
 * Response token k sits at position promptLength + k and is predicted from the position before
 * it, which is also where the critic's value V(s_k) is read.
 */
export interface Sequence {
  /** Prompt then response token ids. */
  ids: Int32Array;
  promptLength: number;
}

export function responseLength(s: Sequence): number {
  return s.ids.length - s.promptLength;
}

/** [S+1] offsets of each sequence's response tokens packed end to end. */
export function responseOffsets(seqs: readonly Sequence[]): Int32Array {
  const offsets = new Int32Array(seqs.length + 1);
  seqs.forEach((s, i) => (offsets[i + 1] = offsets[i] + responseLength(s)));
  return offsets;
}
