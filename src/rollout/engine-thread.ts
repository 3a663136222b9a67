/**
 * The worker side of ThreadedEngine (threaded.ts): an OpenAIEngine built from the worker's data,
 * answering each call with its value or its error.
 */
import { parentPort, workerData } from "node:worker_threads";
import { OpenAIEngine } from "./openai.ts";
import type { EngineCall, EngineReply, ThreadedEngineOptions } from "./threaded.ts";

const engine = new OpenAIEngine(workerData as ThreadedEngineOptions);
const port = parentPort!;

port.on("message", (call: EngineCall) => {
  const run = async (): Promise<unknown> => {
    switch (call.method) {
      case "generate":
        return engine.generate(...(call.args as Parameters<OpenAIEngine["generate"]>));
      case "syncWeights":
        return engine.syncWeights(...(call.args as Parameters<OpenAIEngine["syncWeights"]>));
      case "takeMetrics":
        return engine.takeMetrics();
      case "close":
        return engine.close();
    }
  };
  run().then(
    (value) => port.postMessage({ id: call.id, value } satisfies EngineReply),
    (e: Error) => port.postMessage({ id: call.id, error: { name: e.name, message: e.message } } satisfies EngineReply),
  );
});
