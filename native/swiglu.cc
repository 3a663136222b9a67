// SwiGLU gate: out = silu(gate) * up, silu(g) = g * sigmoid(g), elementwise over n.
#include <cmath>

#include "kernels.h"

namespace rz {

void swiglu_forward(const float* gate, const float* up, int64_t n, float* out) {
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; i++) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

// dgate = dout * up * s (1 + g (1 - s)), dup = dout * g * s, with s = sigmoid(g).
void swiglu_backward(const float* dout, const float* gate, const float* up, int64_t n, float* dgate, float* dup) {
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; i++) {
    const float g = gate[i], s = 1.0f / (1.0f + std::exp(-g));
    dgate[i] = dout[i] * up[i] * s * (1.0f + g * (1.0f - s));
    dup[i] = dout[i] * g * s;
  }
}

}  // namespace rz
