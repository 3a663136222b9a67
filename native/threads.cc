// The one thread pool: OpenMP. Every kernel and the GEMM backend (oneDNN is built on OpenMP;
// OpenBLAS has its own pool, sized to match) run on it.
#include <omp.h>

#include <fstream>
#include <sstream>

#include "kernels.h"

#ifdef RLZERO_OPENBLAS
extern "C" void openblas_set_num_threads(int);
#endif

namespace rz {

void set_threads(int n) {
  omp_set_num_threads(n);
#ifdef RLZERO_OPENBLAS
  openblas_set_num_threads(n);
#endif
}

int get_threads() { return omp_get_max_threads(); }

// The SIMD/matrix features of interest, as listed in the "flags" line of /proc/cpuinfo.
std::vector<std::string> cpu_features() {
  static const char* wanted[] = {"sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
                                 "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile",
                                 "amx_bf16", "amx_int8", "asimd", "sve"};
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  std::vector<std::string> found;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0 && line.rfind("Features", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::vector<std::string> flags;
    for (std::string w; words >> w;) flags.push_back(w);
    for (const char* f : wanted)
      for (const auto& w : flags)
        if (w == f) found.emplace_back(f);
    break;
  }
  return found;
}

}  // namespace rz
