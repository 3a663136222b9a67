/**
 * Writes the built-in tasks' tokenizer (tokenizer.json, tokenizer_config.json) into a directory,
 * then prints the statistics of a corpus sample measured in its tokens.
 *
 *   node --import tsx scripts/make-tokenizer.ts DIR [--seed S] [--count N]
 */
import { parseArgs } from "node:util";
import { TextTokenizer } from "../src/models/tokenizer.ts";
import { generateCorpus } from "../src/tasks/corpus.ts";
import { corpusStats, formatCorpusStats } from "../src/tasks/stats.ts";
import { writeTokenizer } from "../src/tasks/tokenizer.ts";

const { positionals, values } = parseArgs({ allowPositionals: true, options: { seed: { type: "string", default: "1" }, count: { type: "string", default: "20000" } } });
if (positionals.length !== 1) {
  console.error("usage: node --import tsx scripts/make-tokenizer.ts DIR [--seed S] [--count N]");
  process.exit(2);
}
const [dir] = positionals as [string];
writeTokenizer(dir);
const tok = TextTokenizer.load(dir);
console.log(`${dir}: tokenizer.json (${tok.vocabSize} tokens), tokenizer_config.json`);
const count = Number(values.count);
for (const suite of ["arith-corpus", "countdown"]) {
  const corpus = generateCorpus({ suite, count, seed: Number(values.seed) });
  console.log(`\ncorpus "${suite}", ${count} examples, seed ${values.seed}:\n`);
  console.log(formatCorpusStats(corpusStats(corpus, (t) => tok.encode(t).length)));
}
