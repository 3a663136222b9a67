// Prepacked linear layers for the OpenBLAS and portable backends: the weights are kept as they
// are (f32, [N, K]) and each call is one GEMM; there is no bf16 path and no row bucketing.
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels.h"

namespace rz {

struct PackedLinear {
  int64_t N, K;
  std::vector<float> w;
};

bool bf16_supported() { return false; }

int64_t linear_rows(int64_t M) { return M; }

PackedLinear* linear_pack(const float* W, int64_t N, int64_t K, bool bf16) {
  if (bf16) throw std::runtime_error("bf16 weights need the oneDNN backend on a CPU with AVX512-BF16 or AMX");
  return new PackedLinear{N, K, std::vector<float>(W, W + N * K)};
}

void linear_free(PackedLinear* p) { delete p; }

void linear_shape(const PackedLinear* p, int64_t* N, int64_t* K) { *N = p->N, *K = p->K; }

int64_t linear_bytes(const PackedLinear* p) { return (int64_t)p->w.size() * 4; }

void linear_forward(const PackedLinear* p, const float* x, int64_t M, float* y, bool accumulate) {
  gemm(false, true, M, p->N, p->K, 1.0f, x, p->w.data(), accumulate ? 1.0f : 0.0f, y);
}

}  // namespace rz
