/**
 * Prints the statistics of a pretraining config's task corpora (docs/TASKS.md, Statistics): per
 * task and level the share of worked, direct and self-checked responses and how often each is
 * right, and token counts in the config's tokenizer; then the totals of the training corpus.
 *
 *   node --import tsx scripts/corpus-stats.ts CONFIG [--set key=value ...]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resolvePretrainConfig } from "../src/pretrain/config.ts";
import { taskCorpus } from "../src/pretrain/corpus.ts";
import { startingModel } from "../src/pretrain/model.ts";
import { corpusStats, formatCorpusStats } from "../src/tasks/stats.ts";

const { positionals, values } = parseArgs({ allowPositionals: true, options: { set: { type: "string", multiple: true, default: [] } } });
if (positionals.length !== 1) {
  console.error("usage: node --import tsx scripts/corpus-stats.ts CONFIG [--set key=value ...]");
  process.exit(2);
}
const cfg = resolvePretrainConfig({ file: positionals[0], set: values.set });
const { tokenizer } = startingModel({ ...cfg, run_dir: mkdtempSync(join(tmpdir(), "corpus-stats-")) }); // the tasks' tokenizer is written there
const sources = [cfg.data.train].flat().filter((s) => s.task !== undefined);
const examples = sources.flatMap((s) => taskCorpus(s));
const count = (t: string, special = true) => tokenizer.encode(t, { addSpecialTokens: special }).length;
console.log(formatCorpusStats(corpusStats(examples, count)));
const responseTokens = examples.reduce((n, e) => n + count(e.response, false) + 1, 0);
const allTokens = examples.reduce((n, e) => n + count(e.prompt), responseTokens);
const byKind = new Map<string, number>();
for (const e of examples) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
const kinds = [...byKind].map(([k, n]) => `${k} ${((100 * n) / examples.length).toFixed(1)}%`);
console.log(`\n${examples.length} examples (${kinds.join(", ")}); ${allTokens} tokens, ${responseTokens} of them trained on (responses and EOS)`);
