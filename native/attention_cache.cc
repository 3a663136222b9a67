// KV-cache attention for prefill and decoding: appends k/v [B,T,Hkv,D] to the cache
// [B,Hkv,maxT,D] at start[b].., then query t of sequence b attends cache positions 0..start[b]+t.
// The G query heads of a KV head are processed together, reading the cache once.
#include <algorithm>
#include <cstring>

#include "attn_tiles.h"
#include "kernels.h"

namespace rz {

void attention_with_cache(const float* q, const float* k, const float* v, float* cacheK, float* cacheV,
                          const int32_t* start, const AttnShape& s, int64_t maxT, float* out) {
  const int64_t G = s.Hq / s.Hkv, D = s.D;
#pragma omp parallel for collapse(3) schedule(static)
  for (int64_t b = 0; b < s.B; b++)
    for (int64_t t = 0; t < s.T; t++)
      for (int64_t h = 0; h < s.Hkv; h++) {
        const int64_t src = ((b * s.T + t) * s.Hkv + h) * D, dst = ((b * s.Hkv + h) * maxT + start[b] + t) * D;
        std::memcpy(cacheK + dst, k + src, D * sizeof(float));
        std::memcpy(cacheV + dst, v + src, D * sizeof(float));
      }
  const int64_t Bq = std::max<int64_t>(1, 128 / G), nqb = (s.T + Bq - 1) / Bq, tasks = nqb * s.B * s.Hkv;
#pragma omp parallel
  {
    QueryRows rows;
#pragma omp for schedule(dynamic)
    for (int64_t task = 0; task < tasks; task++) {
      const int64_t qb = nqb - 1 - task / (s.B * s.Hkv), b = task / s.Hkv % s.B, hk = task % s.Hkv;
      rows.clear();
      for (int64_t t = qb * Bq; t < std::min(s.T, (qb + 1) * Bq); t++)
        for (int64_t g = 0; g < G; g++) {
          const int64_t off = ((b * s.T + t) * s.Hq + hk * G + g) * D;
          rows.q.push_back(q + off);
          rows.out.push_back(out + off);
          rows.lse.push_back(nullptr);
          rows.last.push_back(start[b] + t);
        }
      const int64_t kv_off = (b * s.Hkv + hk) * maxT * D;
      attend_rows(rows, cacheK + kv_off, cacheV + kv_off, D, D, s.scale);
    }
  }
}

}  // namespace rz
