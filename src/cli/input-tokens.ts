/** The tokens a command works on: ids given on the command line, or text through the tokenizer. */
import { UserInputError } from "../errors.ts";
import type { TextTokenizer } from "../models/tokenizer.ts";

function parseIds(flag: string, value: string): number[] {
  const ids = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const bad = ids.findIndex((n) => !Number.isInteger(n) || n < 0);
  if (ids.length === 0 || bad >= 0) {
    throw new UserInputError(`${flag}: expected comma-separated non-negative integers, got "${value}"`);
  }
  return ids;
}

export interface TokenInput {
  text?: string;
  ids?: string;
  /** Send the text as a user message through the model's chat template. */
  chat?: boolean;
}

/**
 * Exactly one of the two flags (named in `flags`) must be given. Text is encoded with the
 * model's tokenizer; with `chat`, as transformers' apply_chat_template does it: the template
 * writes the special tokens itself, so none are added on encoding.
 */
export function inputTokens(modelDir: string, tokenizer: TextTokenizer | null, input: TokenInput,
  flags: { text: string; ids: string }): number[] {
  if ((input.text === undefined) === (input.ids === undefined)) {
    throw new UserInputError(`give exactly one of ${flags.text} and ${flags.ids}`);
  }
  if (input.ids !== undefined) {
    if (input.chat) throw new UserInputError(`--chat needs ${flags.text}`);
    return parseIds(flags.ids, input.ids);
  }
  if (!tokenizer) throw new UserInputError(`${modelDir} has no tokenizer.json: use ${flags.ids}`);
  if (!input.chat) return tokenizer.encode(input.text!);
  const rendered = tokenizer.applyChatTemplate([{ role: "user", content: input.text! }], { addGenerationPrompt: true });
  return tokenizer.encode(rendered, { addSpecialTokens: false });
}
