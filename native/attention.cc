// Causal grouped-query attention over packed sequences, flash-attention style: the forward
// streams key blocks with an online softmax and saves lse; the backward recomputes the
// probabilities block by block. Sequence s is the token rows offsets[s] .. offsets[s+1]-1, so a
// batch of responses of different lengths costs no work on padding. Query heads sharing a KV
// head are processed together, so K/V are read once per group and never copied per head.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "attn_tiles.h"
#include "kernels.h"

namespace rz {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Flash-attention forward (online softmax over key blocks of BK) of the rows against one KV
// head. Key blocks are read in place when the layout allows (transposed keys with a whole block
// inside the row, value rows a multiple of the vector width), else copied into scratch tiles.
void attend_rows(const QueryRows& rows, const KvSource& kv, int64_t D, float scale) {
  thread_local std::vector<float> buf;
  const int64_t R = rows.q.size(), Dp = round_up(D, VL);
  const int64_t maxlast = *std::max_element(rows.last.begin(), rows.last.end());
  float* Qs = scratch(buf, 2 * R * Dp + 2 * Dp * BK + R * BK + 2 * R);
  float* O = Qs + R * Dp;    // [R][Dp] unnormalised output
  float* Kt = O + R * Dp;    // [D][BK] key block, transposed (when copied)
  float* Vs = Kt + Dp * BK;  // [BK][Dp] value block (when copied)
  float* S = Vs + BK * Dp;   // [R][BK] scores, then probabilities
  float* m = S + R * BK;     // [R] running max
  float* l = m + R;          // [R] running sum of exp
  const bool direct_v = D == Dp;
  std::fill(Qs, Qs + 2 * R * Dp, 0.0f);
  if (!direct_v) std::fill(Vs, Vs + BK * Dp, 0.0f);  // its padding columns stay 0
  for (int64_t r = 0; r < R; r++) {
    for (int64_t d = 0; d < D; d++) Qs[r * Dp + d] = rows.q[r][d] * scale;
    m[r] = kNegInf;
    l[r] = 0;
  }
  for (int64_t j0 = 0; j0 <= maxlast; j0 += BK) {
    const int64_t nk = std::min(BK, maxlast + 1 - j0);
    const float* kt = Kt;
    int64_t ldk = BK;
    if (kv.transposed && j0 + BK <= kv.cap) {
      kt = kv.k + j0, ldk = kv.ks;
    } else {
      for (int64_t j = 0; j < nk; j++)
        for (int64_t d = 0; d < D; d++)
          Kt[d * BK + j] = kv.transposed ? kv.k[d * kv.ks + j0 + j] : kv.k[(j0 + j) * kv.ks + d];
    }
    const float* vb = kv.v + j0 * kv.vs;
    int64_t ldv = kv.vs;
    if (!direct_v) {
      for (int64_t j = 0; j < nk; j++) std::memcpy(Vs + j * Dp, vb + j * kv.vs, D * sizeof(float));
      vb = Vs, ldv = Dp;
    }
    rows_dot_cols(R, D, Dp, Qs, kt, ldk, S);
    for (int64_t r = 0; r < R; r++) {
      float* s = S + r * BK;
      const int64_t valid = std::clamp<int64_t>(rows.last[r] - j0 + 1, 0, nk);
      if (valid == 0) {
        std::fill(s, s + BK, 0.0f);
        continue;
      }
      std::fill(s + valid, s + BK, kNegInf);
      vf mx = vset(kNegInf);
      for (int64_t j = 0; j < BK; j += VL) mx = vmax(mx, vload(s + j));
      const float mnew = std::max(m[r], hmax(mx)), factor = std::exp(m[r] - mnew);
      const vf vm = vset(mnew);
      vf sum = {};
      for (int64_t j = 0; j < BK; j += VL) {
        const vf p = vexp(vload(s + j) - vm);
        vstore(s + j, p);
        sum += p;
      }
      l[r] = l[r] * factor + hsum(sum);
      m[r] = mnew;
      if (factor != 1.0f)
        for (int64_t d = 0; d < Dp; d++) O[r * Dp + d] *= factor;
    }
    outer_acc(R, nk, Dp, S, BK, 1, vb, ldv, O, Dp);
  }
  for (int64_t r = 0; r < R; r++) {
    const float inv = 1.0f / l[r];
    for (int64_t d = 0; d < D; d++) rows.out[r][d] = O[r * Dp + d] * inv;
    if (rows.lse[r]) *rows.lse[r] = m[r] + std::log(l[r]);
  }
}

// One task of attend_packed: queries [t0, t1) of sequence s, all G heads of KV head hk.
struct Task { int64_t s, t0, t1, hk, last; };

}  // namespace

// Tasks = (query block, sequence, KV head); each covers Bq consecutive queries of the G heads of
// the group (about 128 rows). Tasks that see more keys are handed out first.
void attend_packed(const float* q, float* out, float* lse, int64_t S, const int32_t* offsets, const int32_t* first,
                   const Heads& h, const std::function<KvSource(int64_t, int64_t)>& kv_of) {
  const int64_t G = h.Hq / h.Hkv, Bq = std::max<int64_t>(1, 128 / G);
  std::vector<Task> tasks;
  for (int64_t s = 0; s < S; s++) {
    const int64_t n = offsets[s + 1] - offsets[s], f = first ? first[s] : 0;
    for (int64_t t0 = 0; t0 < n; t0 += Bq)
      for (int64_t hk = 0; hk < h.Hkv; hk++) tasks.push_back({s, t0, std::min(n, t0 + Bq), hk, f + std::min(n, t0 + Bq)});
  }
  std::stable_sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) { return a.last > b.last; });
#pragma omp parallel
  {
    QueryRows rows;
#pragma omp for schedule(dynamic)
    for (size_t i = 0; i < tasks.size(); i++) {
      const Task& task = tasks[i];
      const int64_t f = first ? first[task.s] : 0;
      rows.clear();
      for (int64_t t = task.t0; t < task.t1; t++)
        for (int64_t g = 0; g < G; g++) {
          const int64_t row = (offsets[task.s] + t) * h.Hq + task.hk * G + g;
          rows.q.push_back(q + row * h.D);
          rows.out.push_back(out + row * h.D);
          rows.lse.push_back(lse ? lse + row : nullptr);
          rows.last.push_back(f + t);
        }
      attend_rows(rows, kv_of(task.s, task.hk), h.D, h.scale);
    }
  }
}

// The keys are first transposed once into kT [Hkv][D][ld], so that every query block reads its
// key blocks in place instead of copying them; the row stride ld is padded off a power of two,
// which would map a block's D rows onto the same cache sets.
void attention_forward(const float* q, const float* k, const float* v, const int32_t* offsets, int64_t S,
                       const Heads& h, float* out, float* lse) {
  const int64_t N = offsets[S], vs = h.Hkv * h.D, ld = round_up(N, VL) + VL;
  std::vector<float> kT(ld * h.Hkv * h.D);
#pragma omp parallel for schedule(static) if (N > 256)
  for (int64_t n = 0; n < N; n++)
    for (int64_t hk = 0; hk < h.Hkv; hk++)
      for (int64_t d = 0; d < h.D; d++) kT[(hk * h.D + d) * ld + n] = k[(n * h.Hkv + hk) * h.D + d];
  attend_packed(q, out, lse, S, offsets, nullptr, h, [&](int64_t s, int64_t hk) {
    return KvSource{kT.data() + hk * h.D * ld + offsets[s], ld, true, ld - offsets[s], v + offsets[s] * vs + hk * h.D, vs};
  });
}

namespace {

// Backward for one (sequence s, KV head hk) task, over its R = T*G query rows (row r = t*G + g):
// for each key block: P = exp(scale q k^T - lse), dV += P^T dO, dP = dO V^T,
// dS = P (dP - delta) with delta = rowsum(dO * O), dQ += scale dS K, dK += scale dS^T Q.
void attention_backward_task(const float* dout, const float* q, const float* k, const float* v, const float* out,
                             const float* lse, const int32_t* offsets, const Heads& h, int64_t s, int64_t hk,
                             float* dq, float* dk, float* dv) {
  constexpr int64_t RB = 64;  // query rows per inner chunk
  thread_local std::vector<float> buf;
  const int64_t G = h.Hq / h.Hkv, T = offsets[s + 1] - offsets[s], R = T * G, D = h.D, Dp = round_up(D, VL);
  const int64_t t_base = offsets[s];
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
  for (int64_t t = 0; t < T; t++)
    for (int64_t g = 0; g < G; g++) {
      const int64_t r = t * G + g, row = (t_base + t) * h.Hq + hk * G + g, off = row * D;
      float dl = 0;
      for (int64_t d = 0; d < D; d++) {
        Qs[r * Dp + d] = q[off + d];
        dOs[r * Dp + d] = dout[off + d];
        dl += dout[off + d] * out[off + d];
      }
      delta[r] = dl;
      L[r] = lse[row];
    }
  const int64_t kv_stride = h.Hkv * D, kv_off = t_base * kv_stride + hk * D;
  for (int64_t j0 = 0; j0 < T; j0 += BK) {
    const int64_t nk = std::min(BK, T - j0);
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
      rows_dot_cols(rc, D, Dp, Qs + r0 * Dp, Kt, BK, P);
      rows_dot_cols(rc, D, Dp, dOs + r0 * Dp, Vt, BK, dS);
      for (int64_t i = 0; i < rc; i++) {
        const int64_t r = r0 + i, valid = std::clamp<int64_t>(r / G - j0 + 1, 0, nk);
        float *p = P + i * BK, *ds = dS + i * BK;
        const vf vL = vset(L[r]), vdelta = vset(delta[r]), vscale = vset(h.scale);
        for (int64_t j = 0; j < BK; j += VL) {
          const vf pj = vexp(vload(p + j) * vscale - vL);
          vstore(p + j, pj);
          vstore(ds + j, pj * (vload(ds + j) - vdelta) * vscale);
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
  for (int64_t t = 0; t < T; t++)
    for (int64_t g = 0; g < G; g++)
      std::memcpy(dq + ((t_base + t) * h.Hq + hk * G + g) * D, dQs + (t * G + g) * Dp, D * sizeof(float));
}

}  // namespace

// Tasks = (sequence, KV head), the longest sequences first.
void attention_backward(const float* dout, const float* q, const float* k, const float* v, const float* out,
                        const float* lse, const int32_t* offsets, int64_t S, const Heads& h, float* dq, float* dk,
                        float* dv) {
  std::vector<int64_t> order(S);
  for (int64_t s = 0; s < S; s++) order[s] = s;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return offsets[a + 1] - offsets[a] > offsets[b + 1] - offsets[b];
  });
#pragma omp parallel for schedule(dynamic)
  for (int64_t task = 0; task < S * h.Hkv; task++)
    attention_backward_task(dout, q, k, v, out, lse, offsets, h, order[task / h.Hkv], task % h.Hkv, dq, dk, dv);
}

}  // namespace rz
