// Embedding gather (out[n] = w[ids[n]]) and its scatter-add backward (dw[ids[n]] += dout[n]).
#include <algorithm>
#include <cstring>

#include "kernels.h"

namespace rz {

void embedding_forward(const float* w, int64_t dim, const int32_t* ids, int64_t N, float* out) {
#pragma omp parallel for schedule(static) if (N * dim > 65536)
  for (int64_t n = 0; n < N; n++) std::memcpy(out + n * dim, w + (int64_t)ids[n] * dim, dim * sizeof(float));
}

// Threads own disjoint column slices of dw, so repeated ids never race.
void embedding_backward(const float* dout, const int32_t* ids, int64_t N, int64_t dim, float* dw) {
  constexpr int64_t COLS = 64;
#pragma omp parallel for schedule(static)
  for (int64_t c0 = 0; c0 < dim; c0 += COLS) {
    const int64_t c1 = std::min(dim, c0 + COLS);
    for (int64_t n = 0; n < N; n++) {
      float* dst = dw + (int64_t)ids[n] * dim;
      const float* src = dout + n * dim;
      for (int64_t c = c0; c < c1; c++) dst[c] += src[c];
    }
  }
}

}  // namespace rz
