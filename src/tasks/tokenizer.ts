/**
 * The tiny model's tokenizer: a Hugging Face `tokenizer.json` (BPE) and `tokenizer_config.json`
 * that @huggingface/tokenizers and Python `transformers` load as they are.
 *
 * - Added tokens: `<|endoftext|>` (eos and pad) and `<unk>` (special), and the format's tags
 *   `<think>`, `</think>`, `<answer>`, `</answer>`, `\boxed{` (not special: decoding keeps
 *   them). They are cut out of the text before anything else, so each is one token.
 * - Pre-tokenizer: every digit is its own piece (a Split on `[0-9]`, isolated), so every digit
 *   is one token; the text between digits (` + `, ` = `, `\ncheck: `, the prompt's words) is
 *   left to BPE.
 * - BPE over printable ASCII, newline, × and ÷, with merges learnt from the task corpus until no
 *   pair is frequent: the fixed pieces of the format become one token each (` + `, `, not `).
 *   Any text over that alphabet encodes and decodes back exactly (the decoder concatenates);
 *   other characters become `<unk>`.
 *
 * Our own BPE trainer, not a library's: @huggingface/tokenizers (JavaScript) only encodes, and
 * the Node binding of the Rust library exposes no trainer; learning merges over a few hundred
 * distinct pieces takes a few lines.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateCorpus } from "./corpus.ts";

export const EOS_TOKEN = "<|endoftext|>";
export const UNK_TOKEN = "<unk>";
/** The format's tags, one token each. */
export const TAG_TOKENS = ["<think>", "</think>", "<answer>", "</answer>", "\\boxed{"] as const;

const ADDED = [EOS_TOKEN, UNK_TOKEN, ...TAG_TOKENS];
const SPECIAL = new Set([EOS_TOKEN, UNK_TOKEN]);

/** Characters every text is spelt in: printable ASCII, newline, × and ÷. */
const ALPHABET = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), "\n", "×", "÷"];

/** Cuts out added tokens (longest first), as the tokenizer does before pre-tokenizing. */
const ADDED_RE = new RegExp([...ADDED].sort((a, b) => b.length - a.length).map((t) => t.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")).join("|"), "g");

/** The pieces BPE works on: text between added tokens, with each digit a piece of its own. */
export function pretokenize(text: string): string[] {
  const out: string[] = [];
  for (const section of text.split(ADDED_RE)) out.push(...section.split(/([0-9])/).filter((s) => s.length > 0));
  return out;
}

/**
 * BPE merges learnt from piece counts: repeatedly merge the most frequent adjacent pair
 * (ties: the smallest pair in code-unit order), until no pair occurs `minCount` times.
 */
export function learnMerges(counts: ReadonlyMap<string, number>, minCount: number): [string, string][] {
  const words = [...counts].map(([w, n]) => ({ syms: Array.from(w), n }));
  const merges: [string, string][] = [];
  for (;;) {
    const pairs = new Map<string, number>();
    for (const { syms, n } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const key = `${syms[i]}\u0000${syms[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
    }
    let best: string | null = null;
    for (const [key, n] of pairs) {
      const top = best === null ? -1 : pairs.get(best)!;
      if (n > top || (n === top && key < best!)) best = key;
    }
    if (best === null || pairs.get(best)! < minCount) return merges;
    const [a, b] = best.split("\u0000") as [string, string];
    merges.push([a, b]);
    for (const w of words) {
      const next: string[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (w.syms[i] === a && w.syms[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(w.syms[i]!);
      }
      w.syms = next;
    }
  }
}

export interface TokenizerFiles {
  /** tokenizer.json */
  tokenizer: object;
  /** tokenizer_config.json */
  config: object;
}

export interface TokenizerOptions {
  /** A pair must occur this often in the texts to become a merge (default 20). */
  minCount?: number;
}

/** Builds the tokenizer files with merges learnt from `texts`. */
export function buildTokenizer(texts: Iterable<string>, opts: TokenizerOptions = {}): TokenizerFiles {
  const counts = new Map<string, number>();
  for (const text of texts) for (const p of pretokenize(text)) if (!ADDED.includes(p)) counts.set(p, (counts.get(p) ?? 0) + 1);
  const alphabet = new Set(ALPHABET);
  for (const piece of counts.keys()) {
    const odd = Array.from(piece).find((ch) => !alphabet.has(ch));
    if (odd !== undefined) throw new Error(`tokenizer texts contain ${JSON.stringify(odd)}, outside the alphabet (printable ASCII, newline, × and ÷)`);
  }
  const merges = learnMerges(counts, opts.minCount ?? 20);
  const vocab: Record<string, number> = {};
  for (const token of [...ADDED, ...ALPHABET, ...merges.map(([a, b]) => a + b)]) vocab[token] ??= Object.keys(vocab).length;
  const addedTokens = ADDED.map((content) => ({ id: vocab[content]!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: SPECIAL.has(content) }));
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: { type: "Split", pattern: { Regex: "[0-9]" }, behavior: "Isolated", invert: false },
    post_processor: null,
    decoder: { type: "Fuse" },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: UNK_TOKEN,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  const config = {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: null,
    eos_token: EOS_TOKEN,
    pad_token: EOS_TOKEN,
    unk_token: UNK_TOKEN,
    model_max_length: 1024,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...t }) => [String(id), t])),
  };
  return { tokenizer, config };
}

/** Texts the default tokenizer learns from: prompts and responses of every task, level and kind. */
export function tokenizerTexts(seed = 0, count = 20_000): string[] {
  return (["arith-corpus", "countdown:1-3"] as const).flatMap((suite) => generateCorpus({ suite, count: count / 2, seed }).map((e) => e.prompt + e.response));
}

/** Writes tokenizer.json and tokenizer_config.json into `dir` (created if missing). */
export function writeTokenizer(dir: string, files: TokenizerFiles = buildTokenizer(tokenizerTexts())): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(files.tokenizer, null, 2) + "\n");
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(files.config, null, 2) + "\n");
}
