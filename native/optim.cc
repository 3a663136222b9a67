// Whole-model optimizer kernels: AdamW step, global L2 norm, in-place scaling; each is one
// OpenMP region over all arrays.
#include <cmath>

#include "kernels.h"

namespace rz {

// Decoupled-weight-decay Adam with bias correction (see api.ts for the formula).
void adamw(const std::vector<Span>& params, const std::vector<Span>& grads, const std::vector<Span>& m,
           const std::vector<Span>& v, float lr, float beta1, float beta2, float eps, float weight_decay,
           int64_t step) {
  const float bc1 = (float)(1.0 - std::pow((double)beta1, (double)step));
  const float bc2 = (float)(1.0 - std::pow((double)beta2, (double)step));
  const float rbc2 = 1.0f / std::sqrt(bc2);
#pragma omp parallel
  for (size_t a = 0; a < params.size(); a++) {
    float *p = params[a].p, *mm = m[a].p, *vv = v[a].p;
    const float* g = grads[a].p;
#pragma omp for simd schedule(static) nowait
    for (int64_t i = 0; i < params[a].n; i++) {
      mm[i] = beta1 * mm[i] + (1.0f - beta1) * g[i];
      vv[i] = beta2 * vv[i] + (1.0f - beta2) * g[i] * g[i];
      const float update = (mm[i] / bc1) / (std::sqrt(vv[i]) * rbc2 + eps);
      p[i] -= lr * (update + weight_decay * p[i]);
    }
  }
}

double global_norm(const std::vector<Span>& arrays) {
  double total = 0;
#pragma omp parallel reduction(+ : total)
  for (const Span& s : arrays) {
#pragma omp for schedule(static) nowait
    for (int64_t i = 0; i < s.n; i++) total += (double)s.p[i] * s.p[i];
  }
  return std::sqrt(total);
}

void scale_in_place(const std::vector<Span>& arrays, float s) {
#pragma omp parallel
  for (const Span& a : arrays) {
#pragma omp for simd schedule(static) nowait
    for (int64_t i = 0; i < a.n; i++) a.p[i] *= s;
  }
}

}  // namespace rz
