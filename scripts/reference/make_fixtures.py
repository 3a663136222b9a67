"""Write the tiny HF model directories and PyTorch reference outputs that rlzero's tests compare
against (in the spirit of llm.c's PyTorch reference).

    /usr/bin/python3 scripts/reference/make_fixtures.py      # Debian python3-torch, no PyPI

Deterministic (fixed seeds). Writes, relative to the repository root:
  test/fixtures/models/<model>/            config.json + safetensors weights (HF layout)
  test/fixtures/reference/<model>.json     input_ids, next-token logprobs, loss, greedy decodes
  test/fixtures/reference/<model>.grads.safetensors   d loss / d every parameter (F32)
All references are computed in float64 from the stored weights widened to float64.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_model import CausalLM, next_token_logprobs  # noqa: E402
from safetensors_io import load_file, save_file  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS_DIR = os.path.join(ROOT, "test", "fixtures", "models")
REF_DIR = os.path.join(ROOT, "test", "fixtures", "reference")

B, T = 3, 20                  # logprob / loss / gradient batch
PROMPT_LENS = (1, 5, 11)      # one greedy prompt of each length
MAX_NEW_TOKENS = 16
MIN_MARGIN = 5e-2             # top-1 minus top-2 logit at every greedy step (required: > 1e-3)
DATA_SEED = 1234              # input_ids and prompt candidates, identical for every model

QWEN2_CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "vocab_size": 256,
    "hidden_size": 64,
    "intermediate_size": 160,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 128,
    "rope_theta": 10000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "torch_dtype": "float32",
    "bos_token_id": 1,
    "eos_token_id": 2,
    "hidden_act": "silu",
    "attention_dropout": 0.0,
    "initializer_range": 0.02,
    "use_cache": True,
    "use_sliding_window": False,
    "sliding_window": 128,
    "max_window_layers": 2,
}

LLAMA_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 256,
    "hidden_size": 64,
    "intermediate_size": 176,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 1,
    "head_dim": 16,
    "max_position_embeddings": 128,
    "rope_theta": 500000.0,
    # original_max_position_embeddings 64 (not 32): with theta 5e5 and head_dim 16 the RoPE
    # wavelengths are 6.3, 32.4, 167, ... so 64 puts one in each band (kept, smoothed, / factor)
    "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                     "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
    "bos_token_id": 1,
    "eos_token_id": 2,
    "hidden_act": "silu",
    "attention_bias": False,
    "attention_dropout": 0.0,
    "mlp_bias": False,
    "pretraining_tp": 1,
    "initializer_range": 0.02,
    "use_cache": True,
}

TORCH_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def init_weights(model: CausalLM, seed: int) -> None:
    """Peaked, not near-uniform, distributions so that greedy decoding has clear margins:
    embeddings / lm_head N(0, 0.5), other matrices N(0, 0.2), norms 1 + N(0, 0.1), biases N(0, 0.05)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            elif "embed_tokens" in name or name.startswith("lm_head"):
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=g))


def f32(x: float) -> float:
    """Shortest decimal that reads back as the same float32 (compact JSON, exact in Math.fround)."""
    return float(str(np.float32(x)))


def shard_of(name: str) -> int:
    """Shard 1 = embeddings + layer 0, shard 2 = layer 1 + final norm + lm_head."""
    return 1 if name.startswith("model.embed_tokens") or name.startswith("model.layers.0.") else 2


def write_model_dir(path: str, config: dict, weights: dict, sharded: bool) -> None:
    """config.json + model.safetensors, or 2 shards + model.safetensors.index.json; read back
    with our own reader to check the round trip is bit-exact."""
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    if sharded:
        files = {i: f"model-0000{i}-of-00002.safetensors" for i in (1, 2)}
        groups = {i: {n: w for n, w in weights.items() if shard_of(n) == i} for i in (1, 2)}
        for i, file in files.items():
            save_file(groups[i], os.path.join(path, file))
        index = {"metadata": {"total_size": sum(w.numel() * w.element_size() for w in weights.values())},
                 "weight_map": {n: files[shard_of(n)] for n in sorted(weights)}}
        with open(os.path.join(path, "model.safetensors.index.json"), "w") as f:
            json.dump(index, f, indent=2)
            f.write("\n")
        read = {}
        for file in files.values():
            read.update(load_file(os.path.join(path, file))[0])
    else:
        save_file(weights, os.path.join(path, "model.safetensors"))
        read = load_file(os.path.join(path, "model.safetensors"))[0]
    assert read.keys() == weights.keys()
    for n, w in weights.items():
        assert read[n].dtype == w.dtype and torch.equal(read[n], w), n


def greedy(model: CausalLM, prompt: list[int]) -> tuple[list[int], list[float]]:
    """Greedy continuation of `prompt`, full recompute each step -> (tokens, top1 - top2 logit)."""
    ids, tokens, margins = list(prompt), [], []
    for _ in range(MAX_NEW_TOKENS):
        logits = model(torch.tensor([ids]))[0][0, -1]  # [V]
        top = logits.topk(2).values
        nxt = int(logits.argmax())
        tokens.append(nxt)
        margins.append(float(top[0] - top[1]))
        ids.append(nxt)
    return tokens, margins


def greedy_kv(model: CausalLM, prompt: list[int]) -> list[int]:
    """Same greedy decode through the KV cache (checks the cache path the bench relies on)."""
    logits, cache = model(torch.tensor([prompt]), last_only=True)
    tokens = []
    for _ in range(MAX_NEW_TOKENS):
        tokens.append(int(logits[0, -1].argmax()))
        logits, cache = model(torch.tensor([[tokens[-1]]]), cache)
    return tokens


def reference(name: str, config: dict, weights: dict) -> dict:
    """Float64 forward/backward/greedy on `weights` (any dtype, widened exactly to float64).
    Writes <name>.json and <name>.grads.safetensors; returns a summary row."""
    model = CausalLM(config).double()
    model.load_state_dict({n: w.double() for n, w in weights.items()})
    g = torch.Generator().manual_seed(DATA_SEED)
    input_ids = torch.randint(0, config["vocab_size"], (B, T), generator=g)  # [B,T]

    logprobs = next_token_logprobs(model, input_ids)  # [B,T-1]
    loss = -logprobs.mean()
    loss.backward()
    grads = {n: p.grad.float() for n, p in model.named_parameters()}

    # how far plain float32 torch lands from the float64 reference (a guide for test tolerances)
    model32 = CausalLM(config)
    model32.load_state_dict({n: w.float() for n, w in weights.items()})
    logprobs32 = next_token_logprobs(model32, input_ids)
    (-logprobs32.mean()).backward()
    f32_dev = {
        "logprobs_max_abs_diff": f32((logprobs32.double() - logprobs).abs().max().item()),
        "grads_max_abs_diff": f32(max((p.grad - grads[n]).abs().max().item() for n, p in model32.named_parameters())),
        "grads_max_abs": f32(max(gr.abs().max().item() for gr in grads.values())),
    }

    runs = []
    with torch.no_grad():
        for length in PROMPT_LENS:
            while True:  # re-pick the prompt until every greedy step has a clear winner
                prompt = torch.randint(0, config["vocab_size"], (length,), generator=g).tolist()
                tokens, margins = greedy(model, prompt)
                if min(margins) > MIN_MARGIN:
                    break
            assert greedy_kv(model, prompt) == tokens, "KV-cache decode disagrees with recompute"
            runs.append({"prompt": prompt, "max_new_tokens": MAX_NEW_TOKENS, "tokens": tokens,
                         "margins": [f32(m) for m in margins]})
    min_margin = min(min(r["margins"]) for r in runs)
    assert min_margin > 1e-3

    ref = {
        "model": name,
        "weights_dtype": config["torch_dtype"],
        "input_ids": input_ids.tolist(),
        "logprobs": [[f32(x) for x in row] for row in logprobs.tolist()],
        "loss": loss.item(),
        "greedy": runs,
        "min_margin": min_margin,
        "torch_float32": f32_dev,
    }
    os.makedirs(REF_DIR, exist_ok=True)
    with open(os.path.join(REF_DIR, f"{name}.json"), "w") as f:
        json.dump(ref, f)
        f.write("\n")
    grads_path = os.path.join(REF_DIR, f"{name}.grads.safetensors")
    save_file(grads, grads_path)
    assert load_file(grads_path)[0].keys() == weights.keys()
    return {"model": name, "params": sum(w.numel() for w in weights.values()), "loss": ref["loss"],
            "min_margin": min_margin, **f32_dev}


def dir_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))


def main() -> None:
    torch.manual_seed(0)  # module construction draws default inits (overwritten by init_weights)
    qwen2 = CausalLM(QWEN2_CONFIG)
    init_weights(qwen2, seed=0)
    llama = CausalLM(LLAMA_CONFIG)
    init_weights(llama, seed=1)
    qwen2_w = {n: p.detach().clone() for n, p in qwen2.state_dict().items()}
    llama_w = {n: p.detach().clone() for n, p in llama.state_dict().items()}

    # (name, config, weights as stored, sharded)
    variants = [("tiny-qwen2", QWEN2_CONFIG, qwen2_w, False),
                ("tiny-llama", LLAMA_CONFIG, llama_w, True)]
    for dtype in ("bfloat16", "float16"):
        suffix = {"bfloat16": "bf16", "float16": "f16"}[dtype]
        variants.append((f"tiny-qwen2-{suffix}", {**QWEN2_CONFIG, "torch_dtype": dtype},
                         {n: w.to(TORCH_DTYPES[dtype]) for n, w in qwen2_w.items()}, False))

    rows = []
    for name, config, weights, sharded in variants:
        model_dir = os.path.join(MODELS_DIR, name)
        write_model_dir(model_dir, config, weights, sharded)
        row = reference(name, config, weights)
        row["model_kb"] = dir_size(model_dir) / 1024
        row["ref_kb"] = os.path.getsize(os.path.join(REF_DIR, f"{name}.json")) / 1024
        row["grads_kb"] = os.path.getsize(os.path.join(REF_DIR, f"{name}.grads.safetensors")) / 1024
        rows.append(row)

    print(f"{'model':<16} {'params':>7} {'loss':>8} {'min_margin':>10} {'f32 dlogp':>9} "
          f"{'f32 dgrad':>9} {'model KB':>8} {'ref KB':>6} {'grads KB':>8}")
    for r in rows:
        print(f"{r['model']:<16} {r['params']:>7} {r['loss']:>8.4f} {r['min_margin']:>10.4f} "
              f"{r['logprobs_max_abs_diff']:>9.2e} {r['grads_max_abs_diff']:>9.2e} "
              f"{r['model_kb']:>8.1f} {r['ref_kb']:>6.1f} {r['grads_kb']:>8.1f}")


if __name__ == "__main__":
    main()
