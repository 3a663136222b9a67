/**
 * Names of the trainer's random streams: every random choice is drawn from
 * Rng.derive(seed, STREAM, ...keys), so it is fixed by the seed and its keys alone, and a resumed
 * run draws exactly what an uninterrupted one would. (The data order is stream 3, in prompt-order.ts; the critic's fresh value head
 * is drawn from the seed by models/parameters.ts.)
 */
export const STREAM = {
  /** Sampling of step s, generation round r: (seed, ROLLOUT, s, r, prompt key, sample). */
  rollout: 1,
  /** Mini-batch shuffles of step s: (seed, SHUFFLE, s, model, epoch). */
  shuffle: 2,
  /** Evaluation: (seed, EVAL, benchmark index, sample, item); the same at every step. */
  eval: 4,
} as const;
