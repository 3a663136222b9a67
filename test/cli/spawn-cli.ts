/** Runs the CLI from source in a child process without blocking this one (tests that serve HTTP here). */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `onSpawn` receives a way to signal the child while it runs; `cwd` is the repository by default. */
export function rlzeroAsync(args: string[], onSpawn?: (kill: (signal: NodeJS.Signals) => void) => void, cwd = root): Promise<CliRun> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), path.join(root, "test/helpers/cli.ts"), ...args], { cwd });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  onSpawn?.((signal) => child.kill(signal));
  return new Promise((resolve) => child.on("exit", (status) => resolve({ status, stdout, stderr })));
}
