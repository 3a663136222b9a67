/**
 * Where the time goes: `profiled(fn)` runs fn with every native kernel wrapped in a timer and
 * returns the wall time per kernel (and per GEMM shape class), plus what was spent outside the
 * kernels (TypeScript: scheduling, sampling bookkeeping, tape).
 */
import { native } from "../src/native/index.ts";

export interface Profile {
  totalMs: number;
  kernels: { name: string; ms: number; calls: number }[];
}

/** Wraps every native kernel in a timer until `restore()`; `profile(totalMs)` gives the table. */
function instrument(): { restore: () => void; profile: (totalMs: number) => Profile; kernelMs: () => number } {
  const table = new Map<string, { ms: number; calls: number }>();
  const addon = native as unknown as Record<string, unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const [name, f] of Object.entries(addon)) {
    if (typeof f !== "function" || name === "info" || name === "linearRows") continue;
    originals.set(name, f as (...args: unknown[]) => unknown);
    addon[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const out = (f as (...a: unknown[]) => unknown)(...args);
      const row = table.get(name) ?? { ms: 0, calls: 0 };
      row.ms += performance.now() - t0;
      row.calls++;
      table.set(name, row);
      return out;
    };
  }
  return {
    restore: () => originals.forEach((f, name) => (addon[name] = f)),
    kernelMs: () => [...table.values()].reduce((sum, r) => sum + r.ms, 0),
    profile: (totalMs) => ({ totalMs, kernels: [...table].map(([name, r]) => ({ name, ...r })).sort((a, b) => b.ms - a.ms) }),
  };
}

export function profiled(fn: () => void): Profile {
  const probe = instrument();
  const t0 = performance.now();
  try {
    fn();
  } finally {
    probe.restore();
  }
  return probe.profile(performance.now() - t0);
}

/**
 * `profiled` for an async function: kernels run on the main thread, so the table is still theirs
 * alone. `fn` gets `kernelMs()`, the time spent in kernels so far, to measure a part of its run.
 */
export async function profiledAsync(fn: (kernelMs: () => number) => Promise<void>): Promise<Profile> {
  const probe = instrument();
  const t0 = performance.now();
  try {
    await fn(probe.kernelMs);
  } finally {
    probe.restore();
  }
  return probe.profile(performance.now() - t0);
}

/** Lines "kernel  ms  share  calls", then the time outside the kernels. */
export function formatProfile(p: Profile, indent = "    "): string[] {
  const inKernels = p.kernels.reduce((s, k) => s + k.ms, 0);
  const pct = (ms: number) => `${((100 * ms) / p.totalMs).toFixed(1).padStart(5)}%`;
  return [
    ...p.kernels.filter((k) => k.ms >= 0.005 * p.totalMs).map((k) =>
      `${indent}${k.name.padEnd(24)} ${k.ms.toFixed(0).padStart(8)} ms ${pct(k.ms)} ${String(k.calls).padStart(7)} calls`),
    `${indent}${"(outside the kernels)".padEnd(24)} ${(p.totalMs - inKernels).toFixed(0).padStart(8)} ms ${pct(p.totalMs - inKernels)}`,
  ];
}
