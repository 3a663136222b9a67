// Token sampler over logits[B, V], rows spread over threads: greedy argmax, or temperature
// softmax with top-k (a k-entry heap, or nth_element for large k) and top-p (a mass histogram
// over log-probability buckets, so only the boundary bucket is sorted). No full-vocabulary sort.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace rz {
namespace {

// Lowest index of the maximum.
int64_t argmax(const float* z, int64_t V) {
  int64_t best = 0;
  for (int64_t j = 1; j < V; j++)
    if (z[j] > z[best]) best = j;
  return best;
}

// e[j] = exp((z[j] - zmax) * invT); returns sum(e) in double.
double exp_shifted(const float* z, int64_t V, float zmax, float invT, float* e) {
  const vf vm = vset(zmax), vt = vset(invT);
  double sum = 0;
  int64_t j = 0;
  for (; j + VL <= V; j += VL) {
    const vf x = vexp((vload(z + j) - vm) * vt);
    vstore(e + j, x);
    sum += hsum(x);
  }
  for (; j < V; j++) sum += e[j] = std::exp((z[j] - zmax) * invT);
  return sum;
}

// Draws from the candidates (in the given order) with weights e, using u in [0,1).
int32_t draw(const std::vector<int32_t>& cand, const float* e, double total, float u) {
  const double target = u * total;
  double acc = 0;
  for (int32_t id : cand) {
    acc += e[id];
    if (acc > target) return id;
  }
  return cand.back();
}

// Top-p over the whole vocabulary without a full sort: a histogram of the probability mass over
// NB buckets of x = (z - zmax) / T in [-XR, 0] (the last bucket takes everything below) finds the
// bucket where the sorted cumulative mass reaches topP; only that bucket is sorted. Fills `cand`
// with the kept ids and returns their mass.
double top_p_all(const float* z, float zmax, float invT, const float* e, int64_t V, double total, float topP,
                 std::vector<int32_t>& cand, std::vector<int32_t>& bucket_of) {
  constexpr int NB = 4096;
  constexpr float XR = 40.0f;
  double mass[NB] = {};
  bucket_of.resize(V);
  for (int64_t j = 0; j < V; j++) {
    const float x = (zmax - z[j]) * invT;
    const int bk = (int)std::min(x * (NB / XR), (float)(NB - 1));
    bucket_of[j] = bk;
    mass[bk] += e[j];
  }
  int boundary = 0;
  double acc = 0;
  while (boundary < NB - 1 && acc + mass[boundary] < topP * total) acc += mass[boundary++];
  std::vector<int32_t> edge;
  for (int32_t j = 0; j < V; j++) {
    if (bucket_of[j] < boundary) cand.push_back(j);
    else if (bucket_of[j] == boundary) edge.push_back(j);
  }
  std::sort(edge.begin(), edge.end(), [e](int32_t a, int32_t b) { return e[a] > e[b] || (e[a] == e[b] && a < b); });
  for (size_t n = 0; n < edge.size() && (n == 0 || acc < topP * total); n++) {
    acc += e[edge[n]];
    cand.push_back(edge[n]);
  }
  return acc;
}

int32_t sample_row(const float* z, int64_t V, float temperature, int64_t topK, float topP, float u, float* e,
                   std::vector<int32_t>& cand, std::vector<int32_t>& scratch, float& logp) {
  const float zmax = z[argmax(z, V)], invT = 1.0f / temperature;
  const double total = exp_shifted(z, V, zmax, invT, e);
  const auto before = [e](int32_t a, int32_t b) { return e[a] > e[b] || (e[a] == e[b] && a < b); };
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
    double kept = 0;
    for (int32_t j : cand) kept += e[j];
    if (topP < 1.0f) {  // smallest prefix whose probability (within the top k) reaches topP
      double acc = 0;
      size_t n = 0;
      while (n < cand.size() && acc < topP * kept) acc += e[cand[n++]];
      cand.resize(std::max<size_t>(n, 1));
      kept = acc;
    }
    id = draw(cand, e, kept, u);
  } else if (topP < 1.0f) {
    const double kept = top_p_all(z, zmax, invT, e, V, total, topP, cand, scratch);
    id = draw(cand, e, kept, u);
  } else {  // plain sampling: walk in id order
    const double target = u * total;
    double acc = 0;
    id = (int32_t)V - 1;
    for (int64_t j = 0; j < V; j++)
      if ((acc += e[j]) > target) { id = (int32_t)j; break; }
  }
  logp = (float)((double)(z[id] - zmax) * invT - std::log(total));
  return id;
}

}  // namespace

void sample(const float* logits, int64_t B, int64_t V, float temperature, int64_t topK, float topP,
            const float* uniforms, int32_t* ids, float* logp) {
#pragma omp parallel
  {
    std::vector<float> e(V);
    std::vector<int32_t> cand, scratch;
#pragma omp for schedule(dynamic)
    for (int64_t b = 0; b < B; b++) {
      const float* z = logits + b * V;
      if (temperature <= 0) {
        const int64_t id = argmax(z, V);
        ids[b] = (int32_t)id;
        logp[b] = (float)-std::log(exp_shifted(z, V, z[id], 1.0f, e.data()));
      } else {
        ids[b] = sample_row(z, V, temperature, topK, topP, uniforms[b], e.data(), cand, scratch, logp[b]);
      }
    }
  }
}

}  // namespace rz
