/**
 * An OpenAIEngine on a thread of its own, so that its requests go out, come back and are retried
 * while this thread is busy with synchronous work (a policy update): what one-step-off-policy
 * rollouts need. Calls are forwarded to the worker (engine-thread.ts) and answered in order of
 * completion; a failed call rejects here with the worker's error (a RolloutRequestError stays one).
 */
import type { Worker } from "node:worker_threads";
import { moduleWorker } from "../util/module-worker.ts";
import type { RolloutEngine, RolloutPrompt, RolloutSample, SamplingSettings, WeightSyncReport } from "./engine.ts";
import { RolloutRequestError, type OpenAIEngineOptions } from "./openai.ts";

/** The options a worker can be given: no callbacks. */
export type ThreadedEngineOptions = Omit<OpenAIEngineOptions, "weightVersion">;

export interface EngineCall {
  id: number;
  method: "generate" | "syncWeights" | "takeMetrics" | "close";
  args: unknown[];
}

export type EngineReply = { id: number; value: unknown } | { id: number; error: { name: string; message: string } };

export class ThreadedEngine implements RolloutEngine {
  readonly name: string;
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private exited: Error | null = null;

  constructor(opts: ThreadedEngineOptions) {
    this.name = `openai(thread):${opts.endpoints.join(",")}`;
    this.worker = moduleWorker(import.meta.url, "engine-thread", { workerData: opts });
    this.worker.on("message", (reply: EngineReply) => {
      const call = this.calls.get(reply.id);
      this.calls.delete(reply.id);
      if (!call) return;
      if ("value" in reply) call.resolve(reply.value);
      else call.reject(reply.error.name === "RolloutRequestError" ? new RolloutRequestError(reply.error.message) : new Error(reply.error.message));
    });
    const fail = (e: Error) => {
      if (this.exited) return; // "exit" follows "error": the first reason stays
      this.exited = e;
      for (const call of this.calls.values()) call.reject(e);
      this.calls.clear();
    };
    this.worker.on("error", (e) => fail(new Error(`the rollout engine's thread crashed: ${e.message}`)));
    this.worker.on("exit", () => fail(new RolloutRequestError(`${this.name}: the engine was closed`)));
  }

  generate(prompts: readonly RolloutPrompt[], n: number, sampling: SamplingSettings, seedKeys: readonly number[]): Promise<RolloutSample[][]> {
    return this.call("generate", [prompts, n, sampling, seedKeys]) as Promise<RolloutSample[][]>;
  }

  syncWeights(dir: string, version: number): Promise<WeightSyncReport> {
    return this.call("syncWeights", [dir, version]) as Promise<WeightSyncReport>;
  }

  takeMetrics(): Promise<Record<string, number>> {
    return this.call("takeMetrics", []) as Promise<Record<string, number>>;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await this.call("close", []).catch(() => {});
    await this.worker.terminate();
  }

  private call(method: EngineCall["method"], args: unknown[]): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args } satisfies EngineCall);
    });
  }
}
