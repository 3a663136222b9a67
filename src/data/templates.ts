/**
 * Prompt templates: how a question becomes the text a model continues, with the stop strings
 * and answer format that go with it.
 *
 * - `orz`: Open-Reasoner-Zero's prompt for base models (no chat template), ending in
 *   `Assistant: <think>`; stops at `User:`, `Human:`, `Assistant:`, `</answer>`; answers are
 *   read in the `orz` format (`<answer>` + `\boxed{}`). ORZ writes the tokenizer's BOS text
 *   in front; here the prompt is the text alone and encoding adds the BOS where the
 *   tokenizer does (Llama), which gives the same tokens.
 * - `orz_short`: a short form of it, `User: {question}\nAssistant: <think>` (the built-in
 *   tasks' prompt, docs/TASKS.md); stops at `</answer>`; format `orz`.
 * - `qwen_math`: Qwen2.5-Math's evaluation prompt (`qwen25-math-cot`): the system message
 *   "Please reason step by step, and put your final answer within \boxed{}." and the
 *   question as the user message, through the model's chat template when the tokenizer has
 *   one, else written out in ChatML as Qwen2.5-Math's evaluation writes it; format `auto`
 *   (the final `\boxed{}`, with fallbacks).
 * - `chat`: the question as a user message (after an optional system message) through the
 *   model's chat template; format `auto`.
 * - `plain`: the question alone; format `auto`.
 * - `file`: a user's text file in which `{question}` is replaced by the question; format
 *   `auto`, no stop strings, unless the spec sets them.
 *
 * Multiple-choice items are always graded in the `choice` format (`answerFormatFor`).
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { fileAccessError, UserInputError } from "../errors.ts";
import type { TextTokenizer } from "../models/tokenizer.ts";
import { AnswerFormatSchema, type AnswerFormat } from "../rewards/config.ts";
import { parseWith } from "./spec.ts";
import type { PromptItem } from "./types.ts";

export const ORZ_PROMPT =
  "A conversation between User and Assistant. The User asks a question, and the Assistant solves it. The Assistant first thinks about the reasoning process in the mind and then provides the User with the answer. The reasoning process is enclosed within <think> </think> and answer is enclosed within <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: You must put your answer inside <answer> </answer> tags, i.e., <answer> answer here </answer>. And your final answer will be extracted automatically by the \\boxed{} tag.\nThis is the problem:\n{question}\nAssistant: <think>";

export const ORZ_STOP = ["User:", "Human:", "Assistant:", "</answer>"] as const;

export const ORZ_SHORT_PROMPT = "User: {question}\nAssistant: <think>";

export const QWEN_MATH_SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}.";

/** Qwen2.5-Math's `qwen25-math-cot` prompt, as its evaluation writes it out. */
export const QWEN_MATH_CHATML = `<|im_start|>system\n${QWEN_MATH_SYSTEM}<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n`;

export const TEMPLATE_NAMES = ["orz", "orz_short", "qwen_math", "chat", "plain", "file"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export const TemplateSchema = z
  .strictObject({
    name: z.enum(TEMPLATE_NAMES).default("orz")
      .describe("orz (Open-Reasoner-Zero, base models), orz_short (User: {question}\\nAssistant: <think>, the built-in tasks' prompt), qwen_math (Qwen2.5-Math's \\boxed{} instruction as the system message), chat (the model's chat template), plain (the question alone), file (a text file with {question})"),
    path: z.string().min(1).optional()
      .describe("file template: a text file in which {question} is replaced by the question"),
    system: z.string().optional()
      .describe("chat template: a system message before the question"),
    stop: z.array(z.string().min(1)).optional()
      .describe("stop strings, kept in the output (default: the template's own; orz: User:, Human:, Assistant:, </answer>)"),
    format: AnswerFormatSchema.optional()
      .describe("answer format for grading: orz, boxed, auto, choice (default: orz for orz, else auto; multiple choice is always graded as choice)"),
  })
  .refine((t) => (t.name === "file") === (t.path !== undefined), { message: "path is given with name: file, and only then" })
  .refine((t) => t.system === undefined || t.name === "chat", { message: "system is for name: chat" });

export type TemplateSpec = z.output<typeof TemplateSchema>;
export type TemplateSpecInput = z.input<typeof TemplateSchema>;

export interface PromptTemplate {
  readonly name: TemplateName;
  /** Stop strings to generate with. */
  readonly stop: readonly string[];
  /** Answer format for items without choices. */
  readonly format: AnswerFormat;
  /** Whether the text comes from the tokenizer's chat template (which writes its own special tokens). */
  readonly usesChatTemplate: (tokenizer?: TextTokenizer | null) => boolean;
  readonly render: (item: PromptItem, tokenizer?: TextTokenizer | null) => string;
}

/** A template from its spec (reads a file template once). */
export function loadTemplate(input: TemplateSpecInput | TemplateName): PromptTemplate {
  const spec = parseWith(TemplateSchema, typeof input === "string" ? { name: input } : input, "template");
  const stop = (own: readonly string[]) => spec.stop ?? own;
  const format = (own: AnswerFormat) => spec.format ?? own;
  const withChat = (t: TextTokenizer | null | undefined): t is TextTokenizer => !!t && t.hasChatTemplate();
  const fill = (text: string, item: PromptItem) => text.replaceAll("{question}", item.question);
  switch (spec.name) {
    case "orz":
      return { name: "orz", stop: stop(ORZ_STOP), format: format("orz"), usesChatTemplate: () => false, render: (item) => fill(ORZ_PROMPT, item) };
    case "orz_short":
      return { name: "orz_short", stop: stop(["</answer>"]), format: format("orz"), usesChatTemplate: () => false, render: (item) => fill(ORZ_SHORT_PROMPT, item) };
    case "qwen_math":
      return {
        name: "qwen_math",
        stop: stop(["<|im_end|>", "<|endoftext|>"]),
        format: format("auto"),
        usesChatTemplate: withChat,
        render: (item, tok) => withChat(tok)
          ? tok.applyChatTemplate([{ role: "system", content: QWEN_MATH_SYSTEM }, { role: "user", content: item.question }], { addGenerationPrompt: true })
          : fill(QWEN_MATH_CHATML, item),
      };
    case "chat":
      return {
        name: "chat",
        stop: stop([]),
        format: format("auto"),
        usesChatTemplate: () => true,
        render: (item, tok) => {
          if (!tok) throw new UserInputError("template chat needs the model's tokenizer (--model DIR, or --tokenizer DIR with --endpoint)");
          const system = spec.system === undefined ? [] : [{ role: "system", content: spec.system }];
          return tok.applyChatTemplate([...system, { role: "user", content: item.question }], { addGenerationPrompt: true });
        },
      };
    case "plain":
      return { name: "plain", stop: stop([]), format: format("auto"), usesChatTemplate: () => false, render: (item) => item.question };
    case "file": {
      const file = spec.path!;
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        throw fileAccessError(file, e, "read");
      }
      if (!text.includes("{question}")) throw new UserInputError(`${file}: a prompt template must contain {question}`);
      return { name: "file", stop: stop([]), format: format("auto"), usesChatTemplate: () => false, render: (item) => fill(text, item) };
    }
  }
}

/** The prompt text of an item. */
export function renderPrompt(template: PromptTemplate, item: PromptItem, tokenizer?: TextTokenizer | null): string {
  return template.render(item, tokenizer);
}

/**
 * The prompt's token ids: a chat template writes its special tokens itself, so none are
 * added (as transformers' apply_chat_template does); other prompts are encoded with them.
 */
export function promptTokens(template: PromptTemplate, text: string, tokenizer: TextTokenizer): number[] {
  return tokenizer.encode(text, { addSpecialTokens: !template.usesChatTemplate(tokenizer) });
}

/** An item's prompt for a RolloutEngine: its text, and its token ids when there is a tokenizer. */
export function promptFor(template: PromptTemplate, item: PromptItem, tokenizer?: TextTokenizer | null): { text: string; ids?: number[] } {
  const text = renderPrompt(template, item, tokenizer);
  return tokenizer ? { text, ids: promptTokens(template, text, tokenizer) } : { text };
}

/** The answer format to grade a dataset in: `choice` for multiple choice, else the template's. */
export function answerFormatFor(template: PromptTemplate, items: readonly PromptItem[]): AnswerFormat {
  return items.some((i) => i.choices !== undefined) ? "choice" : template.format;
}
