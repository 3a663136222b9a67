// Token sampler over logits[B, V], rows spread over threads: greedy argmax, or temperature
// softmax with top-k (a k-entry heap, or nth_element for large k) and top-p (a mass histogram
// over log-probability buckets, so only the boundary bucket is sorted). No full-vocabulary sort.
// NaN logits have probability 0; +inf logits share all of it (the softmax's limit), and so do the
// maximal logits when 1/temperature overflows.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace rz {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// Lowest index of the maximum, skipping NaN (NaN logits count as -inf).
int64_t argmax(const float* z, int64_t V) {
  int64_t best = 0;
  while (best + 1 < V && std::isnan(z[best])) best++;
  for (int64_t j = best + 1; j < V; j++)
    if (z[j] > z[best]) best = j;
  return best;
}

// Whether softmax(z / T) is only defined as a limit: zmax = +inf, or 1/T overflowed to +inf.
bool is_limit(float zmax, float invT) { return zmax == kInf || invT == kInf; }

// The unnormalised probabilities e[j] = exp((z[j] - zmax) * invT), zmax = max(z): NaN logits get
// weight 0, and in the limit case each logit equal to zmax gets 1 and the rest 0.
// Returns sum(e) accumulated in double in id order, so that a walk in id order reaches exactly it.
double weights(const float* z, int64_t V, float zmax, float invT, float* e) {
  if (is_limit(zmax, invT)) {
    for (int64_t j = 0; j < V; j++) e[j] = z[j] == zmax ? 1.0f : 0.0f;
  } else {
    const vf vm = vset(zmax), vt = vset(invT);
    int64_t j = 0;
    for (; j + VL <= V; j += VL) {
      const vf x = vexp((vload(z + j) - vm) * vt);
      vstore(e + j, x == x ? x : vf{});  // NaN -> 0
    }
    for (; j < V; j++) {
      const float x = std::exp((z[j] - zmax) * invT);
      e[j] = x == x ? x : 0.0f;
    }
  }
  double sum = 0;
  for (int64_t j = 0; j < V; j++) sum += e[j];
  return sum;
}

// Inverse-CDF draw over ids [0, n) (cand null) or cand[0:n], in that order, with weights e and
// u in [0, 1). The total is summed in the same order as the walk, so u < 1 always stops on a
// positive weight; the fallback (the last positive weight) only guards against u >= 1 or NaN.
int32_t draw(const int32_t* cand, int64_t n, const float* e, double total, float u) {
  const double target = u * total;
  double acc = 0;
  int32_t last = cand && n > 0 ? cand[0] : 0;
  for (int64_t i = 0; i < n; i++) {
    const int32_t id = cand ? cand[i] : (int32_t)i;
    if (e[id] > 0) last = id;
    if ((acc += e[id]) > target) return id;
  }
  return last;
}

// Whether id a ranks before id b: more probable, or as probable and lower.
inline bool ranks_before(const float* e, int32_t a, int32_t b) { return e[a] > e[b] || (e[a] == e[b] && a < b); }

double sum_of(const std::vector<int32_t>& cand, const float* e) {
  double s = 0;
  for (int32_t id : cand) s += e[id];
  return s;
}

// Top-p over the whole vocabulary without a full sort: a histogram of the probability mass over
// NB buckets of x = (zmax - z) / T in [0, XR] (the last bucket takes everything beyond, and NaN)
// finds the bucket where the sorted cumulative mass reaches topP; only that bucket is sorted.
// Fills `cand` with the kept ids (never a zero-weight one).
void top_p_all(const float* z, float zmax, float invT, const float* e, int64_t V, double total, float topP,
               std::vector<int32_t>& cand, std::vector<int32_t>& bucket_of) {
  constexpr int NB = 4096;
  constexpr float XR = 40.0f;
  double mass[NB] = {};
  bucket_of.resize(V);
  for (int64_t j = 0; j < V; j++) {
    const float x = (zmax - z[j]) * invT;
    const int bk = x < XR ? (int)(x * (NB / XR)) : NB - 1;  // x >= 0, or NaN (-> last bucket)
    bucket_of[j] = bk;
    mass[bk] += e[j];
  }
  const double want = topP * total;
  int boundary = 0;
  double acc = 0;
  while (boundary < NB - 1 && acc + mass[boundary] < want) acc += mass[boundary++];
  std::vector<int32_t> edge;
  for (int32_t j = 0; j < V; j++) {
    if (bucket_of[j] < boundary) cand.push_back(j);
    else if (bucket_of[j] == boundary) edge.push_back(j);
  }
  std::sort(edge.begin(), edge.end(), [e](int32_t a, int32_t b) { return ranks_before(e, a, b); });
  for (size_t n = 0; n < edge.size() && e[edge[n]] > 0 && (cand.empty() || acc < want); n++) {
    acc += e[edge[n]];
    cand.push_back(edge[n]);
  }
}

// Samples one row (see api.ts); zmax = max(z) is finite or +inf, temperature > 0.
int32_t sample_row(const float* z, int64_t V, float zmax, float temperature, int64_t topK, float topP, float u,
                   float* e, std::vector<int32_t>& cand, std::vector<int32_t>& scratch, float& logp) {
  const float invT = 1.0f / temperature;
  const double total = weights(z, V, zmax, invT, e);
  const auto before = [e](int32_t a, int32_t b) { return ranks_before(e, a, b); };
  cand.clear();
  int32_t id;
  if (topK > 0 && topK < V) {
    if (topK <= 4096) {  // min-heap (by `before`) of the best topK so far
      for (int32_t j = 0; j < V; j++) {
        if ((int64_t)cand.size() < topK) {
          cand.push_back(j);
          std::push_heap(cand.begin(), cand.end(), before);
        } else if (before(j, cand.front())) {
          std::pop_heap(cand.begin(), cand.end(), before);
          cand.back() = j;
          std::push_heap(cand.begin(), cand.end(), before);
        }
      }
    } else {
      cand.resize(V);
      for (int32_t j = 0; j < V; j++) cand[j] = j;
      std::nth_element(cand.begin(), cand.begin() + topK, cand.end(), before);
      cand.resize(topK);
    }
    std::sort(cand.begin(), cand.end(), before);
    if (topP < 1.0f) {  // smallest prefix whose probability (within the top k) reaches topP
      const double want = topP * sum_of(cand, e);
      double acc = 0;
      size_t n = 0;
      while (n < cand.size() && acc < want) acc += e[cand[n++]];
      cand.resize(std::max<size_t>(n, 1));
    }
    id = draw(cand.data(), cand.size(), e, sum_of(cand, e), u);
  } else if (topP < 1.0f) {
    top_p_all(z, zmax, invT, e, V, total, topP, cand, scratch);
    id = draw(cand.data(), cand.size(), e, sum_of(cand, e), u);
  } else {  // plain sampling: walk in id order
    id = draw(nullptr, V, e, total, u);
  }
  // log(e[id] / total), with log e[id] exact rather than from the float exp (0 in the limit case).
  logp = (float)((is_limit(zmax, invT) ? 0.0 : (double)(z[id] - zmax) * invT) - std::log(total));
  return id;
}

}  // namespace

// A row whose logits are all -inf or NaN has no distribution: it gets its argmax and logp NaN.
// Uniforms are clamped into [0, 1): a uniform rounded to float32 can be exactly 1.
void sample(const float* logits, int64_t B, int64_t V, float temperature, int64_t topK, float topP,
            const float* uniforms, int32_t* ids, float* logp) {
#pragma omp parallel if (B * V > 65536)
  {
    std::vector<float> e(V);
    std::vector<int32_t> cand, scratch;
#pragma omp for schedule(dynamic)
    for (int64_t b = 0; b < B; b++) {
      const float* z = logits + b * V;
      const int64_t best = argmax(z, V);
      const float zmax = z[best];
      if (!(zmax > -kInf)) {
        ids[b] = (int32_t)best;
        logp[b] = std::numeric_limits<float>::quiet_NaN();
      } else if (temperature <= 0) {
        ids[b] = (int32_t)best;
        logp[b] = (float)-std::log(weights(z, V, zmax, 1.0f, e.data()));
      } else {
        const float u = std::min(uniforms[b] >= 0 ? uniforms[b] : 0.0f, std::nextafter(1.0f, 0.0f));
        ids[b] = sample_row(z, V, zmax, temperature, topK, topP, u, e.data(), cand, scratch, logp[b]);
      }
    }
  }
}

}  // namespace rz
