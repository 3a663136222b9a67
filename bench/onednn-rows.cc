// How oneDNN should serve GEMMs whose row count M changes every call (RL batches): one compiled
// primitive per exact M, one primitive with M a runtime dimension (DNNL_RUNTIME_DIM_VAL), or
// weights prepacked in oneDNN's blocked layout with M rounded up to a bucket (what
// native/gemm_onednn.cc's linear layers do). Single thread, CPU time, so a shared machine's
// load does not enter. Prints GFLOP/s per CPU-second and the time to create a primitive.
//   g++ -O2 -std=c++17 bench/onednn-rows.cc -ldnnl -o /tmp/onednn-rows && OMP_NUM_THREADS=1 /tmp/onednn-rows
#include <dnnl.hpp>

#include <cstdio>
#include <ctime>
#include <vector>

using namespace dnnl;
using dt = memory::data_type;

static double cpu_us() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

// As native/gemm_onednn.cc: M below 16, then 8 row counts per octave.
static long linear_rows(long M) {
  if (M <= 8) return M;
  long step = 1;
  while (step * 16 <= M) step *= 2;
  return (M + step - 1) / step * step;
}

// Runs prim `iters` times; GFLOP/s per CPU-second for M x N x K.
static double rate(matmul& prim, stream& s, const std::unordered_map<int, memory>& args, long M, long N, long K, int iters) {
  prim.execute(s, args);
  s.wait();
  const double t0 = cpu_us();
  for (int i = 0; i < iters; i++) prim.execute(s, args);
  s.wait();
  return 2.0 * M * N * K * iters / (cpu_us() - t0) / 1e3;
}

int main() {
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  const long shapes[][2] = {{151936, 896}, {4864, 896}, {896, 4864}, {704, 256}};  // N, K of y = x W^T
  for (auto [N, K] : shapes) {
    std::vector<float> W(N * K, 0.01f), X(64 * K, 0.02f), Y(64 * N);
    memory::desc w_plain({K, N}, dt::f32, memory::dims{1, K});  // W stored [N, K]
    memory w_mem(w_plain, eng, W.data());
    // Prepacked weights (their format does not depend on M).
    memory::desc w_any({K, N}, dt::f32, memory::format_tag::any);
    matmul::primitive_desc pack_pd(matmul::desc(memory::desc({64, K}, dt::f32, {K, 1}), w_any,
                                                 memory::desc({64, N}, dt::f32, {N, 1})), eng);
    memory w_packed(pack_pd.weights_desc(), eng);
    reorder(w_mem, w_packed).execute(s, w_mem, w_packed);
    // Runtime M.
    memory::desc a_rt({DNNL_RUNTIME_DIM_VAL, K}, dt::f32, {K, 1}), c_rt({DNNL_RUNTIME_DIM_VAL, N}, dt::f32, {N, 1});
    matmul::primitive_desc rt_pd(matmul::desc(a_rt, w_plain, c_rt), eng);
    matmul runtime(rt_pd);
    const int iters = N * K > 1e7 ? 3 : 50;
    for (long M : {27L, 32L, 45L}) {
      const long Mb = linear_rows(M);
      memory::desc a({M, K}, dt::f32, {K, 1}), c({M, N}, dt::f32, {N, 1});
      const double t0 = cpu_us();
      matmul::primitive_desc exact_pd(matmul::desc(a, w_plain, c), eng);
      matmul exact(exact_pd);
      const double create_us = cpu_us() - t0;
      memory am(a, eng, X.data()), cm(c, eng, Y.data());
      const double r_exact = rate(exact, s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, w_mem}, {DNNL_ARG_DST, cm}}, M, N, K, iters);
      memory am_rt(memory::desc({M, K}, dt::f32, {K, 1}), eng, X.data()), cm_rt(memory::desc({M, N}, dt::f32, {N, 1}), eng, Y.data());
      const double r_rt = rate(runtime, s, {{DNNL_ARG_SRC, am_rt}, {DNNL_ARG_WEIGHTS, w_mem}, {DNNL_ARG_DST, cm_rt}}, M, N, K, iters);
      memory::desc ab({Mb, K}, dt::f32, {K, 1}), cb({Mb, N}, dt::f32, {N, 1});
      matmul bucket(matmul::primitive_desc(matmul::desc(ab, w_packed.get_desc(), cb), eng));
      memory abm(ab, eng, X.data()), cbm(cb, eng, Y.data());
      // Useful work is M rows; the bucket computes Mb.
      const double r_bucket = rate(bucket, s, {{DNNL_ARG_SRC, abm}, {DNNL_ARG_WEIGHTS, w_packed}, {DNNL_ARG_DST, cbm}}, Mb, N, K, iters) * M / Mb;
      std::printf("N=%6ld K=%4ld M=%2ld: exact-M %5.1f, runtime-M (%s) %5.1f, packed + bucket %ld rows %5.1f GFLOP/s; creating an exact-M primitive %.0f us\n",
                  N, K, M, r_exact, rt_pd.impl_info_str(), r_rt, Mb, r_bucket, create_us);
    }
  }
}
