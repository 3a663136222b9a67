// Chooses the GEMM backend at build time (called from binding.gyp) and prints its name:
// oneDNN if its header and library are installed, else OpenBLAS (cblas), else the portable
// C++ kernel. RLZERO_GEMM_BACKEND=onednn|openblas|portable forces one.
import { existsSync } from "node:fs";

const libDirs = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"];
const hasLib = (name) => libDirs.some((d) => existsSync(`${d}/lib${name}.so`));
const hasHeader = (paths) => paths.some((p) => existsSync(p));

const available = {
  onednn: () => hasHeader(["/usr/include/oneapi/dnnl/dnnl.hpp", "/usr/local/include/oneapi/dnnl/dnnl.hpp"]) && hasLib("dnnl"),
  openblas: () =>
    hasHeader(["/usr/include/cblas.h", "/usr/include/x86_64-linux-gnu/cblas.h", "/usr/include/aarch64-linux-gnu/cblas.h",
      "/usr/include/openblas/cblas.h"]) && hasLib("openblas"),
  portable: () => true,
};

const forced = process.env.RLZERO_GEMM_BACKEND;
if (forced) {
  if (!(forced in available)) {
    console.error(`RLZERO_GEMM_BACKEND must be onednn, openblas or portable, got "${forced}"`);
    process.exit(1);
  }
  if (!available[forced]()) {
    console.error(`RLZERO_GEMM_BACKEND=${forced}, but its headers/library are not installed`);
    process.exit(1);
  }
  console.log(forced);
} else {
  console.log(Object.keys(available).find((name) => available[name]()));
}
