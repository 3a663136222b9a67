/** `rlzero serve`: the OpenAI-compatible server over the built-in engine, until SIGINT or SIGTERM. */
import { InferenceServer } from "../serve/server.ts";
import { applyThreads } from "./threads.ts";

export interface ServeFlags {
  threads?: number;
  model: string;
  host: string;
  port: number;
  maxBatch: number;
  batchWindowMs: number;
  servedModelName?: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export async function serveCommand(flags: ServeFlags): Promise<void> {
  applyThreads(flags.threads);
  const server = await InferenceServer.start({
    modelDir: flags.model, host: flags.host, port: flags.port, maxBatch: flags.maxBatch,
    batchWindowMs: flags.batchWindowMs, servedModelName: flags.servedModelName,
  });
  const reach = LOOPBACK.has(flags.host)
    ? "this machine only; --host 0.0.0.0 lets other machines in"
    : "other machines can reach it, without authentication";
  console.log(`rlzero serve: ${server.servedName} at ${server.url}/v1 (${reach})`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log(`rlzero serve: ${signal}: answering the requests already received, then stopping (again to stop now)`);
  const now = () => process.exit(1);
  process.once("SIGINT", now);
  process.once("SIGTERM", now);
  await server.close();
  console.log("rlzero serve: stopped");
}
