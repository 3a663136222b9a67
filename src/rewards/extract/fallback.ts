/**
 * Answer extraction for base models that do not box their answer: the last `\boxed{}` or
 * `\fbox{}`; else GSM8K's `#### X`; else "the answer is X"; else the free-text extractor
 * (last math span or number). Simplification: "the answer is" takes the rest of the sentence.
 */
import { extractFreeform } from "./answer.ts";
import { lastBoxed } from "./braces.ts";

/** The last boxed answer only (the "boxed" format). */
export function extractBoxed(response: string): string | null {
  const b = lastBoxed(response);
  return b === null || b.trim() === "" ? null : b.trim();
}

/** Boxed, then `####`, then "the answer is", then the last math span or number. */
export function extractWithFallbacks(response: string): string | null {
  const boxed = extractBoxed(response);
  if (boxed !== null) return boxed;
  const hashes = [...response.matchAll(/####\s*([^\n]+)/g)];
  if (hashes.length > 0) return hashes[hashes.length - 1]![1]!.trim().replace(/[.\s]+$/, "");
  const said = [...response.matchAll(/the (?:final )?answer is:?\s*([^\n]{1,200}?)(?:\.\s|\.?\s*$|\n)/gi)];
  if (said.length > 0) {
    const tail = said[said.length - 1]![1]!.trim();
    return extractFreeform(tail) ?? tail;
  }
  return extractFreeform(response);
}
