/**
 * Progress of a run: a live bar (cli-progress) on a terminal, one plain line a step otherwise
 * (logs, CI, pipes), both showing the step, the figures named in `fields`, and the time left.
 */
import cliProgress from "cli-progress";

export interface ProgressField {
  /** Label shown, e.g. "reward". */
  label: string;
  /** Metric key in the step's metrics, e.g. "critic/score/mean". */
  key: string;
  digits: number;
}

export class Progress {
  private readonly bar: cliProgress.SingleBar | null;
  private readonly t0 = performance.now();
  private readonly startStep: number;

  constructor(private readonly total: number, startStep: number, private readonly fields: ProgressField[],
    private readonly out: NodeJS.WriteStream = process.stdout) {
    this.startStep = startStep;
    if (out.isTTY) {
      const shown = fields.map((f) => `${f.label} {${safe(f.key)}}`).join(" | ");
      this.bar = new cliProgress.SingleBar({
        format: `step {value}/{total} [{bar}] ${shown} | {rate} s/step | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 20,
        stream: out,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(total, startStep, this.payload({}, NaN));
    } else {
      this.bar = null;
    }
  }

  update(step: number, metrics: Record<string, number>): void {
    const rate = (performance.now() - this.t0) / 1000 / Math.max(1, step - this.startStep);
    if (this.bar) {
      this.bar.update(step, this.payload(metrics, rate));
      return;
    }
    const shown = this.fields.map((f) => `${f.label} ${format(metrics[f.key], f.digits)}`).join("  ");
    const eta = rate * (this.total - step);
    this.out.write(`step ${step}/${this.total}  ${shown}  ${rate.toFixed(1)} s/step  ETA ${minutes(eta)}\n`);
  }

  /** Ends the bar (the line stays on screen). */
  stop(): void {
    this.bar?.stop();
  }

  /** Prints a message above the bar (or as a line). */
  log(message: string): void {
    if (this.bar) {
      this.out.write("\r\x1b[K" + message + "\n");
      this.bar.updateETA();
      this.bar.render();
    } else {
      this.out.write(message + "\n");
    }
  }

  private payload(metrics: Record<string, number>, rate: number): Record<string, string> {
    const p: Record<string, string> = { rate: Number.isFinite(rate) ? rate.toFixed(1) : "-" };
    for (const f of this.fields) p[safe(f.key)] = format(metrics[f.key], f.digits);
    return p;
  }
}

/** cli-progress placeholders are {word} tokens: metric keys with "/" need another name. */
function safe(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, "_");
}

function format(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(digits);
}

function minutes(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, "0")}s` : `${Math.round(seconds)}s`;
}
