/**
 * The built-in tasks' public API (importing it registers their graders): generators and
 * suites, splits and prompt sets, the pretraining corpus and its statistics, the format and its
 * detectors, the tokenizer. docs/TASKS.md describes them.
 */
export { addTask, mulTask, subTask } from "./arithmetic.ts";
export { countdownTask } from "./countdown.ts";
export { DEFAULT_MIX, corpusResponse, generateCorpus, writeCorpus, type CorpusExample, type CorpusMix, type CorpusOptions } from "./corpus.ts";
export { hasSelfCheck, isWorked, orzResponse, taskPrompt } from "./format.ts";
export { TASK_GRADERS, arithGrader, countdownOrzGrader } from "./graders.ts";
export { NAMED_SUITES, TASKS, parseSuite, suiteGrader, type SuiteItem } from "./registry.ts";
export { drawProblems, promptSetJsonl, writePromptSet, type DrawOptions } from "./sets.ts";
export { EVAL_SHARE, splitOf, type Split } from "./split.ts";
export { corpusStats, formatCorpusStats, type GroupStats, type KindStats } from "./stats.ts";
export { EOS_TOKEN, TAG_TOKENS, UNK_TOKEN, buildTokenizer, tokenizerTexts, writeTokenizer, type TokenizerFiles } from "./tokenizer.ts";
export type { Problem, ResponseKind, Task } from "./types.ts";
