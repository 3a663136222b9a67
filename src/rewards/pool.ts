/**
 * A pool of worker threads that grades responses with a per-response time limit: a task
 * still running `timeoutMs` after its worker took it gets a "timeout" verdict and its worker is
 * terminated and replaced; a crashed worker yields an "error" verdict. Size limits are checked
 * before a task is sent.
 *
 * The clock is the worker's: it writes the time it took the task into memory shared with the
 * pool, so neither a worker still booting nor a main thread busy with generation or a backward
 * pass counts against the response. When the timer fires, replies that arrived meanwhile are
 * read first (`receiveMessageOnPort`), so an answer given in time is never scored as a timeout.
 *
 * Graders registered with a module URL (`registerGrader(g, import.meta.url)`) are imported by
 * the workers, so built-in tasks' and users' graders run here like the math grader. The worker
 * file is resolved next to this module, so the pool works from src/ under tsx (the worker is
 * started with `--import tsx`) and compiled in dist/.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";
import { moduleWorker } from "../util/module-worker.ts";
import { parseVerifierConfig, rewardFor, type VerifierConfig } from "./config.ts";
import { checkLimits } from "./math.ts";
import { graderModule } from "./registry.ts";
import type { GradeInput, Verdict } from "./types.ts";
import type { WorkerReply, WorkerTask } from "./worker.ts";

interface Pending {
  task: WorkerTask;
  resolve: (v: Verdict) => void;
}

interface Slot {
  worker: Worker;
  /** Replies come on this port; the worker holds the other end. */
  port: MessagePort;
  /** [id of the task the worker is grading, time it took it (ms since the epoch)], written by the worker. */
  clock: BigInt64Array;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
  /** When the current task was posted: a worker that never takes it is given up after BOOT_LIMIT_MS. */
  postedAt: number;
}

/** A worker that has not taken a task this long after it was posted is dead (a normal boot takes < 2 s). */
const BOOT_LIMIT_MS = 60_000;

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
  private readonly module: string | undefined;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: PoolOptions = {}) {
    this.config = parseVerifierConfig(opts.config ?? {});
    this.grader = opts.grader ?? "math";
    this.module = this.grader === "math" ? undefined : graderModule(this.grader);
    const size = Math.max(1, opts.size ?? Math.min(8, availableParallelism()));
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const { port1, port2 } = new MessageChannel();
    const clock = new BigInt64Array(new SharedArrayBuffer(16));
    const worker = moduleWorker(import.meta.url, "worker", { workerData: { port: port2, clock }, transferList: [port2] });
    const slot: Slot = { worker, port: port1, clock, current: null, timer: null, postedAt: 0 };
    port1.on("message", (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on("error", (e) => this.replace(slot, { correct: false, extracted: null, reason: "error", detail: `worker crashed: ${e.message}` }));
    worker.on("exit", () => {
      if (!this.closed && slot.current) this.replace(slot, { correct: false, extracted: null, reason: "error", detail: "worker exited" });
    });
    worker.unref();
    port1.unref();
    return slot;
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (slot.current && slot.current.task.id === reply.id) this.finish(slot, reply.verdict);
  }

  /** The timer of the current task fired: read replies that are waiting, then re-arm or give up. */
  private onTimer(slot: Slot): void {
    slot.timer = null;
    for (let m = receiveMessageOnPort(slot.port); m; m = receiveMessageOnPort(slot.port)) this.onReply(slot, m.message as WorkerReply);
    const p = slot.current;
    if (!p) return;
    const now = Date.now();
    const takenId = Number(Atomics.load(slot.clock, 0)); // the id first: its time was written before it
    const takenAt = Number(Atomics.load(slot.clock, 1));
    if (takenId !== p.task.id) {
      if (now - slot.postedAt < BOOT_LIMIT_MS) this.arm(slot, this.config.timeoutMs);
      else this.replace(slot, { correct: false, extracted: null, reason: "error", detail: `worker did not start within ${BOOT_LIMIT_MS} ms` });
      return;
    }
    const left = this.config.timeoutMs - (now - takenAt);
    if (left > 0) this.arm(slot, left);
    else this.replace(slot, { correct: false, extracted: null, reason: "timeout", detail: `verification exceeded ${this.config.timeoutMs} ms` });
  }

  private arm(slot: Slot, ms: number): void {
    slot.timer = setTimeout(() => this.onTimer(slot), ms);
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
    slot.port.close();
    void slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
    p?.resolve(verdict);
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.current) continue;
      const p = this.queue.shift()!;
      slot.current = p;
      slot.postedAt = Date.now();
      slot.worker.ref();
      slot.port.ref();
      this.arm(slot, this.config.timeoutMs);
      slot.port.postMessage(p.task);
    }
    for (const slot of this.slots) {
      if (!slot.current) {
        slot.worker.unref();
        slot.port.unref();
      }
    }
  }

  /** Grades one response; never rejects. */
  grade(input: GradeInput): Promise<ScoredVerdict> {
    const t0 = performance.now();
    const score = (v: Verdict): ScoredVerdict => ({ ...v, reward: rewardFor(v.reason, this.config.values), ms: performance.now() - t0 });
    if (this.closed) return Promise.resolve(score({ correct: false, extracted: null, reason: "error", detail: "pool is closed" }));
    const limited = checkLimits(input, this.config);
    if (limited) return Promise.resolve(score(limited));
    return new Promise((resolve) => {
      const task: WorkerTask = { id: this.nextId++, grader: this.grader, module: this.module, cfg: this.config, input };
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
    for (const s of this.slots) s.port.close();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
