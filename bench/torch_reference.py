"""PyTorch CPU baseline for rlzero's bench: what a user would get from plain PyTorch running the
same Hugging Face-architecture model the way `transformers` runs it (eager attention, repeat_kv,
DynamicCache-style torch.cat KV cache, softmax + torch.multinomial sampling).

    /usr/bin/python3 bench/torch_reference.py --model mini|0.5b-4l --mode train|generate \
        [--threads N] [--steps K]

Prints one JSON line {model, mode, threads, tokens_per_s, seconds, torch_version}:
  train:    one step = forward + backward of the mean next-token cross-entropy + AdamW step on
            B x T random tokens; tokens_per_s = B*T / median step time over K steps after one
            warm-up step; seconds = that median step time.
  generate: 32 random 64-token prompts, 128 new tokens each, multinomial sampling at temperature 1
            with a KV cache; tokens_per_s = 32*128 / total time including prefill (median of K runs
            after a short warm-up); seconds = that total time.
Random weights as HF initialises them (matrices N(0, 0.02), biases 0, norms 1), float32.
`--threads` sets torch.set_num_threads; Debian's torch calls OpenBLAS, whose own thread pool follows
OPENBLAS_NUM_THREADS (default: all cores).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "reference"))
from hf_model import CausalLM  # noqa: E402


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


def train_step(model: CausalLM, opt: torch.optim.Optimizer, ids: torch.Tensor) -> None:
    """ids [B,T]: forward, mean next-token cross-entropy (HF ForCausalLMLoss), backward, AdamW."""
    logits, _ = model(ids)  # [B,T,V]
    labels = F.pad(ids[:, 1:], (0, 1), value=-100)  # [B,T], last position ignored
    loss = F.cross_entropy(logits.float().view(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)


@torch.no_grad()
def generate(model: CausalLM, prompts: torch.Tensor, new_tokens: int) -> torch.Tensor:
    """prompts [N,P] -> sampled tokens [N,new_tokens]: prefill, then one token per step through the
    KV cache; temperature 1, so logits go straight to softmax + multinomial as in HF `generate`."""
    logits, cache = model(prompts, last_only=True)  # [N,1,V]
    out = []
    for i in range(new_tokens):
        probs = F.softmax(logits[:, -1].float(), dim=-1)  # [N,V]
        nxt = torch.multinomial(probs, num_samples=1)  # [N,1]
        out.append(nxt)
        if i + 1 < new_tokens:
            logits, cache = model(nxt, cache)
    return torch.cat(out, dim=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=MODELS, required=True)
    ap.add_argument("--mode", choices=("train", "generate"), required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, help="timed train steps / generate runs")
    args = ap.parse_args()
    steps = args.steps or DEFAULT_STEPS[args.mode][args.model]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = MODELS[args.model]
    model = build(config)
    vocab = config["vocab_size"]

    times = []
    if args.mode == "train":
        b, t = TRAIN_SHAPE[args.model]
        opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
        for i in range(steps + 1):  # step 0 is the warm-up
            ids = torch.randint(0, vocab, (b, t))
            t0 = time.perf_counter()
            train_step(model, opt, ids)
            if i > 0:
                times.append(time.perf_counter() - t0)
        tokens = b * t
    else:
        generate(model, torch.randint(0, vocab, (2, 8)), 4)  # warm-up
        for _ in range(steps):
            prompts = torch.randint(0, vocab, (GEN_BATCH, GEN_PROMPT))
            t0 = time.perf_counter()
            generate(model, prompts, GEN_NEW)
            times.append(time.perf_counter() - t0)
        tokens = GEN_BATCH * GEN_NEW

    seconds = statistics.median(times)
    print(json.dumps({"model": args.model, "mode": args.mode, "threads": args.threads,
                      "tokens_per_s": round(tokens / seconds, 1), "seconds": round(seconds, 4),
                      "torch_version": torch.__version__}))


if __name__ == "__main__":
    main()
