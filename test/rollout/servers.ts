/**
 * `rlzero serve` processes for the fleet tests, started from source on 127.0.0.1 with a free port,
 * and what the tests read from them (/metrics, /get_weight_version).
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface ServeProcess {
  url: string;
  proc: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/** Starts `rlzero serve --model DIR --port 0 ...args` and resolves once it prints its URL. */
export async function startServe(modelDir: string, ...args: string[]): Promise<ServeProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(root, "test/helpers/cli.ts"), "--threads", "1", "serve", "--model", modelDir, "--port", "0", ...args],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  for await (const line of readline.createInterface({ input: proc.stdout! })) {
    const url = /^rlzero serve: .* at (http:\/\/\S+)\/v1 /.exec(line)?.[1];
    if (url) return { url, proc, exited };
  }
  throw new Error(`rlzero serve --model ${modelDir} exited before listening`);
}

/** The server's Prometheus counters (rlzero_sequences_total -> sequences_total, ...). */
export async function serverMetrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^rlzero_(\w+) (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

export async function weightVersion(url: string): Promise<string> {
  return ((await (await fetch(`${url}/get_weight_version`)).json()) as { weight_version: string }).weight_version;
}
