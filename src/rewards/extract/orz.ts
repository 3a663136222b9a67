/**
 * Open-Reasoner-Zero answer extraction: the content of the last `\boxed{...}` inside the last
 * `<answer> ... </answer>` block; both are required. A response ended by the length limit
 * scores as truncated regardless of content. Simplification: an `<answer>` left open at the
 * end (the stop string `</answer>` not yet emitted) is accepted, as the stop string may be cut.
 */
import { lastBoxed } from "./braces.ts";

export type OrzExtraction = { answer: string } | { answer: null; reason: "no_answer" | "truncated" };

export function extractOrz(response: string, finishReason: "stop" | "length" = "stop"): OrzExtraction {
  if (finishReason === "length") return { answer: null, reason: "truncated" };
  const open = response.lastIndexOf("<answer>");
  if (open < 0) return { answer: null, reason: "no_answer" };
  const close = response.indexOf("</answer>", open);
  const block = response.slice(open + "<answer>".length, close < 0 ? undefined : close);
  const boxed = lastBoxed(block);
  return boxed === null || boxed.trim() === "" ? { answer: null, reason: "no_answer" } : { answer: boxed.trim() };
}
