// Rotary position embedding (Hugging Face rotate-half) on x[N, H, D]: for i < D/2 and angle
// a = pos[n] * inv_freq[i] (in float, as HF computes it), (x1, x2) -> (x1 cos a - x2 sin a, x2 cos a + x1 sin a);
// `inverse` rotates by -a (the backward). y may alias x. Row n of x starts at x + n * x_stride and of
// y at y + n * y_stride (H * D when rows are packed; more when they are a slice of wider rows, as
// the q or k heads of a fused q|k|v projection). The cos/sin table is computed once per distinct
// position of the call (a batch of B sequences repeats positions 0..T-1), not per row.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"

namespace rz {

void rope(const float* x, const int32_t* pos, const float* inv_freq, int64_t N, int64_t H, int64_t D, bool inverse,
          float* y, int64_t x_stride, int64_t y_stride) {
  const int64_t half = D / 2;
  if (N == 0) return;
  const int64_t lo = *std::min_element(pos, pos + N), hi = *std::max_element(pos, pos + N);
  const bool table = hi - lo < N;  // else one row's angles at a time
  std::vector<float> cs(table ? 2 * (hi - lo + 1) * half : 0);
  const auto angles = [&](int64_t p, float* c, float* s) {
    for (int64_t i = 0; i < half; i++) {
      const double a = (float)p * inv_freq[i];
      c[i] = (float)std::cos(a);
      s[i] = inverse ? -(float)std::sin(a) : (float)std::sin(a);
    }
  };
  if (table) {
#pragma omp parallel for schedule(static) if (hi - lo > 64)
    for (int64_t p = lo; p <= hi; p++) angles(p, &cs[2 * (p - lo) * half], &cs[(2 * (p - lo) + 1) * half]);
  }
#pragma omp parallel if (N * H * D > 32768)
  {
    std::vector<float> row(table ? 0 : 2 * half);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < N; n++) {
      const float *c, *s;
      if (table) {
        c = &cs[2 * (pos[n] - lo) * half], s = c + half;
      } else {
        angles(pos[n], row.data(), row.data() + half);
        c = row.data(), s = c + half;
      }
      for (int64_t h = 0; h < H; h++) {
        const float* xr = x + n * x_stride + h * D;
        float* yr = y + n * y_stride + h * D;
#pragma omp simd
        for (int64_t i = 0; i < half; i++) {
          const float x1 = xr[i], x2 = xr[i + half];
          yr[i] = x1 * c[i] - x2 * s[i];
          yr[i + half] = x2 * c[i] + x1 * s[i];
        }
      }
    }
  }
}

}  // namespace rz
