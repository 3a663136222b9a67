// Rotary position embedding (Hugging Face rotate-half) on x[N, H, D]: for i < D/2 and angle
// a = pos[n] * inv_freq[i] (in float, as HF computes it), (x1, x2) -> (x1 cos a - x2 sin a, x2 cos a + x1 sin a);
// `inverse` rotates by -a (the backward). y may alias x.
#include <cmath>
#include <vector>

#include "kernels.h"

namespace rz {

void rope(const float* x, const int32_t* pos, const float* inv_freq, int64_t N, int64_t H, int64_t D, bool inverse,
          float* y) {
  const int64_t half = D / 2;
#pragma omp parallel
  {
    std::vector<float> c(half), s(half);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < N; n++) {
      for (int64_t i = 0; i < half; i++) {
        const double a = (float)pos[n] * inv_freq[i];
        c[i] = (float)std::cos(a);
        s[i] = inverse ? -(float)std::sin(a) : (float)std::sin(a);
      }
      for (int64_t h = 0; h < H; h++) {
        const float* xr = x + (n * H + h) * D;
        float* yr = y + (n * H + h) * D;
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
