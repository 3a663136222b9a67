/**
 * Worker-thread entry of the verification pool: grades the tasks it receives on its port with
 * the configured grader and posts verdicts back. Before grading it writes the task id and the
 * time into the clock it shares with the pool, which measures the time limit from there. Any
 * exception becomes an "error" verdict; hangs are handled by the pool, which terminates the
 * thread after the time limit.
 */
import { workerData, type MessagePort } from "node:worker_threads";
import { parseVerifierConfig, type VerifierConfig } from "./config.ts";
import { gradeMath } from "./math.ts";
import { getGrader, loadUserGrader } from "./registry.ts";
import type { GradeInput, Grader, Verdict } from "./types.ts";

export interface WorkerTask {
  id: number;
  /** "math" uses cfg.format; otherwise a registered grader name. */
  grader: string;
  /** URL of the module that registers `grader` when imported (graders outside rewards/). */
  module?: string;
  cfg: VerifierConfig;
  input: GradeInput;
}

export interface WorkerReply {
  id: number;
  verdict: Verdict;
}

const userGraders = new Map<string, Promise<Grader>>();

/** Grades one task: the user module when configured, else the named grader. */
async function run(task: WorkerTask): Promise<Verdict> {
  const cfg = parseVerifierConfig(task.cfg);
  if (cfg.userModule) {
    let g = userGraders.get(cfg.userModule);
    if (!g) {
      g = loadUserGrader(cfg.userModule);
      userGraders.set(cfg.userModule, g);
    }
    return (await g).grade(task.input);
  }
  if (task.grader === "math") return gradeMath(task.input, cfg);
  if (task.module) await import(task.module);
  return getGrader(task.grader).grade(task.input);
}

const { port, clock } = (workerData ?? {}) as { port?: MessagePort; clock?: BigInt64Array };
if (!port || !clock) throw new Error("worker.ts must be started by VerifierPool");
port.on("message", (task: WorkerTask) => {
  Atomics.store(clock, 1, BigInt(Date.now())); // the time first, then the id it belongs to
  Atomics.store(clock, 0, BigInt(task.id));
  run(task).then(
    (verdict) => port.postMessage({ id: task.id, verdict } satisfies WorkerReply),
    (e: unknown) =>
      port.postMessage({ id: task.id, verdict: { correct: false, extracted: null, reason: "error", detail: e instanceof Error ? e.message : String(e) } } satisfies WorkerReply),
  );
});
