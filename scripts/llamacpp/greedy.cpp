// rlzero-greedy MODEL.gguf N_NEW ID,ID,...
// Greedy continuation of one prompt given as token ids, through llama.cpp: prints the N_NEW
// generated ids comma-separated on one line. The bench compares them with rlzero's greedy
// tokens on the same weights (exported by `rlzero export --format gguf`), which checks the
// export end to end. Token ids in, ids out: no tokenizer is involved.
#include <llama.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s MODEL.gguf N_NEW ID,ID,...\n", argv[0]);
    return 2;
  }
  const int n_new = std::atoi(argv[2]);
  std::vector<llama_token> tokens;
  std::stringstream ids(argv[3]);
  for (std::string id; std::getline(ids, id, ',');) tokens.push_back(std::atoi(id.c_str()));

  llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);  // keep stdout to the ids
  llama_backend_init();
  llama_model* model = llama_model_load_from_file(argv[1], llama_model_default_params());
  if (!model) {
    std::fprintf(stderr, "cannot load %s\n", argv[1]);
    return 1;
  }
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = tokens.size() + n_new;
  cp.n_batch = cp.n_ctx;
  cp.type_k = GGML_TYPE_F32;  // exact keys and values, to compare with rlzero's f32 cache
  cp.type_v = GGML_TYPE_F32;
  llama_context* ctx = llama_init_from_model(model, cp);
  const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));

  std::vector<llama_token> out;
  llama_batch batch = llama_batch_get_one(tokens.data(), tokens.size());
  for (int i = 0; i < n_new; i++) {
    if (llama_decode(ctx, batch) != 0) {
      std::fprintf(stderr, "llama_decode failed at token %d\n", i);
      return 1;
    }
    const float* logits = llama_get_logits_ith(ctx, -1);
    llama_token best = 0;
    for (llama_token v = 1; v < n_vocab; v++)
      if (logits[v] > logits[best]) best = v;
    out.push_back(best);
    batch = llama_batch_get_one(&out.back(), 1);
  }
  for (size_t i = 0; i < out.size(); i++) std::printf(i ? ",%d" : "%d", out[i]);
  std::printf("\n");
  llama_free(ctx);
  llama_model_free(model);
  return 0;
}
