/**
 * A model directory's tokenizer: `tokenizer.json` run by @huggingface/tokenizers, plus
 * `tokenizer_config.json` (special tokens, add_bos_token/add_eos_token, chat_template) and a
 * `chat_template.jinja` file when present (newer transformers save the template there),
 * rendered by @huggingface/jinja.
 */
import fs from "node:fs";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import { UserInputError } from "../errors.ts";
import { readJson } from "./config.ts";

export interface ChatMessage {
  role: string;
  content: string;
}

type TokenizerConfig = Record<string, unknown>;

/** A special token in tokenizer_config.json: a string or an AddedToken object {content}. */
function tokenString(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && typeof (v as { content?: unknown }).content === "string") {
    return (v as { content: string }).content;
  }
  return null;
}

export class TextTokenizer {
  /** One more than the largest token id, added tokens included. */
  readonly vocabSize: number;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  /** Ids of tokenizer_config.json's eos_token (empty when it names none). */
  readonly eosTokenIds: number[];
  private readonly bosId: number | undefined;

  private constructor(
    private readonly dir: string,
    private readonly tok: Tokenizer,
    private readonly config: TokenizerConfig,
    private readonly chatTemplate: { source: string; template: Template } | null,
  ) {
    let maxId = -1;
    for (const id of tok.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.bosToken = tokenString(config.bos_token);
    this.eosToken = tokenString(config.eos_token);
    this.padToken = tokenString(config.pad_token);
    this.bosId = this.bosToken === null ? undefined : tok.token_to_id(this.bosToken);
    const eosId = this.eosToken === null ? undefined : tok.token_to_id(this.eosToken);
    this.eosTokenIds = eosId === undefined ? [] : [eosId];
  }

  static load(dir: string): TextTokenizer {
    const tokFile = path.join(dir, "tokenizer.json");
    if (!fs.existsSync(tokFile)) throw new UserInputError(`${tokFile}: file not found (the model directory needs a tokenizer.json)`);
    const tokJson = readJson(tokFile);
    const cfgFile = path.join(dir, "tokenizer_config.json");
    const config = (fs.existsSync(cfgFile) ? readJson(cfgFile) : {}) as TokenizerConfig;
    let tok: Tokenizer;
    try {
      // transformers (>= 4.45) defaults clean_up_tokenization_spaces to false; the library to true.
      tok = new Tokenizer(tokJson as object, { ...config, clean_up_tokenization_spaces: config.clean_up_tokenization_spaces ?? false });
    } catch (e) {
      throw new UserInputError(`${tokFile}: cannot build the tokenizer (${(e as Error).message})`);
    }
    return new TextTokenizer(dir, tok, config, loadChatTemplate(dir, config, cfgFile));
  }

  /**
   * Token ids of `text`. With special tokens (the default, as in transformers), an explicit
   * add_bos_token/add_eos_token in tokenizer_config.json decides bos/eos, as LlamaTokenizerFast
   * does; otherwise tokenizer.json's post-processor does.
   */
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    const addSpecial = opts.addSpecialTokens ?? true;
    const { add_bos_token: addBos, add_eos_token: addEos } = this.config;
    if (!addSpecial || (typeof addBos !== "boolean" && typeof addEos !== "boolean")) {
      return this.tok.encode(text, { add_special_tokens: addSpecial }).ids;
    }
    const ids = this.tok.encode(text, { add_special_tokens: false }).ids;
    if (addBos === true && this.bosId !== undefined) ids.unshift(this.bosId);
    if (addEos === true && this.eosTokenIds.length > 0) ids.push(this.eosTokenIds[0]);
    return ids;
  }

  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return ""; // the library rejects an empty list
    return this.tok.decode([...ids], { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tok.id_to_token(id);
  }

  hasChatTemplate(): boolean {
    return this.chatTemplate !== null;
  }

  /** Renders messages with the model's chat template, as transformers' apply_chat_template(tokenize=False). */
  applyChatTemplate(messages: ChatMessage[], opts: { addGenerationPrompt: boolean }): string {
    if (!this.chatTemplate) {
      const file = path.join(this.dir, "tokenizer_config.json");
      throw new UserInputError(`${file}: the model has no chat template (no "chat_template" key, no chat_template.jinja)`);
    }
    try {
      return this.chatTemplate.template.render({
        messages,
        add_generation_prompt: opts.addGenerationPrompt,
        bos_token: this.bosToken ?? "",
        eos_token: this.eosToken ?? "",
        pad_token: this.padToken ?? "",
      });
    } catch (e) {
      throw new UserInputError(`${this.chatTemplate.source}: chat template failed to render (${(e as Error).message})`);
    }
  }
}

function loadChatTemplate(dir: string, config: TokenizerConfig, cfgFile: string): { source: string; template: Template } | null {
  const jinjaFile = path.join(dir, "chat_template.jinja");
  let source = jinjaFile;
  let text: unknown = fs.existsSync(jinjaFile) ? fs.readFileSync(jinjaFile, "utf8") : undefined;
  if (text === undefined) {
    source = cfgFile;
    text = config.chat_template;
    if (Array.isArray(text)) text = text.find((t) => t?.name === "default")?.template;
  }
  if (text === undefined || text === null) return null;
  if (typeof text !== "string") throw new UserInputError(`${source}: chat_template must be a string or a list with a "default" entry`);
  try {
    return { source, template: new Template(text) };
  } catch (e) {
    throw new UserInputError(`${source}: chat template does not parse (${(e as Error).message})`);
  }
}
