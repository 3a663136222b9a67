// GEMM on OpenBLAS's cblas_sgemm (row-major; transposes map to CblasTrans).
#include <cblas.h>

#include "kernels.h"

extern "C" char* openblas_get_config(void);

namespace rz {

void gemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C) {
  if (M == 0 || N == 0) return;
  auto ld = [](int64_t x) { return (int)(x > 1 ? x : 1); };
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, (int)M, (int)N,
              (int)K, alpha, A, ld(transA ? M : K), B, ld(transB ? K : N), beta, C, ld(N));
}

const char* gemm_backend() { return "openblas"; }

std::string gemm_backend_version() { return openblas_get_config(); }

}  // namespace rz
