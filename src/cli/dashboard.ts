/**
 * `rlzero dashboard [RUNS_DIR]`: serves the dashboard over a directory of runs (or one run) and
 * prints the directory and the URL to open. Runs until interrupted.
 */
import { statSync } from "node:fs";
import { UserInputError, fileAccessError } from "../errors.ts";
import { startDashboard } from "../dashboard/server.ts";

export async function dashboardCommand(runsDir: string, opts: { port: number; host: string }): Promise<void> {
  let isDir: boolean;
  try {
    isDir = statSync(runsDir).isDirectory();
  } catch (err) {
    throw fileAccessError(runsDir, err, "open");
  }
  if (opts.port > 65535) throw new UserInputError(`--port must be at most 65535 (got ${opts.port})`);
  if (!isDir) throw new UserInputError(`${runsDir}: not a directory (give the runs directory, or one run's directory)`);
  let dashboard;
  try {
    dashboard = await startDashboard({ runsDir, host: opts.host, port: opts.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UserInputError(`port ${opts.port} on ${opts.host} is in use; choose another with --port`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new UserInputError(`--host ${opts.host}: not an address of this machine`);
    throw err;
  }
  console.log(`rlzero dashboard: serving ${dashboard.root}`);
  console.log(`open ${dashboard.url}`);
  if (!["127.0.0.1", "localhost", "::1"].includes(opts.host)) console.log(`(listening on ${opts.host}: anyone who can reach this machine can read these runs)`);
}
