// Small dense tile products for the attention kernels, register-blocked on SIMD vectors.
// Operands are contiguous scratch tiles whose row length (Dp, BK) is a multiple of VL.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace rz {

constexpr int64_t BK = 64;  // keys per block; a multiple of 4 * VL

// S[r][0:BK] = sum_d A[r][d] * Bt[d][0:BK] for r < R; A is [R][Dp], Bt is [Dp][BK], S is [R][BK].
template <int NI>
inline void dot_tile(const float* A, int64_t Dp, const float* Bt, float* S) {
  constexpr int NV = 4;
  for (int64_t c = 0; c < BK; c += NV * VL) {
    vf acc[NI][NV] = {};
    for (int64_t d = 0; d < Dp; d++) {
      vf b[NV];
      for (int v = 0; v < NV; v++) b[v] = vload(Bt + d * BK + c + v * VL);
      for (int i = 0; i < NI; i++) {
        const vf a = vset(A[i * Dp + d]);
        for (int v = 0; v < NV; v++) acc[i][v] += a * b[v];
      }
    }
    for (int i = 0; i < NI; i++)
      for (int v = 0; v < NV; v++) vstore(S + i * BK + c + v * VL, acc[i][v]);
  }
}

inline void rows_dot_cols(int64_t R, int64_t Dp, const float* A, const float* Bt, float* S) {
  int64_t r = 0;
  for (; r + 4 <= R; r += 4) dot_tile<4>(A + r * Dp, Dp, Bt, S + r * BK);
  for (; r < R; r++) dot_tile<1>(A + r * Dp, Dp, Bt, S + r * BK);
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
  for (; c < Dp; c += VL) outer_tile<NI, 1>(K, A, sai, sak, B + c, ldb, C + c, ldc);
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
// lse is not null, lse[r]; it attends keys 0..last[r] of the given KV head.
struct QueryRows {
  std::vector<const float*> q;
  std::vector<float*> out;
  std::vector<float*> lse;
  std::vector<int64_t> last;
  void clear() { q.clear(); out.clear(); lse.clear(); last.clear(); }
};

// Where the keys/values of (batch b, KV head h) live: key j of it at b*batch + h*head + j*key.
struct KvLayout { int64_t batch, head, key; };

// Flash-attention forward (online softmax over key blocks of BK) of every query row of
// q/out [B,T,Hq,D]: query t of sequence b attends keys 0..start[b]+t (start null: 0..t) of its
// KV head. Writes out and, if lse is not null, lse[B,Hq,T]. Defined in attention.cc.
void attend_all(const float* q, float* out, float* lse, const AttnShape& s, const float* K, const float* V,
                const KvLayout& kv, const int32_t* start);

}  // namespace rz
