// SwiGLU gate: out = silu(gate) * up, silu(g) = g * sigmoid(g), elementwise over n, on SIMD
// vectors with the vectorised exp (simd.h); the tail of fewer than VL elements in scalar code.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "simd.h"

namespace rz {
namespace {

constexpr int64_t kChunk = 16384;  // elements per OpenMP task: small calls stay on one thread

inline vf sigmoid(vf g) { return vset(1.0f) / (vset(1.0f) + vexp(-g)); }
inline float sigmoid(float g) { return 1.0f / (1.0f + std::exp(-g)); }

}  // namespace

void swiglu_forward(const float* gate, const float* up, int64_t n, float* out) {
#pragma omp parallel for schedule(static) if (n > kChunk)
  for (int64_t c0 = 0; c0 < n; c0 += kChunk) {
    const int64_t c1 = std::min(n, c0 + kChunk);
    int64_t i = c0;
    for (; i + VL <= c1; i += VL) {
      const vf g = vload(gate + i);
      vstore(out + i, g * sigmoid(g) * vload(up + i));
    }
    for (; i < c1; i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
  }
}

// dgate = dout * up * s (1 + g (1 - s)), dup = dout * g * s, with s = sigmoid(g).
void swiglu_backward(const float* dout, const float* gate, const float* up, int64_t n, float* dgate, float* dup) {
#pragma omp parallel for schedule(static) if (n > kChunk)
  for (int64_t c0 = 0; c0 < n; c0 += kChunk) {
    const int64_t c1 = std::min(n, c0 + kChunk);
    int64_t i = c0;
    for (; i + VL <= c1; i += VL) {
      const vf g = vload(gate + i), s = sigmoid(g), d = vload(dout + i);
      vstore(dgate + i, d * vload(up + i) * s * (vset(1.0f) + g * (vset(1.0f) - s)));
      vstore(dup + i, d * g * s);
    }
    for (; i < c1; i++) {
      const float g = gate[i], s = sigmoid(g);
      dgate[i] = dout[i] * up[i] * s * (1.0f + g * (1.0f - s));
      dup[i] = dout[i] * gate[i] * s;
    }
  }
}

// The gate of a fused gate|up projection: row r of gate_up is [gate (I) | up (I)];
// out[r, i] = silu(gate[r, i]) * up[r, i], out [rows, I].
void swiglu_rows(const float* gate_up, int64_t rows, int64_t I, float* out) {
#pragma omp parallel for schedule(static) if (rows * I > kChunk)
  for (int64_t r = 0; r < rows; r++) swiglu_forward(gate_up + 2 * r * I, gate_up + (2 * r + 1) * I, I, out + r * I);
}

}  // namespace rz
