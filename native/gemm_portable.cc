// Portable GEMM: cache-blocked (KC x NC panels of op(B), MC x KC blocks of op(A), both packed so
// transposes cost nothing in the inner loop), with an MR x NR register-tile micro-kernel on SIMD
// vectors and OpenMP over (row block, column block) tiles.
#include <omp.h>

#include <algorithm>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace rz {
namespace {

constexpr int64_t MR = 6, NR = 2 * VL;  // register tile: MR rows x 2 vectors
constexpr int64_t KC = 256, MC = 96, NC = 512;

// op(A)[i, k] and op(B)[k, j] for row-major storage.
inline float at(const float* A, bool tA, int64_t M, int64_t K, int64_t i, int64_t k) {
  return tA ? A[k * M + i] : A[i * K + k];
}

// Packs op(B)[k0:k0+kc, 0:N] as NR-wide column strips: strip s holds kc rows of NR floats, zero-padded.
void pack_b(const float* B, bool tB, int64_t K, int64_t N, int64_t k0, int64_t kc, float* out) {
  const int64_t strips = (N + NR - 1) / NR;
#pragma omp parallel for schedule(static)
  for (int64_t s = 0; s < strips; s++) {
    float* dst = out + s * kc * NR;
    for (int64_t k = 0; k < kc; k++)
      for (int64_t j = 0; j < NR; j++) {
        const int64_t n = s * NR + j;
        dst[k * NR + j] = n >= N ? 0.0f : tB ? B[n * K + k0 + k] : B[(k0 + k) * N + n];
      }
  }
}

// Packs op(A)[i0:i0+mc, k0:k0+kc] as MR-tall row strips: strip s holds kc columns of MR floats.
void pack_a(const float* A, bool tA, int64_t M, int64_t K, int64_t i0, int64_t mc, int64_t k0, int64_t kc,
            float* out) {
  for (int64_t s = 0; s * MR < mc; s++)
    for (int64_t k = 0; k < kc; k++)
      for (int64_t r = 0; r < MR; r++) {
        const int64_t i = i0 + s * MR + r;
        out[(s * kc + k) * MR + r] = s * MR + r < mc ? at(A, tA, M, K, i, k0 + k) : 0.0f;
      }
}

// C[0:mr, 0:nr] (row stride ldc) += alpha * a_strip[kc x MR]^T b_strip[kc x NR].
void micro(int64_t kc, const float* a, const float* b, float alpha, float* C, int64_t ldc, int64_t mr, int64_t nr) {
  vf acc[MR][2] = {};
  for (int64_t k = 0; k < kc; k++) {
    const vf b0 = vload(b + k * NR), b1 = vload(b + k * NR + VL);
    for (int64_t r = 0; r < MR; r++) {
      const vf ar = vset(a[k * MR + r]);
      acc[r][0] += ar * b0;
      acc[r][1] += ar * b1;
    }
  }
  for (int64_t r = 0; r < mr; r++) {
    float tile[NR];
    vstore(tile, acc[r][0] * alpha);
    vstore(tile + VL, acc[r][1] * alpha);
    for (int64_t j = 0; j < nr; j++) C[r * ldc + j] += tile[j];
  }
}

}  // namespace

void gemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C) {
  if (M == 0 || N == 0) return;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < M * N; i++) C[i] = beta == 0.0f ? 0.0f : beta * C[i];
  if (K == 0 || alpha == 0.0f) return;
  const int64_t strips = (N + NR - 1) / NR;
  std::vector<float> bpack(strips * NR * std::min(K, KC));
  const int64_t mblocks = (M + MC - 1) / MC, nblocks = (N + NC - 1) / NC;
  for (int64_t k0 = 0; k0 < K; k0 += KC) {
    const int64_t kc = std::min(KC, K - k0);
    pack_b(B, transB, K, N, k0, kc, bpack.data());
#pragma omp parallel
    {
      std::vector<float> apack(round_up(MC, MR) * kc);
#pragma omp for collapse(2) schedule(static)
      for (int64_t ib = 0; ib < mblocks; ib++)
        for (int64_t jb = 0; jb < nblocks; jb++) {
          const int64_t i0 = ib * MC, mc = std::min(MC, M - i0);
          pack_a(A, transA, M, K, i0, mc, k0, kc, apack.data());
          for (int64_t j = jb * NC; j < std::min(N, (jb + 1) * NC); j += NR)
            for (int64_t i = 0; i < mc; i += MR)
              micro(kc, apack.data() + (i / MR) * kc * MR, bpack.data() + (j / NR) * kc * NR, alpha,
                    C + (i0 + i) * N + j, N, std::min(MR, mc - i), std::min(NR, N - j));
        }
    }
  }
}

const char* gemm_backend() { return "portable"; }

std::string gemm_backend_version() { return "portable C++ (" + std::to_string(VL * 32) + "-bit vectors)"; }

}  // namespace rz
