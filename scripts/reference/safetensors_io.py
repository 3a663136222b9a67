"""Minimal safetensors reader/writer (F32, F16, BF16), no `safetensors` package needed.

File layout: u64 little-endian header length N, then N bytes of JSON
  {"__metadata__": {"format": "pt"}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
padded with spaces so that N is a multiple of 8, then the raw little-endian tensor bytes;
offsets are relative to the first byte after the header.
"""
import json
import struct

import numpy as np
import torch

# safetensors dtype name -> (torch dtype, little-endian numpy dtype of the same width used for I/O)
DTYPES = {
    "F32": (torch.float32, np.dtype("<f4")),
    "F16": (torch.float16, np.dtype("<f2")),
    "BF16": (torch.bfloat16, np.dtype("<i2")),  # numpy has no bfloat16: move the raw 16-bit words
}
TORCH_TO_NAME = {t: name for name, (t, _) in DTYPES.items()}


def _to_bytes(t: torch.Tensor) -> bytes:
    """Raw little-endian bytes of a contiguous CPU tensor (x86/ARM hosts are little-endian)."""
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def save_file(tensors: dict, path: str, metadata: dict | None = None) -> None:
    """Write `tensors` (name -> torch tensor in F32/F16/BF16) to `path`, sorted by name."""
    header = {"__metadata__": metadata if metadata is not None else {"format": "pt"}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        data = _to_bytes(t)
        header[name] = {"dtype": TORCH_TO_NAME[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for data in blobs:
            f.write(data)


def load_file(path: str) -> tuple[dict, dict]:
    """Read `path` -> (name -> torch tensor in its stored dtype, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    body = memoryview(raw)[8 + n:]
    tensors = {}
    for name, info in header.items():
        torch_dtype, np_dtype = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        arr = np.frombuffer(body[begin:end], dtype=np_dtype).reshape(info["shape"])
        t = torch.from_numpy(arr.astype(np_dtype.newbyteorder("=")))
        tensors[name] = t.view(torch.bfloat16) if torch_dtype == torch.bfloat16 else t
    return tensors, metadata
