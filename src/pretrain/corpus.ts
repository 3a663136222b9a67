/**
 * A pretraining corpus as token sequences, each with the position from which its tokens are
 * trained on (a trainer Sequence: the loss covers ids[promptLength..]):
 *
 *   text             ids = encode(text) + EOS; every token but the first is trained on
 *   prompt/response  ids = encode(prompt) + encode(response) + EOS; only the response and the
 *                    EOS are trained on
 *
 * Prompt and response are tokenized apart, as the RL trainer sees them (the prompt's tokens,
 * then the sampled ones), so a token never spans the boundary. The EOS teaches the model to
 * stop; RL generation of the built-in tasks also stops at `</answer>`, which every task response
 * ends with. A built-in task's corpus is generated when the run starts (src/tasks/corpus.ts) and
 * tokenized as prompt/response. Several sources make one corpus. Examples longer than
 * `maxTokens` are left out and counted.
 */
import { UserInputError } from "../errors.ts";
import { readRows } from "../data/readers.ts";
import type { TextTokenizer } from "../models/tokenizer.ts";
import { DEFAULT_MIX, generateCorpus, type CorpusExample, type CorpusMix } from "../tasks/corpus.ts";
import type { Sequence } from "../trainer/sequences.ts";
import type { CorpusSource } from "./config.ts";

export interface Corpus {
  /** The file or task suite, for messages. */
  name: string;
  examples: Sequence[];
  /** The number of examples of each source, in order (they follow one another in `examples`). */
  sizes: number[];
  /** Examples left out for being longer than maxTokens. */
  dropped: number;
}

export interface TokenizeOptions {
  /** Longest example kept, in tokens (EOS included). */
  maxTokens: number;
  /** The EOS token appended to every example, or null for none. */
  eos: number | null;
}

interface RawExample {
  where: string;
  /** Absent for a text example. */
  prompt?: string;
  text: string;
}

/** The examples of one source, or of several in order (the data order shuffles them together). */
export async function loadCorpus(src: CorpusSource | readonly CorpusSource[], tokenizer: TextTokenizer, opts: TokenizeOptions): Promise<Corpus> {
  const parts = Array.isArray(src) ? src : [src as CorpusSource];
  const examples: Sequence[] = [];
  const sizes: number[] = [];
  let dropped = 0;
  for (const part of parts) {
    const raw = part.task !== undefined ? taskExamples(part) : await fileExamples(part);
    const before = examples.length;
    for (const r of raw) {
      const seq = tokenizeExample(r, tokenizer, opts.eos);
      if (seq.ids.length > opts.maxTokens) dropped++;
      else examples.push(seq);
    }
    sizes.push(examples.length - before);
  }
  const name = parts.map((p) => p.task ?? p.path!).join(" + ");
  if (examples.length === 0) throw new UserInputError(`${name}: no example fits in ${opts.maxTokens} tokens (data.max_tokens)`);
  return { name, examples, sizes, dropped };
}

/** One example's ids and the position its trained tokens start at. */
export function tokenizeExample(r: RawExample, tokenizer: TextTokenizer, eos: number | null): Sequence {
  const tail = eos === null ? [] : [eos];
  if (r.prompt === undefined) {
    const ids = [...tokenizer.encode(r.text), ...tail];
    if (ids.length < 2) throw new UserInputError(`${r.where}: the text has fewer than 2 tokens: nothing to predict`);
    return { ids: Int32Array.from(ids), promptLength: 1 };
  }
  const prompt = tokenizer.encode(r.prompt);
  if (prompt.length === 0) throw new UserInputError(`${r.where}: the prompt is empty (the first response token needs a token before it)`);
  const response = [...tokenizer.encode(r.text, { addSpecialTokens: false }), ...tail];
  if (response.length === 0) throw new UserInputError(`${r.where}: the response is empty and no EOS is added: nothing to train on`);
  return { ids: Int32Array.from([...prompt, ...response]), promptLength: prompt.length };
}

/** The examples a task source generates, with their task, level and kind (for statistics too). */
export function taskCorpus(src: CorpusSource): CorpusExample[] {
  const m = src.mix ?? {};
  const mix: CorpusMix = {
    reason: m.reason ?? DEFAULT_MIX.reason,
    slip: m.slip ?? DEFAULT_MIX.slip,
    selfcheck: m.selfcheck ?? DEFAULT_MIX.selfcheck,
    oneLine: m.one_line ?? DEFAULT_MIX.oneLine,
  };
  return generateCorpus({ suite: src.task!, count: src.count!, seed: src.seed ?? 0, mix });
}

function taskExamples(src: CorpusSource): RawExample[] {
  return taskCorpus(src).map((e, i) => ({ where: `${src.task} example ${i}`, prompt: e.prompt, text: e.response }));
}

async function fileExamples(src: CorpusSource): Promise<RawExample[]> {
  const rows = (await readRows(src.path!, "jsonl")).slice(0, src.limit ?? Infinity);
  if (rows.length === 0) throw new UserInputError(`${src.path}: the corpus file has no lines`);
  const textField = src.text_field ?? "text";
  const promptField = src.prompt_field ?? "prompt";
  const responseField = src.response_field ?? "response";
  const first = rows[0]!.value as Record<string, unknown> | undefined;
  const format = src.format === undefined || src.format === "auto"
    ? (first && typeof first === "object" && promptField in first ? "prompt_response" : "text")
    : src.format;
  const field = (row: (typeof rows)[number], key: string): string => {
    if (row.error) throw new UserInputError(`${row.where}: ${row.error}`);
    const v = (row.value as Record<string, unknown> | null)?.[key];
    if (typeof v !== "string") throw new UserInputError(`${row.where}: expected a string field "${key}" (${format} corpus)`);
    return v;
  };
  return rows.map((row) => format === "text"
    ? { where: row.where, text: field(row, textField) }
    : { where: row.where, prompt: field(row, promptField), text: field(row, responseField) });
}
