/**
 * `rlzero <command>`: parses and validates flags, then calls the library. User errors print one
 * line and exit 1; anything else is a bug and prints its stack.
 */
import { Command, InvalidArgumentError } from "commander";
import { UserInputError } from "../errors.ts";
import { infoCommand } from "./info.ts";
import { generateCommand } from "./generate.ts";
import { logprobsCommand } from "./logprobs.ts";
import { demoCommand } from "./demo.ts";
import { gradeCommand } from "./grade.ts";
import { exportCommand } from "./export.ts";

function int(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
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

function program(): Command {
  const cli = new Command("rlzero")
    .description("Reinforcement learning with verifiable rewards for language models, on the CPU")
    .option("--threads <n>", "threads for the native kernels (default: all cores)", int("--threads", 1));

  cli.command("info").description("show the native backend, threads and CPU features").action(() => infoCommand(cli.opts()));

  cli.command("generate")
    .description("sample completions from a Hugging Face model directory")
    .requiredOption("--model <dir>", "model directory (config.json, safetensors, tokenizer.json)")
    .option("--prompt <text>", "prompt text")
    .option("--prompt-ids <ids>", "prompt token ids, comma-separated, in place of --prompt")
    .option("--n <k>", "completions", int("--n", 1), 1)
    .option("--max-new-tokens <n>", "tokens to generate at most", int("--max-new-tokens", 1), 64)
    .option("--temperature <t>", "sampling temperature", float("--temperature", 0, 100), 1)
    .option("--top-p <p>", "nucleus sampling mass", float("--top-p", 0, 1), 1)
    .option("--top-k <k>", "keep the k most likely tokens (0: all)", int("--top-k", 0), 0)
    .option("--seed <s>", "random seed", int("--seed", 0), 0)
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

  cli.command("export")
    .description("write a model directory as one GGUF file, for llama.cpp or Ollama")
    .requiredOption("--format <format>", "output format: gguf")
    .requiredOption("--model <dir>", "model directory")
    .requiredOption("--out <file>", "the file to write")
    .option("--dtype <dtype>", "weights as f32, f16 or bf16 (norms and biases stay f32)", "f32")
    .action((opts) => exportCommand({ ...cli.opts(), ...opts }));

  cli.command("demo")
    .description("the built-in default: build a small model and generate with it")
    .option("--out <dir>", "where to write the model", "runs/demo")
    .action((opts) => demoCommand({ ...cli.opts(), ...opts }));

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
