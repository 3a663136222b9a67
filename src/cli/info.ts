/** `rlzero info`: which GEMM backend is active, the thread count and the CPU features. */
import { native } from "../native/index.ts";
import { applyThreads } from "./threads.ts";

export function infoCommand(opts: { threads?: number }): void {
  applyThreads(opts.threads);
  const info = native.info();
  console.log(`backend:      ${info.backend} (${info.backendVersion})`);
  console.log(`threads:      ${info.threads}`);
  console.log(`cpu features: ${info.cpuFeatures.join(" ") || "(none reported)"}`);
}
