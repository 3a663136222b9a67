/**
 * Duplicate questions: exact (the same text) and normalised (the same after Unicode NFKC,
 * lower case, and removing whitespace and `$` math delimiters, so "Find $x$." and
 * "find x ." collide). The first occurrence is the original; later ones are duplicates.
 */
import type { PromptItem } from "./types.ts";

export interface Duplicate {
  id: string;
  /** The id of the first item with the same question. */
  duplicateOf: string;
  /** True when the texts are identical, false when they match only once normalised. */
  exact: boolean;
}

export function normalizedQuestion(q: string): string {
  return q.normalize("NFKC").toLowerCase().replace(/[\s$]+/g, "");
}

export function findDuplicates(items: readonly PromptItem[]): Duplicate[] {
  const exact = new Map<string, string>();
  const loose = new Map<string, string>();
  const out: Duplicate[] = [];
  for (const item of items) {
    const key = normalizedQuestion(item.question);
    const sameText = exact.get(item.question);
    const same = sameText ?? loose.get(key);
    if (same !== undefined) {
      out.push({ id: item.id, duplicateOf: same, exact: sameText !== undefined });
      continue;
    }
    exact.set(item.question, item.id);
    loose.set(key, item.id);
  }
  return out;
}
