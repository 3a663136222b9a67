/**
 * Answer extraction for the "boxed" and "auto" formats. "boxed": the final boxed group (see
 * boxed.ts). "auto", for base models that do not box their answer: the final boxed group;
 * else GSM8K's `#### X`; else the answer after the last "the (final) answer is", read by the
 * free-text extractor from that point on (so "the answer is 3 or 2" is the list `3, 2`);
 * else the free-text extractor on the whole response (last math span or number).
 */
import { extractFreeform } from "./answer.ts";
import { finalBoxed } from "./boxed.ts";

/** The final boxed answer only (the "boxed" format); null when nothing non-empty is boxed. */
export function extractBoxed(response: string): string | null {
  const b = finalBoxed(response);
  return b === null || b.trim() === "" ? null : b.trim();
}

const SAID = /the (?:final )?answer is:?\s*([^\n]{1,200}?)(?:\.\s|\.?\s*$|\n)/gi;

/** Boxed, then `####`, then "the answer is", then the last math span or number. */
export function extractWithFallbacks(response: string): string | null {
  const boxed = extractBoxed(response);
  if (boxed !== null) return boxed;
  const hashes = [...response.matchAll(/####\s*([^\n]+)/g)];
  if (hashes.length > 0) return hashes[hashes.length - 1]![1]!.trim().replace(/[.\s]+$/, "");
  const said = [...response.matchAll(SAID)];
  if (said.length > 0) {
    const last = said[said.length - 1]!;
    return extractFreeform(response.slice(last.index)) ?? last[1]!.trim();
  }
  return extractFreeform(response);
}
