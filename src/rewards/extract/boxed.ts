/**
 * The final boxed answer of a response: the last `\boxed{}` / `\fbox{}` together with the
 * boxed answers linked to it by nothing but punctuation or "and" / "or" (`\boxed{1} or
 * \boxed{2}` is the hedged answer `1, 2`, not `2`), joined with ", ". Boxes separated by
 * other text stay independent, so an intermediate boxed result earlier in the reasoning
 * does not join the final one.
 */
import { unwrapTextCommands } from "../normalize.ts";
import { findBoxed, type BoxedSpan } from "./braces.ts";
import { mathSpans, type Candidate } from "./spans.ts";

/** Text between two boxed answers that still links them into one answer ("and", ",", nothing). */
function linksBoxed(between: string): boolean {
  const t = unwrapTextCommands(between)
    .replace(/\\quad|\\qquad|\\[(),[\]]|\$|\\\\|\\[,;!]/g, " ")
    .replace(/[.,;]/g, " ")
    .trim();
  return t === "" || /^[\w\s()]{0,30}\b(?:and|or)$/i.test(t);
}

/** Content of the final boxed group (see the module comment), or null when nothing is boxed. */
export function finalBoxed(text: string): string | null {
  const boxed = findBoxed(text);
  if (boxed.length === 0) return null;
  const spans = boxed.length > 1 ? mathSpans(text) : [];
  const spanOf = (b: BoxedSpan): Candidate | undefined => spans.find((s) => s.start <= b.start && b.end <= s.end);
  let first = boxed.length - 1;
  while (first > 0) {
    const a = boxed[first - 1]!;
    const b = boxed[first]!;
    const sa = spanOf(a);
    if ((sa && sa === spanOf(b)) || linksBoxed(text.slice(a.end, b.start))) first--;
    else break;
  }
  return boxed
    .slice(first)
    .map((b) => b.content.trim())
    .filter((c) => c.length > 0)
    .join(", ");
}
