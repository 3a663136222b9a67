/** `rlzero info`: which addon binary and GEMM backend are active, the thread count and the CPU features. */
import { native, nativeBinary } from "../native/index.ts";
import { applyThreads } from "./threads.ts";

export function infoCommand(opts: { threads?: number }): void {
  applyThreads(opts.threads);
  const info = native.info();
  const origin = nativeBinary.kind === "build" ? "built on this machine" : "prebuilt portable kernel shipped in the package";
  console.log(`binary:       ${nativeBinary.path} (${origin})`);
  console.log(`backend:      ${info.backend} (${info.backendVersion})`);
  console.log(`threads:      ${info.threads}`);
  console.log(`cpu features: ${info.cpuFeatures.join(" ") || "(none reported)"}`);
}
