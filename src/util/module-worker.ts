/**
 * A worker thread running one of this package's modules, from src/ under tsx or from dist/: the
 * entry `name` is resolved next to the calling module, with the caller's own extension. Under tsx
 * the loader is registered inside the worker before the TypeScript entry is imported (Node 20 does
 * not apply the parent's `--import tsx` hooks to a worker's entry module).
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

export function moduleWorker(callerUrl: string, name: string, init: WorkerOptions): Worker {
  const typescript = callerUrl.endsWith(".ts");
  const url = new URL(`./${name}${typescript ? ".ts" : ".js"}`, callerUrl);
  if (!typescript) return new Worker(url, init);
  const entry = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(entry, { eval: true, execArgv: ["--import", "tsx"], ...init });
}
