"""ONNX Runtime encoder for the packaged MiniLM: built once, locally, from the packaged weights; int8 weights.

Building (about 10 s, once per machine and model): the small torch BERT of ``embedding.py`` is exported to ONNX,
then ONNX Runtime's dynamic quantization stores every MatMul weight as int8 with one scale per output channel, in
7 bits (``reduce_range``): CPUs without VNNI add each two adjacent uint8 x int8 products in 16 bits, saturating, and
with full 8-bit weights 0.33% of the layer outputs overflowed there, so the same build gave other vectors (and other
eval figures) on another CPU; with 7-bit weights no pair can overflow and every x86 CPU computes the integer
products exactly (the float steps between them may still differ in the last bits: ``benchmarks/cross_cpu.py``
compares this CPU with an emulated AVX2 one). The file goes to a cache
folder (``ASSISTANT_EMBEDDING__CACHE_DIR``, default ``~/.cache/report-assistant``) under a name that changes with the
model files' contents and the library versions, so a stale build is never used and every install of the same model
and libraries (another checkout, a fresh CI clone) shares one build. Nothing is downloaded.

Running: only ``onnxruntime`` and ``numpy`` (no torch import, which keeps cold starts short). Every text goes
through its own forward pass, so a vector never depends on what else was embedded with it (the same text gives the
same vector at ingest, in a question, alone or under concurrent requests); bulk calls run ``threads`` passes side by
side, each on one core, which measured faster here than one pass spread over two cores.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Sequence

import numpy as np

_BUILD_FORMAT = "2"  # bump when the export or quantization recipe changes (2: 7-bit weights)
_MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json")  # what a build depends on


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "report-assistant"


def _version(pkg: str) -> str:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "none"


def model_file(model_path: Path, cache_dir: Path) -> Path:
    """Where the int8 ONNX build of ``model_path`` lives: keyed on the model files' contents and the library versions."""
    h = hashlib.sha256(_BUILD_FORMAT.encode())
    for name, digest in zip(_MODEL_FILES, _content_hashes([model_path / n for n in _MODEL_FILES], cache_dir)):
        h.update(f"{name}:{digest}|".encode())
    h.update(f"{_version('torch')}|{_version('onnxruntime')}|{_version('onnx')}".encode())
    return cache_dir / f"{model_path.parent.name}-{model_path.name}-int8-{h.hexdigest()[:16]}.onnx"


def _content_hashes(paths: list[Path], cache_dir: Path) -> list[str]:
    """sha256 of each file, remembered in ``cache_dir/file-hashes.json`` by path, size and modification time: the
    90 MB of weights are read once per install (0.4 s), not at every start. A file's size and time alone made each
    install (a new checkout's ``.venv``, a CI clone) build its own copy of the same model."""
    memo_path = cache_dir / "file-hashes.json"
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    memo = memo if isinstance(memo, dict) else {}
    out, changed = [], False
    for path in paths:
        st = path.stat()
        key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        if not isinstance(memo.get(key), str):
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            memo[key], changed = h.hexdigest(), True
        out.append(memo[key])
    if changed:  # forget removed installs; a memo that cannot be written only means hashing again next time
        memo = {k: v for k, v in memo.items() if Path(k.rsplit("|", 2)[0]).exists()}
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=cache_dir, prefix=".hashes-", delete=False) as tmp:
                json.dump(memo, tmp, indent=0)
            os.replace(tmp.name, memo_path)
        except OSError:
            pass
    return out


def build(model_path: Path, target: Path, reduce_range: bool = True) -> Path:
    """Export the torch BERT to ONNX and quantize it to 7-bit int8 weights (atomically: a half-written file is never
    used). ``reduce_range=False`` gives full 8-bit weights, the recipe before build format 2, kept for
    ``benchmarks/cross_cpu.py`` to compare against."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from .embedding import _Bert

    target.parent.mkdir(parents=True, exist_ok=True)
    model = _Bert.load(model_path).eval()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
        plain, quant = Path(tmp) / "model.onnx", Path(tmp) / "model.int8.onnx"
        ids = torch.ones((1, 8), dtype=torch.long)
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic logs advice about optional pre-processing
        try:
            with warnings.catch_warnings():  # torch's notice that this is the TorchScript-based exporter
                warnings.simplefilter("ignore")
                torch.onnx.export(model, (ids, torch.ones_like(ids)), str(plain), input_names=["ids", "mask"],
                                  output_names=["vectors"], opset_version=17, dynamo=False,
                                  dynamic_axes={"ids": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"},
                                                "vectors": {0: "batch"}})
                quantize_dynamic(str(plain), str(quant), per_channel=True, reduce_range=reduce_range,
                                 weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
        os.replace(quant, target)
    return target


class OnnxEncoder:
    """Token ids in, unit vectors out, one text per pass (see the module docstring)."""

    def __init__(self, model_path: Path, cache_dir: Path, threads: int):
        import onnxruntime as ort

        path = model_file(model_path, cache_dir)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        for attempt in (1, 2):
            if not path.exists():
                try:
                    build(model_path, path)
                except OSError as e:
                    raise OSError(
                        f"could not build the ONNX model in {cache_dir} ({e}); set ASSISTANT_EMBEDDING__CACHE_DIR to a "
                        "writable folder, or ASSISTANT_EMBEDDING__BACKEND=int8 to use the torch model") from e
            try:
                self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
                break
            except Exception:  # a damaged file (e.g. the disk filled up while another process built it): rebuild once
                if attempt == 2:
                    raise
                path.unlink(missing_ok=True)
        self._workers = max(1, threads)
        self._pool: ThreadPoolExecutor | None = None
        self.path, self.model_path = path, model_path

    def _one(self, ids: Sequence[int]) -> np.ndarray:
        a = np.asarray([ids], dtype=np.int64)
        return self._session.run(None, {"ids": a, "mask": np.ones_like(a)})[0][0]

    def encode(self, token_ids: list[Sequence[int]], parallel: bool) -> np.ndarray:
        if not parallel or self._workers == 1 or len(token_ids) < 2:
            return np.stack([self._one(ids) for ids in token_ids])
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="embed")
        return np.stack(list(self._pool.map(self._one, token_ids)))
