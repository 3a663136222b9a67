/**
 * The run directory (docs/RUN_DIRECTORY.md): resolved config, metrics and samples as JSON lines,
 * status, evaluation reports and the final summary. Lines are appended as the run goes; on
 * resume, everything after the resumed step is dropped (a killed run may have written a partial
 * line or steps past its last checkpoint), so each step appears once.
 */
import fs from "node:fs";
import path from "node:path";

export type RunStatus = "running" | "finished" | "failed" | "interrupted";

export class RunDirectory {
  private readonly started: string;

  private constructor(readonly dir: string, private readonly kind: "train" | "pretrain", private readonly totalSteps: number) {
    this.started = readJsonIfAny(this.file("run.json"))?.started as string | undefined ?? new Date().toISOString();
  }

  /** A new run: writes config.yaml and run.json. */
  static create(dir: string, configYaml: string, kind: "train" | "pretrain", totalSteps: number): RunDirectory {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "config.yaml"), configYaml);
    for (const f of ["metrics.jsonl", "samples.jsonl", "summary.json"]) fs.rmSync(path.join(dir, f), { force: true });
    fs.rmSync(path.join(dir, "eval"), { recursive: true, force: true });
    const run = new RunDirectory(dir, kind, totalSteps);
    run.setStatus("running", 0);
    return run;
  }

  /** An existing run continued after `step`: drops what was written for later steps. */
  static resume(dir: string, kind: "train" | "pretrain", totalSteps: number, step: number): RunDirectory {
    for (const f of ["metrics.jsonl", "samples.jsonl"]) keepLinesUpTo(path.join(dir, f), step);
    const evalDir = path.join(dir, "eval");
    if (fs.existsSync(evalDir)) {
      for (const d of fs.readdirSync(evalDir)) {
        const m = /^step-(\d+)$/.exec(d);
        if (m && Number(m[1]) > step) fs.rmSync(path.join(evalDir, d), { recursive: true, force: true });
      }
    }
    fs.rmSync(path.join(dir, "summary.json"), { force: true });
    const run = new RunDirectory(dir, kind, totalSteps);
    run.setStatus("running", step);
    return run;
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  appendMetrics(step: number, metrics: Record<string, number>): void {
    fs.appendFileSync(this.file("metrics.jsonl"), JSON.stringify({ step, time: Date.now() / 1000, ...metrics }) + "\n");
  }

  appendSamples(rows: readonly Record<string, unknown>[]): void {
    if (rows.length > 0) fs.appendFileSync(this.file("samples.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  }

  setStatus(status: RunStatus, step: number): void {
    writeJsonAtomic(this.file("run.json"), {
      status, kind: this.kind, started: this.started, updated: new Date().toISOString(), step, total_steps: this.totalSteps,
    });
  }

  writeSummary(summary: unknown): void {
    writeJsonAtomic(this.file("summary.json"), summary);
  }
}

function readJsonIfAny(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/** Rewrites a JSON-lines file keeping the whole lines whose `step` is at most `step`. */
function keepLinesUpTo(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  const kept = fs.readFileSync(file, "utf8").split("\n").filter((line) => {
    try {
      return (JSON.parse(line) as { step?: number }).step! <= step;
    } catch {
      return false; // empty, or a line cut short by a kill
    }
  });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, kept.map((l) => l + "\n").join(""));
  fs.renameSync(tmp, file);
}
