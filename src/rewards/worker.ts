/**
 * Worker-thread entry of the verification pool: grades the tasks it receives with the
 * configured grader and posts verdicts back. Any exception becomes an "error" verdict; hangs
 * are handled by the pool, which terminates the thread after the time limit.
 */
import { parentPort } from "node:worker_threads";
import { parseVerifierConfig, type VerifierConfig } from "./config.ts";
import { gradeMath } from "./math.ts";
import { getGrader, loadUserGrader } from "./registry.ts";
import type { GradeInput, Grader, Verdict } from "./types.ts";

export interface WorkerTask {
  id: number;
  /** "math" uses cfg.format; otherwise a registered grader name. */
  grader: string;
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
  return getGrader(task.grader).grade(task.input);
}

if (!parentPort) throw new Error("worker.ts must run in a worker thread");
const port = parentPort;
port.on("message", (task: WorkerTask) => {
  run(task).then(
    (verdict) => port.postMessage({ id: task.id, verdict } satisfies WorkerReply),
    (e: unknown) =>
      port.postMessage({ id: task.id, verdict: { correct: false, extracted: null, reason: "error", detail: e instanceof Error ? e.message : String(e) } } satisfies WorkerReply),
  );
});
