"""PyTorch CPU reference for rlzero's bench, at its strongest: the same Hugging Face-architecture
model (weights as scripts/reference/hf_model.py names them), run without the overheads of the
`transformers` way that are not needed on a CPU:

  * grouped-query attention without copying K/V per query head: the G = H/K query heads of a KV
    head are stacked as G*T rows against the same keys (no repeat_kv);
  * a preallocated KV cache written in place (no torch.cat of the whole cache every step);
  * the fastest sampler of three (`--sampler`): torch.multinomial over softmax, inverse CDF
    (cumsum + searchsorted with one uniform per row), or Gumbel-max;
  * `torch.inference_mode()` for generation.

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_reference.py --model mini|0.5b-4l \
        --mode train|generate [--threads N] [--steps K] [--sampler cdf|multinomial|gumbel] \
        [--attention grouped|repeat_kv]

On 2 cores its best setting is torch threads 1 with OpenBLAS at 2 threads (DESIGN.md; the bench
measures it again with `--torch-sweep`). Prints one JSON line
{model, mode, threads, blas_threads, sampler, attention, tokens_per_s, seconds, tokens_per_cpu_s,
torch_version} (tokens_per_cpu_s: per second of the process's CPU time, all threads together):
  train:    one step = forward + backward of the mean next-token cross-entropy + AdamW step on
            B x T random tokens; tokens_per_s = B*T / median step time over K steps after one
            warm-up step; seconds = that median step time.
  generate: 32 random 64-token prompts, 128 new tokens each, sampled at temperature 1 with a KV
            cache; tokens_per_s = 32*128 / total time including prefill (median of K runs after
            a short warm-up); seconds = that total time.
Random weights as HF initialises them (matrices N(0, 0.02), biases 0, norms 1), float32.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "reference"))
from hf_model import CausalLM, repeat_kv, rotate_half  # noqa: E402


def qwen2_config(**shape) -> dict:
    return {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "tie_word_embeddings": True,
            "rope_theta": 1000000.0, "rms_norm_eps": 1e-6, "max_position_embeddings": 32768,
            "hidden_act": "silu", "torch_dtype": "float32", **shape}


MODELS = {
    "mini": qwen2_config(vocab_size=512, hidden_size=256, num_hidden_layers=4, num_attention_heads=8,
                         num_key_value_heads=4, intermediate_size=704),  # head_dim 32
    "0.5b-4l": qwen2_config(vocab_size=151936, hidden_size=896, num_hidden_layers=4,
                            num_attention_heads=14, num_key_value_heads=2,
                            intermediate_size=4864),  # Qwen2.5-0.5B cut to 4 layers, head_dim 64
}
TRAIN_SHAPE = {"mini": (8, 256), "0.5b-4l": (4, 256)}  # (B, T)
DEFAULT_STEPS = {"train": {"mini": 10, "0.5b-4l": 3}, "generate": {"mini": 3, "0.5b-4l": 1}}
GEN_BATCH, GEN_PROMPT, GEN_NEW = 32, 64, 128


def build(config: dict) -> CausalLM:
    """Random float32 model, initialised like HF `_init_weights` with initializer_range 0.02."""
    model = CausalLM(config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.fill_(1.0)
            elif name.endswith(".bias"):
                p.zero_()
            else:
                p.normal_(0.0, 0.02)
    return model


class StaticCache:
    """Keys and values [B, K, max_len, D] per layer, preallocated and written in place."""

    def __init__(self, model: CausalLM, batch: int, max_len: int):
        attn = model.model.layers[0].self_attn
        shape = (batch, attn.n_kv_head, max_len, attn.head_dim)
        self.k = [torch.zeros(shape) for _ in model.model.layers]
        self.v = [torch.zeros(shape) for _ in model.model.layers]
        self.length = 0


def attend(q, k, v, mask, grouped: bool):
    """q [B,H,T,D], k/v [B,K,S,D], mask [T,S] additive or None -> [B,H,T,D]. Grouped: the G query
    heads of a KV head become G*T rows against the same K/V; else HF's repeat_kv copies."""
    b, h, t, d = q.shape
    g = h // k.shape[1]
    if not grouped:
        att = q @ repeat_kv(k, g).transpose(2, 3) / math.sqrt(d)
        if mask is not None:
            att = att + mask
        return F.softmax(att, dim=-1) @ repeat_kv(v, g)
    qg = q.reshape(b, k.shape[1], g * t, d)  # rows ordered (g, t)
    att = qg @ k.transpose(2, 3) / math.sqrt(d)  # [B,K,G*T,S]
    if mask is not None:
        att = att + mask.repeat(g, 1)
    return (F.softmax(att, dim=-1) @ v).view(b, h, t, d)


def hidden_states(model: CausalLM, ids: torch.Tensor, cache: StaticCache = None, grouped=True):
    """ids [B,T] -> final-normed hidden [B,T,C]. With a cache, positions continue from
    cache.length and the new keys/values are written into it."""
    m = model.model
    x = m.embed_tokens(ids)
    t = ids.shape[1]
    p = cache.length if cache else 0
    freqs = torch.arange(p, p + t, dtype=torch.float64)[:, None] * m.inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    mask = torch.full((t, p + t), float("-inf")).triu(p + 1) if t > 1 else None
    b = ids.shape[0]
    for i, layer in enumerate(m.layers):
        a = layer.self_attn
        hn = layer.input_layernorm(x)
        q = a.q_proj(hn).view(b, t, a.n_head, a.head_dim).transpose(1, 2)
        k = a.k_proj(hn).view(b, t, a.n_kv_head, a.head_dim).transpose(1, 2)
        v = a.v_proj(hn).view(b, t, a.n_kv_head, a.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache:
            cache.k[i][:, :, p:p + t] = k
            cache.v[i][:, :, p:p + t] = v
            k, v = cache.k[i][:, :, :p + t], cache.v[i][:, :, :p + t]
        y = attend(q, k, v, mask, grouped).transpose(1, 2).reshape(b, t, a.n_head * a.head_dim)
        x = x + a.o_proj(y)
        x = x + layer.mlp(layer.post_attention_layernorm(x))
    if cache:
        cache.length = p + t
    return m.norm(x)


def train_step(model: CausalLM, opt: torch.optim.Optimizer, ids: torch.Tensor, grouped: bool) -> None:
    """ids [B,T]: forward, mean next-token cross-entropy, backward, AdamW."""
    logits = hidden_states(model, ids, grouped=grouped) @ model.lm_head_weight().t()  # [B,T,V]
    labels = F.pad(ids[:, 1:], (0, 1), value=-100)  # [B,T], last position ignored
    loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)


def sample(logits: torch.Tensor, how: str) -> torch.Tensor:
    """logits [N,V] at temperature 1 -> token ids [N,1]."""
    if how == "multinomial":
        return torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)
    if how == "gumbel":
        return (logits - torch.empty_like(logits).exponential_().log()).argmax(-1, keepdim=True)
    cdf = F.softmax(logits, dim=-1).cumsum_(-1)  # inverse CDF with one uniform per row
    u = torch.rand(logits.shape[0], 1) * cdf[:, -1:]
    return torch.searchsorted(cdf, u).clamp_(max=logits.shape[1] - 1)


@torch.inference_mode()
def generate(model: CausalLM, prompts: torch.Tensor, new_tokens: int, sampler: str, grouped: bool):
    """prompts [N,P] -> sampled tokens [N,new_tokens]: prefill, then one token per step."""
    cache = StaticCache(model, prompts.shape[0], prompts.shape[1] + new_tokens)
    w = model.lm_head_weight()
    h = hidden_states(model, prompts, cache, grouped)[:, -1]  # [N,C]
    out = []
    for i in range(new_tokens):
        nxt = sample(h @ w.t(), sampler)  # [N,1]
        out.append(nxt)
        if i + 1 < new_tokens:
            h = hidden_states(model, nxt, cache, grouped)[:, -1]
    return torch.cat(out, dim=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=MODELS, required=True)
    ap.add_argument("--mode", choices=("train", "generate"), required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, help="timed train steps / generate runs")
    ap.add_argument("--sampler", choices=("cdf", "multinomial", "gumbel"), default="cdf")
    ap.add_argument("--attention", choices=("grouped", "repeat_kv"), default="grouped")
    args = ap.parse_args()
    steps = args.steps or DEFAULT_STEPS[args.mode][args.model]
    grouped = args.attention == "grouped"
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = MODELS[args.model]
    model = build(config)
    vocab = config["vocab_size"]

    times, cpu_times = [], []
    if args.mode == "train":
        b, t = TRAIN_SHAPE[args.model]
        opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
        for i in range(steps + 1):  # step 0 is the warm-up
            ids = torch.randint(0, vocab, (b, t))
            t0, c0 = time.perf_counter(), time.process_time()
            train_step(model, opt, ids, grouped)
            if i > 0:
                times.append(time.perf_counter() - t0)
                cpu_times.append(time.process_time() - c0)
        tokens = b * t
    else:
        generate(model, torch.randint(0, vocab, (2, 8)), 4, args.sampler, grouped)  # warm-up
        for _ in range(steps):
            prompts = torch.randint(0, vocab, (GEN_BATCH, GEN_PROMPT))
            t0, c0 = time.perf_counter(), time.process_time()
            generate(model, prompts, GEN_NEW, args.sampler, grouped)
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        tokens = GEN_BATCH * GEN_NEW

    seconds = statistics.median(times)
    print(json.dumps({"model": args.model, "mode": args.mode, "threads": args.threads,
                      "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                      "sampler": args.sampler, "attention": args.attention,
                      "tokens_per_s": round(tokens / seconds, 1), "seconds": round(seconds, 4),
                      "tokens_per_cpu_s": round(tokens / statistics.median(cpu_times), 1),
                      "torch_version": torch.__version__}))


if __name__ == "__main__":
    main()
