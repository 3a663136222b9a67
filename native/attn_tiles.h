// Small dense tile products for the attention kernels, register-blocked on SIMD vectors, and
// the flash-attention forward they serve (attention.cc, attention_cache.cc).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace rz {

constexpr int64_t BK = 64;  // keys per block; a multiple of 4 * VL

// S[i][0:BK] = sum_{d<D} A[i][d] * Bt[d*ldb + 0:BK] for NI rows i; A rows have stride Dp, S rows BK.
template <int NI>
inline void dot_tile(const float* A, int64_t D, int64_t Dp, const float* Bt, int64_t ldb, float* S) {
  constexpr int NV = 4;
  for (int64_t c = 0; c < BK; c += NV * VL) {
    vf acc[NI][NV] = {};
    for (int64_t d = 0; d < D; d++) {
      vf b[NV];
      for (int v = 0; v < NV; v++) b[v] = vload(Bt + d * ldb + c + v * VL);
      for (int i = 0; i < NI; i++) {
        const vf a = vset(A[i * Dp + d]);
        for (int v = 0; v < NV; v++) acc[i][v] += a * b[v];
      }
    }
    for (int i = 0; i < NI; i++)
      for (int v = 0; v < NV; v++) vstore(S + i * BK + c + v * VL, acc[i][v]);
  }
}

// S[R][BK] = A[R][0:D] Bt[0:D][0:BK] (rows of A with stride Dp, of Bt with stride ldb).
inline void rows_dot_cols(int64_t R, int64_t D, int64_t Dp, const float* A, const float* Bt, int64_t ldb, float* S) {
  int64_t r = 0;
  for (; r + 4 <= R; r += 4) dot_tile<4>(A + r * Dp, D, Dp, Bt, ldb, S + r * BK);
  const float* a = A + r * Dp;
  float* s = S + r * BK;
  switch (R - r) {
    case 3: dot_tile<3>(a, D, Dp, Bt, ldb, s); break;
    case 2: dot_tile<2>(a, D, Dp, Bt, ldb, s); break;
    case 1: dot_tile<1>(a, D, Dp, Bt, ldb, s); break;
    default: break;
  }
}

// C[i][c:c+NV*VL] += sum_k A[i*sai + k*sak] * B[k][c:c+NV*VL] for NI rows i.
template <int NI, int NV>
inline void outer_tile(int64_t K, const float* A, int64_t sai, int64_t sak, const float* B, int64_t ldb, float* C,
                       int64_t ldc) {
  vf acc[NI][NV];
  for (int i = 0; i < NI; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = vload(C + i * ldc + v * VL);
  for (int64_t k = 0; k < K; k++) {
    vf b[NV];
    for (int v = 0; v < NV; v++) b[v] = vload(B + k * ldb + v * VL);
    for (int i = 0; i < NI; i++) {
      const vf a = vset(A[i * sai + k * sak]);
      for (int v = 0; v < NV; v++) acc[i][v] += a * b[v];
    }
  }
  for (int i = 0; i < NI; i++)
    for (int v = 0; v < NV; v++) vstore(C + i * ldc + v * VL, acc[i][v]);
}

template <int NI>
inline void outer_rows(int64_t K, int64_t Dp, const float* A, int64_t sai, int64_t sak, const float* B, int64_t ldb,
                       float* C, int64_t ldc) {
  int64_t c = 0;
  for (; c + 4 * VL <= Dp; c += 4 * VL) outer_tile<NI, 4>(K, A, sai, sak, B + c, ldb, C + c, ldc);
  if (c + 2 * VL <= Dp) {
    outer_tile<NI, 2>(K, A, sai, sak, B + c, ldb, C + c, ldc);
    c += 2 * VL;
  }
  if (c < Dp) outer_tile<NI, 1>(K, A, sai, sak, B + c, ldb, C + c, ldc);
}

// C[I][0:Dp] += A(I x K) B[K][0:Dp], with A(i, k) = A[i*sai + k*sak] (so A may be read transposed).
inline void outer_acc(int64_t I, int64_t K, int64_t Dp, const float* A, int64_t sai, int64_t sak, const float* B,
                      int64_t ldb, float* C, int64_t ldc) {
  int64_t i = 0;
  for (; i + 4 <= I; i += 4) outer_rows<4>(K, Dp, A + i * sai, sai, sak, B, ldb, C + i * ldc, ldc);
  for (int64_t left = I - i; left > 0; left--, i++) outer_rows<1>(K, Dp, A + i * sai, sai, sak, B, ldb, C + i * ldc, ldc);
}

// Thread-local scratch buffer of at least n floats (reused across calls).
inline float* scratch(std::vector<float>& buf, int64_t n) {
  if ((int64_t)buf.size() < n) buf.resize(n);
  return buf.data();
}

// One set of query rows for attend_rows: row r reads q[r] (D floats), writes out[r] and, if
// lse is not null, lse[r]; it attends keys 0..last[r] of one KV head.
struct QueryRows {
  std::vector<const float*> q;
  std::vector<float*> out;
  std::vector<float*> lse;
  std::vector<int64_t> last;
  void clear() { q.clear(); out.clear(); lse.clear(); last.clear(); }
};

// The keys and values of one (sequence, KV head). V row j at v + j*vs. Keys either as rows
// (key j at k + j*ks) or transposed (component d of key j at k + d*ks + j, with `cap` keys
// readable in each row: a whole block of keys is then read in place while j0 + BK <= cap).
struct KvSource {
  const float* k;
  int64_t ks;
  bool transposed;
  int64_t cap;
  const float* v;
  int64_t vs;
};

// Forward of a packed batch: sequence s owns the token rows offsets[s] .. offsets[s+1]-1 of
// q/out [*, Hq, D] and lse [*, Hq] (lse may be null); its token i sits at position first[s] + i
// (first null: i) and attends keys 0 .. that position of kv_of(s, kv_head).
// Defined in attention.cc.
void attend_packed(const float* q, float* out, float* lse, int64_t S, const int32_t* offsets, const int32_t* first,
                   const Heads& h, const std::function<KvSource(int64_t s, int64_t kv_head)>& kv_of);

}  // namespace rz
