/**
 * Multiple-choice items (GPQA Diamond): choices in letter order, shuffled per item by a
 * seeded permutation (`Rng.derive(seed, row)`, Fisher-Yates), the reference letter mapped
 * to the correct choice's new letter, and the choices written into the question as
 * "\n\nA. text\nB. text..." (the layout of Open-Reasoner-Zero's GPQA file). A question that
 * already ends with its choices in that layout has them removed first, so they appear once.
 */
import { Rng } from "../util/rng.ts";
import { choiceLetters } from "../rewards/choice.ts";

/** Choice texts from a list, or from an object keyed by letter ({"A": ..., "B": ...}); null when neither. */
export function choiceList(value: unknown): string[] | null {
  if (Array.isArray(value)) return value.every((c) => typeof c === "string" || typeof c === "number") ? value.map(String) : null;
  if (typeof value !== "object" || value === null) return null;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 || !entries.every(([k, v]) => /^[A-Z]$/.test(k) && (typeof v === "string" || typeof v === "number"))) return null;
  return entries.sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => String(v));
}

/** "\n\nA. first\nB. second...": the choices as they are written under a question. */
export function renderChoices(choices: readonly string[]): string {
  const letters = choiceLetters(choices.length);
  return "\n\n" + choices.map((c, i) => `${letters[i]}. ${c}`).join("\n");
}

/** A permutation of 0..n-1 drawn from the stream of (seed, row): result[newPosition] = oldPosition. */
export function choicePermutation(n: number, seed: number, row: number): number[] {
  const perm = Array.from({ length: n }, (_, i) => i);
  const rng = Rng.derive(seed, row);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return perm;
}

export interface ChoiceItem {
  question: string;
  choices: string[];
  /** The letter of the correct choice. */
  answer: string;
}

/**
 * Shuffles one item's choices (no shuffle when `seed` is null) and writes them into the
 * question; `letter` is the reference letter in the original order. Returns an error
 * message when the letter names no choice.
 */
export function shuffleChoices(stem: string, choices: readonly string[], letter: string, seed: number | null, row: number): ChoiceItem | string {
  const letters = choiceLetters(choices.length);
  const gold = letters.indexOf(letter.trim().toUpperCase());
  if (gold < 0 || choices.length > letters.length) return `answer "${letter}" is not one of the letters ${letters.join(", ")}`;
  const written = renderChoices(choices);
  const bare = stem.endsWith(written) ? stem.slice(0, -written.length) : stem;
  const perm = seed === null ? choices.map((_, i) => i) : choicePermutation(choices.length, seed, row);
  const shuffled = perm.map((old) => choices[old]!);
  return { question: bare + renderChoices(shuffled), choices: shuffled, answer: letters[perm.indexOf(gold)]! };
}
