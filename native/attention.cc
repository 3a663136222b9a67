// Causal grouped-query attention for training, flash-attention style: the forward streams key
// blocks with an online softmax and saves lse; the backward recomputes the probabilities block
// by block. Query heads sharing a KV head are processed together, so K/V are read once per group
// and never copied per head.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "attn_tiles.h"
#include "kernels.h"

namespace rz {

// Flash-attention forward (online softmax over key blocks of BK) for the rows against one KV
// head whose key/value j is at K + j*kv_stride, V + j*kv_stride.
static void attend_rows(const QueryRows& rows, const float* K, const float* V, int64_t kv_stride, int64_t D,
                        float scale) {
  thread_local std::vector<float> buf;
  const int64_t R = rows.q.size(), Dp = round_up(D, VL);
  const int64_t maxlast = *std::max_element(rows.last.begin(), rows.last.end());
  float* Qs = scratch(buf, 2 * R * Dp + 2 * Dp * BK + 3 * R * BK + 2 * R);
  float* O = Qs + R * Dp;         // [R][Dp] unnormalised output
  float* Kt = O + R * Dp;         // [Dp][BK] key block, transposed
  float* Vs = Kt + Dp * BK;       // [BK][Dp] value block
  float* S = Vs + BK * Dp;        // [R][BK] scores, then probabilities
  float* m = S + R * BK;          // [R] running max
  float* l = m + R;               // [R] running sum of exp
  std::fill(Qs, Qs + 2 * R * Dp + 2 * Dp * BK, 0.0f);
  for (int64_t r = 0; r < R; r++) {
    for (int64_t d = 0; d < D; d++) Qs[r * Dp + d] = rows.q[r][d] * scale;
    m[r] = -std::numeric_limits<float>::infinity();
    l[r] = 0;
  }
  const vf neg_inf = vset(-std::numeric_limits<float>::infinity());
  for (int64_t j0 = 0; j0 <= maxlast; j0 += BK) {
    const int64_t nk = std::min(BK, maxlast + 1 - j0);
    for (int64_t j = 0; j < nk; j++) {
      const float *kr = K + (j0 + j) * kv_stride, *vr = V + (j0 + j) * kv_stride;
      for (int64_t d = 0; d < D; d++) Kt[d * BK + j] = kr[d];
      std::memcpy(Vs + j * Dp, vr, D * sizeof(float));
    }
    rows_dot_cols(R, Dp, Qs, Kt, S);
    for (int64_t r = 0; r < R; r++) {
      float* s = S + r * BK;
      const int64_t valid = std::clamp<int64_t>(rows.last[r] - j0 + 1, 0, nk);
      if (valid == 0) { std::fill(s, s + BK, 0.0f); continue; }
      std::fill(s + valid, s + BK, -std::numeric_limits<float>::infinity());
      vf mx = neg_inf;
      for (int64_t j = 0; j < BK; j += VL) mx = vmax(mx, vload(s + j));
      const float mnew = std::max(m[r], hmax(mx)), factor = std::exp(m[r] - mnew);
      vf sum = {};
      for (int64_t j = 0; j < BK; j += VL) {
        const vf p = vexp(vload(s + j) - mnew);
        vstore(s + j, p);
        sum += p;
      }
      l[r] = l[r] * factor + hsum(sum);
      m[r] = mnew;
      if (factor != 1.0f)
        for (int64_t d = 0; d < Dp; d++) O[r * Dp + d] *= factor;
    }
    outer_acc(R, nk, Dp, S, BK, 1, Vs, Dp, O, Dp);
  }
  for (int64_t r = 0; r < R; r++) {
    const float inv = 1.0f / l[r];
    for (int64_t d = 0; d < D; d++) rows.out[r][d] = O[r * Dp + d] * inv;
    if (rows.lse[r]) *rows.lse[r] = m[r] + std::log(l[r]);
  }
}

// Tasks = (query block, batch, KV head); each covers Bq consecutive queries of all G heads of the
// group (about 128 rows). Later query blocks see more keys, so they are handed out first.
void attend_all(const float* q, float* out, float* lse, const AttnShape& s, const float* K, const float* V,
                const KvLayout& kv, const int32_t* start) {
  const int64_t G = s.Hq / s.Hkv, Bq = std::max<int64_t>(1, 128 / G), nqb = (s.T + Bq - 1) / Bq;
  const int64_t tasks = nqb * s.B * s.Hkv;
#pragma omp parallel
  {
    QueryRows rows;
#pragma omp for schedule(dynamic)
    for (int64_t task = 0; task < tasks; task++) {
      const int64_t qb = nqb - 1 - task / (s.B * s.Hkv), b = task / s.Hkv % s.B, hk = task % s.Hkv;
      const int64_t first = start ? start[b] : 0;
      rows.clear();
      for (int64_t t = qb * Bq; t < std::min(s.T, (qb + 1) * Bq); t++)
        for (int64_t g = 0; g < G; g++) {
          const int64_t h = hk * G + g, off = ((b * s.T + t) * s.Hq + h) * s.D;
          rows.q.push_back(q + off);
          rows.out.push_back(out + off);
          rows.lse.push_back(lse ? lse + (b * s.Hq + h) * s.T + t : nullptr);
          rows.last.push_back(first + t);
        }
      const int64_t kv_off = b * kv.batch + hk * kv.head;
      attend_rows(rows, K + kv_off, V + kv_off, kv.key, s.D, s.scale);
    }
  }
}

void attention_forward(const float* q, const float* k, const float* v, const AttnShape& s, float* out, float* lse) {
  attend_all(q, out, lse, s, k, v, KvLayout{s.T * s.Hkv * s.D, s.D, s.Hkv * s.D}, nullptr);
}

// Backward for one (batch b, KV head hk) task, over its R = T*G query rows (row r = t*G + g):
// for each key block: P = exp(scale q k^T - lse), dV += P^T dO, dP = dO V^T,
// dS = P (dP - delta) with delta = rowsum(dO * O), dQ += scale dS K, dK += scale dS^T Q.
static void attention_backward_task(const float* dout, const float* q, const float* k, const float* v,
                                    const float* out, const float* lse, const AttnShape& s, int64_t b, int64_t hk,
                                    float* dq, float* dk, float* dv) {
  constexpr int64_t RB = 64;  // query rows per inner chunk
  thread_local std::vector<float> buf;
  const int64_t G = s.Hq / s.Hkv, R = s.T * G, D = s.D, Dp = round_up(D, VL);
  float* Qs = scratch(buf, 3 * R * Dp + 2 * R + BK * Dp * 3 + 2 * Dp * BK + 2 * RB * BK);
  float* dOs = Qs + R * Dp;       // [R][Dp]
  float* dQs = dOs + R * Dp;      // [R][Dp]
  float* delta = dQs + R * Dp;    // [R]
  float* L = delta + R;           // [R] lse
  float* Ks = L + R;              // [BK][Dp]
  float* dKb = Ks + BK * Dp;      // [BK][Dp]
  float* dVb = dKb + BK * Dp;     // [BK][Dp]
  float* Kt = dVb + BK * Dp;      // [Dp][BK]
  float* Vt = Kt + Dp * BK;       // [Dp][BK]
  float* P = Vt + Dp * BK;        // [RB][BK]
  float* dS = P + RB * BK;        // [RB][BK]
  std::fill(Qs, Qs + 3 * R * Dp, 0.0f);
  std::fill(Ks, Ks + 3 * BK * Dp + 2 * Dp * BK, 0.0f);
  for (int64_t t = 0; t < s.T; t++)
    for (int64_t g = 0; g < G; g++) {
      const int64_t r = t * G + g, h = hk * G + g, off = ((b * s.T + t) * s.Hq + h) * D;
      float dl = 0;
      for (int64_t d = 0; d < D; d++) {
        Qs[r * Dp + d] = q[off + d];
        dOs[r * Dp + d] = dout[off + d];
        dl += dout[off + d] * out[off + d];
      }
      delta[r] = dl;
      L[r] = lse[(b * s.Hq + h) * s.T + t];
    }
  const int64_t kv_stride = s.Hkv * D, kv_off = (b * s.T * s.Hkv + hk) * D;
  for (int64_t j0 = 0; j0 < s.T; j0 += BK) {
    const int64_t nk = std::min(BK, s.T - j0);
    for (int64_t j = 0; j < nk; j++) {
      const float *kr = k + kv_off + (j0 + j) * kv_stride, *vr = v + kv_off + (j0 + j) * kv_stride;
      for (int64_t d = 0; d < D; d++) {
        Ks[j * Dp + d] = kr[d];
        Kt[d * BK + j] = kr[d];
        Vt[d * BK + j] = vr[d];
      }
    }
    std::fill(dKb, dKb + 2 * BK * Dp, 0.0f);
    for (int64_t r0 = j0 * G; r0 < R; r0 += RB) {
      const int64_t rc = std::min(RB, R - r0);
      rows_dot_cols(rc, Dp, Qs + r0 * Dp, Kt, P);
      rows_dot_cols(rc, Dp, dOs + r0 * Dp, Vt, dS);
      for (int64_t i = 0; i < rc; i++) {
        const int64_t r = r0 + i, valid = std::clamp<int64_t>(r / G - j0 + 1, 0, nk);
        float *p = P + i * BK, *ds = dS + i * BK;
        for (int64_t j = 0; j < BK; j += VL) {
          const vf pj = vexp(vload(p + j) * s.scale - L[r]);
          vstore(p + j, pj);
          vstore(ds + j, pj * (vload(ds + j) - delta[r]) * s.scale);
        }
        std::fill(p + valid, p + BK, 0.0f);
        std::fill(ds + valid, ds + BK, 0.0f);
      }
      outer_acc(BK, rc, Dp, P, 1, BK, dOs + r0 * Dp, Dp, dVb, Dp);
      outer_acc(rc, nk, Dp, dS, BK, 1, Ks, Dp, dQs + r0 * Dp, Dp);
      outer_acc(BK, rc, Dp, dS, 1, BK, Qs + r0 * Dp, Dp, dKb, Dp);
    }
    for (int64_t j = 0; j < nk; j++) {
      std::memcpy(dk + kv_off + (j0 + j) * kv_stride, dKb + j * Dp, D * sizeof(float));
      std::memcpy(dv + kv_off + (j0 + j) * kv_stride, dVb + j * Dp, D * sizeof(float));
    }
  }
  for (int64_t t = 0; t < s.T; t++)
    for (int64_t g = 0; g < G; g++)
      std::memcpy(dq + ((b * s.T + t) * s.Hq + hk * G + g) * D, dQs + (t * G + g) * Dp, D * sizeof(float));
}

void attention_backward(const float* dout, const float* q, const float* k, const float* v, const float* out,
                        const float* lse, const AttnShape& s, float* dq, float* dk, float* dv) {
#pragma omp parallel for schedule(dynamic)
  for (int64_t task = 0; task < s.B * s.Hkv; task++)
    attention_backward_task(dout, q, k, v, out, lse, s, task / s.Hkv, task % s.Hkv, dq, dk, dv);
}

}  // namespace rz
