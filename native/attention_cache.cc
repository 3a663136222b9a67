// KV-cache attention for prefill and decoding: appends k/v [B,T,Hkv,D] to the cache
// [B,Hkv,maxT,D] at start[b].., then query t of sequence b attends cache positions 0..start[b]+t.
// The G query heads of a KV head are processed together, reading the cache once.
#include <cstring>

#include "attn_tiles.h"
#include "kernels.h"

namespace rz {

void attention_with_cache(const float* q, const float* k, const float* v, float* cacheK, float* cacheV,
                          const int32_t* start, const AttnShape& s, int64_t maxT, float* out) {
  const int64_t D = s.D;
#pragma omp parallel for collapse(3) schedule(static)
  for (int64_t b = 0; b < s.B; b++)
    for (int64_t t = 0; t < s.T; t++)
      for (int64_t h = 0; h < s.Hkv; h++) {
        const int64_t src = ((b * s.T + t) * s.Hkv + h) * D, dst = ((b * s.Hkv + h) * maxT + start[b] + t) * D;
        std::memcpy(cacheK + dst, k + src, D * sizeof(float));
        std::memcpy(cacheV + dst, v + src, D * sizeof(float));
      }
  attend_all(q, out, nullptr, s, cacheK, cacheV, KvLayout{s.Hkv * maxT * D, maxT * D, D}, start);
}

}  // namespace rz
