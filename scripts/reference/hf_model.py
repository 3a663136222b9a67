"""Qwen2 / Llama causal LM in plain PyTorch, mirroring Hugging Face `modeling_qwen2.py` and
`modeling_llama.py` (eager attention) so that parameter names and numerics match `transformers`.

The model is built from an HF `config.json` dict. Shapes: B batch, T new tokens, P cached tokens,
S = P + T keys, C hidden, H query heads, K key/value heads, D head_dim, F intermediate, V vocab.

Deviations from HF, all in the direction of more precision: RoPE `inv_freq`, cos and sin are
computed in float64 (HF: float32), and RMSNorm / softmax run in the wider of the input dtype and
float32 (HF: always float32, which would truncate a float64 reference; same for f32/bf16/f16).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


def rope_inv_freq(config: dict) -> torch.Tensor:
    """Inverse frequencies [D/2] in float64: 1/theta^(2i/D), then Llama-3 scaling if configured
    (HF `_compute_default_rope_parameters` + `_compute_llama3_parameters`)."""
    dim = config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]
    inv_freq = 1.0 / config["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    scaling = config.get("rope_scaling")
    if scaling is None:
        return inv_freq
    assert scaling.get("rope_type", scaling.get("type")) == "llama3", scaling
    factor = scaling["factor"]
    low_freq_factor, high_freq_factor = scaling["low_freq_factor"], scaling["high_freq_factor"]
    old_context_len = scaling["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    # long wavelengths (low frequencies) are slowed down by `factor`, short ones kept
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    # in between: interpolate smoothly between the two
    smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed = (1 - smooth) * inv_freq_llama / factor + smooth * inv_freq_llama
    is_medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium, smoothed, inv_freq_llama)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """[..., D] -> [-x2, x1] where x1, x2 are the two halves of the last dim."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    """[B, K, S, D] -> [B, K*n_rep, S, D], each KV head copied for its n_rep query heads (GQA)."""
    if n_rep == 1:
        return x
    b, k, s, d = x.shape
    return x[:, :, None, :, :].expand(b, k, n_rep, s, d).reshape(b, k * n_rep, s, d)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [..., C] -> weight * x / sqrt(mean(x^2) + eps)."""
        h = x.to(torch.promote_types(x.dtype, torch.float32))
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


class Attention(nn.Module):
    def __init__(self, config: dict):
        super().__init__()
        c = config["hidden_size"]
        self.n_head = config["num_attention_heads"]
        self.n_kv_head = config["num_key_value_heads"]
        self.head_dim = config.get("head_dim") or c // self.n_head
        # Qwen2 always has q/k/v biases; Llama has them iff attention_bias
        bias = config["model_type"] == "qwen2" or config.get("attention_bias", False)
        self.q_proj = nn.Linear(c, self.n_head * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(c, self.n_kv_head * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(c, self.n_kv_head * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.n_head * self.head_dim, c, bias=False)

    def forward(self, x, cos, sin, mask, past):
        """x [B,T,C], cos/sin [T,D], mask [T,S] additive or None, past (k, v) [B,K,P,D] or None
        -> (out [B,T,C], (k, v) [B,K,S,D])."""
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.n_head, self.head_dim).transpose(1, 2)  # [B,H,T,D]
        k = self.k_proj(x).view(b, t, self.n_kv_head, self.head_dim).transpose(1, 2)  # [B,K,T,D]
        v = self.v_proj(x).view(b, t, self.n_kv_head, self.head_dim).transpose(1, 2)  # [B,K,T,D]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past is not None:  # HF DynamicCache.update: concatenate along the sequence
            k = torch.cat((past[0], k), dim=2)
            v = torch.cat((past[1], v), dim=2)
        n_rep = self.n_head // self.n_kv_head
        att = q @ repeat_kv(k, n_rep).transpose(2, 3) / math.sqrt(self.head_dim)  # [B,H,T,S]
        if mask is not None:
            att = att + mask
        att = F.softmax(att, dim=-1, dtype=torch.promote_types(q.dtype, torch.float32)).to(q.dtype)
        y = att @ repeat_kv(v, n_rep)  # [B,H,T,D]
        y = y.transpose(1, 2).reshape(b, t, self.n_head * self.head_dim)
        return self.o_proj(y), (k, v)


class MLP(nn.Module):
    def __init__(self, config: dict):
        super().__init__()
        c, f = config["hidden_size"], config["intermediate_size"]
        self.gate_proj = nn.Linear(c, f, bias=False)
        self.up_proj = nn.Linear(c, f, bias=False)
        self.down_proj = nn.Linear(f, c, bias=False)

    def forward(self, x):
        """x [B,T,C] -> down(silu(gate(x)) * up(x)) [B,T,C]."""
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, config: dict):
        super().__init__()
        self.self_attn = Attention(config)
        self.mlp = MLP(config)
        self.input_layernorm = RMSNorm(config["hidden_size"], config["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(config["hidden_size"], config["rms_norm_eps"])

    def forward(self, x, cos, sin, mask, past):
        a, kv = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, kv


class Model(nn.Module):
    """HF `Qwen2Model` / `LlamaModel`: embeddings, decoder layers, final norm."""

    def __init__(self, config: dict):
        super().__init__()
        self.embed_tokens = nn.Embedding(config["vocab_size"], config["hidden_size"])
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config["num_hidden_layers"]))
        self.norm = RMSNorm(config["hidden_size"], config["rms_norm_eps"])
        self.register_buffer("inv_freq", rope_inv_freq(config), persistent=False)  # [D/2] f64

    def forward(self, input_ids, cache=None):
        """input_ids [B,T], cache: list per layer of (k, v) [B,K,P,D] or None
        -> (hidden [B,T,C], new cache with S = P + T)."""
        x = self.embed_tokens(input_ids)  # [B,T,C]
        t = input_ids.shape[1]
        p = 0 if cache is None else cache[0][0].shape[2]
        freqs = torch.arange(p, p + t, dtype=torch.float64)[:, None] * self.inv_freq  # [T,D/2]
        emb = torch.cat((freqs, freqs), dim=-1)  # [T,D]
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        # query i (position p+i) sees keys 0..p+i; a single new token needs no mask
        mask = None
        if t > 1:
            mask = torch.full((t, p + t), float("-inf"), dtype=x.dtype).triu(p + 1)  # [T,S]
        new_cache = []
        for i, layer in enumerate(self.layers):
            x, kv = layer(x, cos, sin, mask, None if cache is None else cache[i])
            new_cache.append(kv)
        return self.norm(x), new_cache


class CausalLM(nn.Module):
    """HF `Qwen2ForCausalLM` / `LlamaForCausalLM`. With tied embeddings there is no `lm_head`
    parameter: logits use `model.embed_tokens.weight`, as HF's tied `lm_head.weight` does."""

    def __init__(self, config: dict):
        super().__init__()
        self.config = config
        self.model = Model(config)
        if not config["tie_word_embeddings"]:
            self.lm_head = nn.Linear(config["hidden_size"], config["vocab_size"], bias=False)

    def lm_head_weight(self) -> torch.Tensor:
        """[V,C]"""
        if self.config["tie_word_embeddings"]:
            return self.model.embed_tokens.weight
        return self.lm_head.weight

    def forward(self, input_ids, cache=None, last_only=False):
        """input_ids [B,T] -> (logits [B,T,V] (or [B,1,V] if last_only), cache)."""
        h, cache = self.model(input_ids, cache)
        if last_only:  # HF generate's `logits_to_keep=1`
            h = h[:, -1:]
        return h @ self.lm_head_weight().t(), cache


def next_token_logprobs(model: CausalLM, input_ids: torch.Tensor) -> torch.Tensor:
    """input_ids [B,T] -> log p(ids[:, t+1] | ids[:, :t+1]) [B,T-1]."""
    logits, _ = model(input_ids)
    logp = F.log_softmax(logits[:, :-1], dim=-1)  # [B,T-1,V]
    return logp.gather(-1, input_ids[:, 1:, None]).squeeze(-1)
