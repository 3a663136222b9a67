/**
 * `rlzero <command>`: parses and validates flags, then calls the library. User errors print one
 * line and exit 1; anything else is a bug and prints its stack.
 */
import { Command, InvalidArgumentError } from "commander";
import { UserInputError } from "../errors.ts";
import { infoCommand } from "./info.ts";
import { generateCommand } from "./generate.ts";
import { logprobsCommand } from "./logprobs.ts";
import { gradeCommand } from "./grade.ts";
import { trainCommand } from "./train.ts";
import { pretrainCommand } from "./pretrain.ts";
import { dashboardCommand } from "./dashboard.ts";
import { evalCommand } from "./eval.ts";
import { curateCommand } from "./curate.ts";
import { serveCommand } from "./serve.ts";
import { exportCommand } from "./export.ts";
import { compareCommand } from "./compare.ts";
import { COMPARE_ALGORITHMS } from "../compare/recipes.ts";
import { exportRecipeCommand } from "./export-recipe.ts";

function int(name: string, min: number, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer ${max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`}`);
    }
    return n;
  };
}

function float(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}]`);
    return n;
  };
}

/** Sampling flags (generate, eval, curate); `seed` overrides the --seed option (eval's default depends on --task). */
function samplingOptions(cmd: Command, maxNewTokens: number, seed: { help: string; default?: number } = { help: "random seed", default: 0 }): Command {
  return cmd
    .option("--max-new-tokens <n>", "tokens to generate at most", int("--max-new-tokens", 1), maxNewTokens)
    .option("--temperature <t>", "sampling temperature (0: greedy)", float("--temperature", 0, 100), 1)
    .option("--top-p <p>", "nucleus sampling mass", float("--top-p", 0, 1), 1)
    .option("--top-k <k>", "keep the k most likely tokens (0: all)", int("--top-k", 0), 0)
    .option("--seed <s>", seed.help, int("--seed", 0), seed.default);
}

/** Where samples come from, how they are drawn and which data (eval and curate); `eval` takes the built-in tasks too. */
function engineAndSamplingOptions(cmd: Command, command: "eval" | "curate"): Command {
  const seed = command === "eval"
    ? { help: "random seed of the sampling; with --task also of the draw of problems (default 0; 1 with --task, the trainer's default held-out set)" }
    : undefined;
  return samplingOptions(cmd, 1024, seed)
    .option("--model <dir>", "model directory: sample with the built-in engine")
    .option("--endpoint <url...>", "OpenAI-compatible server(s) (vLLM, SGLang, llama.cpp); several share the load")
    .option("--model-name <name>", "with --endpoint: the model name the server serves")
    .option("--tokenizer <dir>", "with --endpoint: a model directory whose tokenizer renders chat templates and sends token ids")
    .option("--api-key <key>", "with --endpoint: API key (default: $OPENAI_API_KEY)")
    .option("--concurrency <c>", "with --endpoint: requests in flight per endpoint", int("--concurrency", 1), 8)
    .option("--timeout <seconds>", "with --endpoint: time limit of one request", float("--timeout", 0.001, 86400), 600)
    .option("--retries <r>", "with --endpoint: attempts after a failed request (timeouts, errors, garbage)", int("--retries", 0), 4)
    .option("--batch-size <b>", "with --model: prompts per generation batch", int("--batch-size", 1), 16)
    .option("--template <name|file>", `prompt: orz, orz_short, qwen_math, chat, plain, or a file containing {question}${command === "eval" ? " (default: orz; orz_short with --task)" : ""}`,
      command === "eval" ? undefined : "orz")
    .option("--system <text>", "with --template chat: a system message")
    .option("--stop <string...>", "stop strings (default: the template's)")
    .option("--format <format>", "answer format: orz, boxed, auto, choice (default: the template's; choice for multiple choice)")
    .option("--overwrite", "discard cached responses made with other settings in --out")
    .option("--data-dir <dir>", "directory of the benchmark files (default: ../shared/data next to the repository)")
    .option("--question-field <path>", "data files: field of the question (dotted: prompt.0.value)")
    .option("--answer-field <path>", "data files: field of the reference answer")
    .option("--choices-field <path>", "data files: field of multiple-choice options")
    .option("--id-field <path>", "data files: field of a unique id")
    .option("--answer-parse <mode>", "data files: plain, last_boxed, gsm8k or list")
    .option("--choice-seed <s>", "seed of the per-item shuffle of multiple-choice options", int("--choice-seed", 0))
    .option("--skip-malformed", "skip (and count) rows without a usable question or answer instead of stopping")
    .option("--limit <n>", "only the first n items of each dataset", int("--limit", 1));
}

function program(): Command {
  const cli = new Command("rlzero")
    .description("Reinforcement learning with verifiable rewards for language models, on the CPU")
    .option("--threads <n>", "threads for the native kernels (default: all cores)", int("--threads", 1));

  cli.command("info").description("show the native backend, threads and CPU features").action(() => infoCommand(cli.opts()));

  samplingOptions(cli.command("generate")
    .description("sample completions from a Hugging Face model directory")
    .requiredOption("--model <dir>", "model directory (config.json, safetensors, tokenizer.json)")
    .option("--prompt <text>", "prompt text")
    .option("--prompt-ids <ids>", "prompt token ids, comma-separated, in place of --prompt")
    .option("--n <k>", "completions", int("--n", 1), 1), 64)
    .option("--greedy", "argmax decoding")
    .option("--chat", "send --prompt as a user message through the model's chat template")
    .option("--stop <string...>", "stop strings (kept in the output)")
    .option("--json", "one JSON object a line per completion")
    .action((opts) => generateCommand({ ...cli.opts(), ...opts }));

  cli.command("logprobs")
    .description("log-probability of each token given the ones before it")
    .requiredOption("--model <dir>", "model directory")
    .option("--text <text>", "text to score")
    .option("--ids <ids>", "token ids, comma-separated, in place of --text")
    .option("--json", "one JSON object with ids and logprobs")
    .action((opts) => logprobsCommand({ ...cli.opts(), ...opts }));

  cli.command("grade")
    .description("grade a JSONL file of responses against their answers")
    .requiredOption("--input <file>", "JSONL file, one response a line")
    .option("--response-field <name>", "field holding the response", "response")
    .option("--answer-field <name>", "field holding the ground truth", "answer")
    .option("--format <format>", "answer extraction: orz, boxed, auto or choice", "auto")
    .option("--output <file>", "write the graded lines here (default: stdout)")
    .action((opts) => gradeCommand(opts));

  cli.command("train")
    .description("train a policy with reinforcement learning; with no --config, the built-in default (configs/default.yaml: PPO on the arithmetic task from the shipped tiny model)")
    .option("--config <file>", "run config (YAML, docs/CONFIG.md); recipes are in configs/")
    .option("--set <key=value...>", "override config keys, e.g. --set trainer.steps=10 algorithm.name=grpo")
    .option("--print-config", "print the resolved config and exit")
    .option("--resume <run_dir>", "continue a run from its last checkpoint")
    .action((opts) => trainCommand({ ...cli.opts(), ...opts }));

  cli.command("compare")
    .description("run several algorithms at several seeds under the same budget; table, findings and charts (docs/COMPARE.md)")
    .option("--algorithms <list>", "comma-separated algorithms", COMPARE_ALGORITHMS.join(","))
    .option("--seeds <k>", "seeds 0 .. k-1 for each algorithm", int("--seeds", 1), 3)
    .option("--config <file>", "the base run config every algorithm shares (YAML; needs a data.eval held-out set); default: the built-in default, configs/default.yaml")
    .option("--set <key=value...>", "override config keys in every run, e.g. --set rollout.prompts_per_step=16")
    .option("--steps <n>", "RL steps of every run (trainer.steps)", int("--steps", 1))
    .option("--out <dir>", "results.md, results.json, charts/ and runs/ go here; rerunning reuses finished runs", "runs/compare")
    .action((opts) => compareCommand({ ...cli.opts(), ...opts }));

  cli.command("pretrain")
    .description("next-token training on a text or prompt/response corpus, or a built-in task's (the config: YAML, see docs/PRETRAIN.md)")
    .option("--config <file>", "pretraining config (YAML), e.g. configs/pretrain-tiny.yaml")
    .option("--set <key=value...>", "override config keys, e.g. --set trainer.steps=100 optim.lr=3e-4")
    .option("--print-config", "print the resolved config and exit")
    .option("--resume <run_dir>", "continue a run from its last checkpoint")
    .action((opts) => pretrainCommand({ ...cli.opts(), ...opts }));
  engineAndSamplingOptions(cli.command("eval")
    .description("evaluate a model on benchmarks or a built-in task: avg@n, pass@k, maj@k, length, truncation")
    .option("--benchmarks <list>", "comma-separated benchmark names (math500, aime2024, aime2025, gpqa_diamond, minerva_math, olympiadbench, amc23, gsm8k, ...) or data files")
    .option("--task <suite>", "instead of --benchmarks: freshly drawn problems of a built-in task suite (arith, countdown, add:3-4,..., docs/TASKS.md), graded by its grader")
    .option("--count <n>", "with --task: problems drawn", int("--count", 1), 200)
    .option("--split <split>", "with --task: eval or train", (v: string) => {
      if (v !== "eval" && v !== "train") throw new InvalidArgumentError("--split must be eval or train");
      return v;
    }, "eval")
    .option("--n <k>", "samples per problem", int("--n", 1), 1)
    .option("--out <dir>", "report.json, report.md and <benchmark>.jsonl go here; rerunning continues", "runs/eval"), "eval")
    .action((opts) => evalCommand({ ...cli.opts(), ...opts }));

  engineAndSamplingOptions(cli.command("curate")
    .description("Open-Reasoner-Zero curation: drop unusable references and duplicates, keep prompts whose pass rate over k samples is in a band")
    .requiredOption("--data <name|file>", "a dataset name or a data file")
    .option("--k <k>", "samples per prompt", int("--k", 1), 8)
    .option("--min-pass <p>", "keep pass rates >= p (default 1/k: drop 0/k)", float("--min-pass", 0, 1))
    .option("--max-pass <p>", "keep pass rates <= p (default (k-1)/k: drop k/k)", float("--max-pass", 0, 1))
    .option("--out <dir>", "kept.jsonl, curate-report.json and the sampled responses go here", "runs/curate"), "curate")
    .action((opts) => curateCommand({ ...cli.opts(), ...opts }));

  cli.command("serve")
    .description("serve a model over an OpenAI-compatible HTTP API (with SGLang's /update_weights_from_disk)")
    .requiredOption("--model <dir>", "model directory (config.json, safetensors, tokenizer.json)")
    .option("--host <host>", "address to listen on (127.0.0.1: this machine only)", "127.0.0.1")
    .option("--port <port>", "port (0: any free port)", int("--port", 0, 65535), 8000)
    .option("--max-batch <n>", "sequences generated together at most", int("--max-batch", 1), 64)
    .option("--batch-window-ms <ms>", "how long a request waits for others to batch with", int("--batch-window-ms", 0), 10)
    .option("--served-model-name <name>", "the model name clients use (default: the directory's name)")
    .action((opts) => serveCommand({ ...cli.opts(), ...opts }));

  cli.command("export")
    .description("write a model directory as one GGUF file, for llama.cpp or Ollama")
    .requiredOption("--format <format>", "output format: gguf")
    .requiredOption("--model <dir>", "model directory")
    .requiredOption("--out <file>", "the file to write")
    .option("--dtype <dtype>", "weights as f32, f16 or bf16 (norms and biases stay f32)", "f32")
    .action((opts) => exportCommand({ ...cli.opts(), ...opts }));

  cli.command("export-recipe")
    .description("print the command that runs a recipe's algorithm and hyper-parameters on verl, and what does not carry over")
    .argument("<config>", "run config (YAML), e.g. configs/orz-ppo.yaml")
    .requiredOption("--format <name>", "the framework: verl")
    .option("--set <key=value...>", "override config keys first, as rlzero train --set")
    .action((config: string, opts) => exportRecipeCommand(config, opts));

  cli.command("dashboard")
    .description("serve a local web page with the charts and samples of the runs under a directory")
    .argument("[runs-dir]", "a directory of runs (searched a few levels deep), or one run's directory", "runs")
    .option("--port <p>", "port to listen on (0: any free port)", int("--port", 0), 6070)
    .option("--host <h>", "address to listen on", "127.0.0.1")
    .action((runsDir: string, opts) => dashboardCommand(runsDir, opts));

  return cli;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof UserInputError) {
      console.error(`rlzero: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
