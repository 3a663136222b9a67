/**
 * One problem of a dataset, whatever file it came from: the question, its reference answer and,
 * for multiple choice, the choices in letter order. The trainer, curation and evaluation all read
 * data as these.
 */
export interface PromptItem {
  /** Stable id within its dataset (the row index as a string unless the file has an id). */
  id: string;
  /** The problem text, no template applied. */
  question: string;
  /** The reference: an answer string, or task data (e.g. Countdown {numbers, target}). */
  answer: unknown;
  /** Choice texts in letter order (A, B, ...) for multiple choice; the answer is then a letter. */
  choices?: string[];
}
