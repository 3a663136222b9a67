/**
 * Open-Reasoner-Zero answer extraction: the final boxed answer (see boxed.ts) inside the last
 * `<answer> ... </answer>` block; both are required. A response ended by the length limit
 * scores as truncated regardless of content. Simplification: an `<answer>` left open at the
 * end (the stop string `</answer>` not yet emitted) is accepted, as the stop string may be cut.
 */
import { finalBoxed } from "./boxed.ts";

export type OrzExtraction = { answer: string } | { answer: null; reason: "no_answer" | "truncated" };

/** Content of the last `<answer>` block (to `</answer>` or the end), or null when there is none. */
export function lastAnswerBlock(response: string): string | null {
  const open = response.lastIndexOf("<answer>");
  if (open < 0) return null;
  const close = response.indexOf("</answer>", open);
  return response.slice(open + "<answer>".length, close < 0 ? undefined : close);
}

/** The ORZ answer of a response, or why there is none. */
export function extractOrz(response: string, finishReason: "stop" | "length" = "stop"): OrzExtraction {
  if (finishReason === "length") return { answer: null, reason: "truncated" };
  const block = lastAnswerBlock(response);
  const boxed = block === null ? null : finalBoxed(block);
  return boxed === null || boxed.trim() === "" ? { answer: null, reason: "no_answer" } : { answer: boxed.trim() };
}
