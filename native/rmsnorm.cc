// RMSNorm over rows of x[N, dim]: y = x * rstd * w with rstd = 1 / sqrt(mean(x^2) + eps).
#include <omp.h>

#include <cmath>
#include <vector>

#include "kernels.h"

namespace rz {

void rmsnorm_forward(const float* x, const float* w, int64_t N, int64_t dim, float eps, float* y, float* rstd) {
#pragma omp parallel for schedule(static) if (N * dim > 32768)
  for (int64_t n = 0; n < N; n++) {
    const float* xr = x + n * dim;
    float ss = 0;
#pragma omp simd reduction(+ : ss)
    for (int64_t i = 0; i < dim; i++) ss += xr[i] * xr[i];
    const float r = 1.0f / std::sqrt(ss / dim + eps);
    rstd[n] = r;
    float* yr = y + n * dim;
#pragma omp simd
    for (int64_t i = 0; i < dim; i++) yr[i] = xr[i] * r * w[i];
  }
}

// dx = rstd * (dy w) - x * rstd^3 / dim * sum(dy w x)   (written, or added when accumulate_dx)
// dw += sum_n dy * x * rstd                              (accumulated; per-thread partials, then summed)
void rmsnorm_backward(const float* dy, const float* x, const float* w, const float* rstd, int64_t N, int64_t dim,
                      float* dx, float* dw, bool accumulate_dx) {
  const int nt = omp_get_max_threads();
  std::vector<float> partial((size_t)nt * dim, 0.0f);
#pragma omp parallel
  {
    float* pw = partial.data() + (size_t)omp_get_thread_num() * dim;
#pragma omp for schedule(static)
    for (int64_t n = 0; n < N; n++) {
      const float *xr = x + n * dim, *dyr = dy + n * dim;
      const float r = rstd[n];
      float dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t i = 0; i < dim; i++) dot += dyr[i] * w[i] * xr[i];
      const float c = dot * r * r * r / dim;
      float* dxr = dx + n * dim;
#pragma omp simd
      for (int64_t i = 0; i < dim; i++) {
        dxr[i] = (accumulate_dx ? dxr[i] : 0.0f) + r * dyr[i] * w[i] - c * xr[i];
        pw[i] += dyr[i] * xr[i] * r;
      }
    }
  }
  for (int t = 0; t < nt; t++)
    for (int64_t i = 0; i < dim; i++) dw[i] += partial[(size_t)t * dim + i];
}

}  // namespace rz
