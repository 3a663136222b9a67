/**
 * A pool of worker threads that grades responses with a per-response time limit: a task
 * still running after `timeoutMs` gets a "timeout" verdict and its worker is terminated and
 * replaced; a crashed worker yields an "error" verdict. Size limits are checked before a task
 * is sent. The worker file is resolved next to this module, so the pool works from src/
 * under tsx (the worker is started with `--import tsx`) and compiled in dist/.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { parseVerifierConfig, rewardFor, type VerifierConfig } from "./config.ts";
import { checkLimits } from "./math.ts";
import type { GradeInput, Verdict } from "./types.ts";
import type { WorkerReply, WorkerTask } from "./worker.ts";

interface Pending {
  task: WorkerTask;
  resolve: (v: Verdict) => void;
}

interface Slot {
  worker: Worker;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
}

const workerUrl = (): URL => {
  const here = import.meta.url;
  return new URL(here.endsWith(".ts") ? "./worker.ts" : "./worker.js", here);
};

export interface PoolOptions {
  /** Number of worker threads (default: available cores, at most 8). */
  size?: number;
  /** Verifier configuration (format, values, limits). */
  config?: Partial<VerifierConfig>;
  /** Grader: "math" (uses config.format) or a registered grader name. */
  grader?: string;
}

/** A graded response with its scalar reward. */
export interface ScoredVerdict extends Verdict {
  reward: number;
  ms: number;
}

export class VerifierPool {
  readonly config: VerifierConfig;
  private readonly grader: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: PoolOptions = {}) {
    this.config = parseVerifierConfig(opts.config ?? {});
    this.grader = opts.grader ?? "math";
    const size = Math.max(1, opts.size ?? Math.min(8, availableParallelism()));
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const url = workerUrl();
    // Under tsx, register its loader inside the worker before importing the TypeScript entry
    // (Node 20 does not apply the parent's `--import tsx` hooks to a worker's entry module).
    const worker = url.pathname.endsWith(".ts")
      ? new Worker(`import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true, execArgv: ["--import", "tsx"] })
      : new Worker(url);
    const slot: Slot = { worker, current: null, timer: null };
    worker.on("message", (reply: WorkerReply) => {
      if (slot.current && slot.current.task.id === reply.id) this.finish(slot, reply.verdict);
    });
    worker.on("error", (e) => this.replace(slot, { correct: false, extracted: null, reason: "error", detail: `worker crashed: ${e.message}` }));
    worker.on("exit", () => {
      if (!this.closed && slot.current) this.replace(slot, { correct: false, extracted: null, reason: "error", detail: "worker exited" });
    });
    worker.unref();
    return slot;
  }

  private finish(slot: Slot, verdict: Verdict): void {
    const p = slot.current;
    if (slot.timer) clearTimeout(slot.timer);
    slot.current = null;
    slot.timer = null;
    p?.resolve(verdict);
    this.pump();
  }

  private replace(slot: Slot, verdict: Verdict): void {
    const p = slot.current;
    if (slot.timer) clearTimeout(slot.timer);
    slot.current = null;
    slot.timer = null;
    void slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
    p?.resolve(verdict);
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.current) continue;
      const p = this.queue.shift()!;
      slot.current = p;
      slot.worker.ref();
      slot.timer = setTimeout(
        () => this.replace(slot, { correct: false, extracted: null, reason: "timeout", detail: `verification exceeded ${this.config.timeoutMs} ms` }),
        this.config.timeoutMs,
      );
      slot.worker.postMessage(p.task);
    }
    for (const slot of this.slots) if (!slot.current) slot.worker.unref();
  }

  /** Grades one response; never rejects. */
  grade(input: GradeInput): Promise<ScoredVerdict> {
    const t0 = performance.now();
    const score = (v: Verdict): ScoredVerdict => ({ ...v, reward: rewardFor(v.reason, this.config.values), ms: performance.now() - t0 });
    if (this.closed) return Promise.resolve(score({ correct: false, extracted: null, reason: "error", detail: "pool is closed" }));
    const limited = checkLimits(input, this.config);
    if (limited) return Promise.resolve(score(limited));
    return new Promise((resolve) => {
      const task: WorkerTask = { id: this.nextId++, grader: this.grader, cfg: this.config, input };
      this.queue.push({ task, resolve: (v) => resolve(score(v)) });
      this.pump();
    });
  }

  /** Grades many responses concurrently, results in input order. */
  gradeAll(inputs: GradeInput[]): Promise<ScoredVerdict[]> {
    return Promise.all(inputs.map((i) => this.grade(i)));
  }

  /** Terminates all workers. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
