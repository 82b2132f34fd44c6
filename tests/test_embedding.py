"""The embedding backends, on the real packaged MiniLM: the default ONNX Runtime int8 build against the float model."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import NUJABA, SEED

from assistant.embedding import MiniLMEmbedder, packaged_model_path
from assistant.embedding_onnx import model_file


@pytest.fixture(scope="module")
def float_model():
    return MiniLMEmbedder(backend="torch")


def _sentences(n: int) -> list[str]:
    text = SEED.read_text()
    parts = [p.strip() for p in text.replace("\n", " ").split(". ") if len(p.split()) > 4]
    return (parts * (n // len(parts) + 1))[:n] if parts else []


def test_onnx_int8_vectors_match_the_float_model(embedder, float_model):
    texts = _sentences(40) + ["Which groups did not suspend attacks?", NUJABA]
    a, b = embedder.embed_batch(texts), float_model.embed_batch(texts)
    assert a.shape == b.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    cos = (a * b).sum(1)
    assert cos.min() > 0.97 and cos.mean() > 0.985, cos
    # what retrieval sees: the same nearest passage for the question as the float model
    q = ["Which militia groups have not announced any suspension of operations against the US?"]
    assert int(np.argmax(embedder.embed_batch(q) @ a.T)) == int(np.argmax(float_model.embed_batch(q) @ b.T))


def test_a_vector_does_not_depend_on_its_batchmates(embedder):
    texts = [f"{s} ({i})" for i, s in enumerate(_sentences(60))]  # more than a small call: the parallel bulk path
    bulk = embedder.embed_batch(texts)
    embedder._cache.clear()
    alone = np.stack([embedder.embed_batch([t])[0] for t in reversed(texts)])[::-1]
    assert np.array_equal(bulk, alone)


def test_the_onnx_build_is_made_once_and_reused(tmp_path):
    cache = tmp_path / "models"
    first = MiniLMEmbedder(cache_dir=str(cache))
    built = list(cache.glob("*.onnx"))
    assert len(built) == 1 and built[0] == first._onnx.path == model_file(first._onnx.model_path, cache)
    stamp = built[0].stat().st_mtime_ns
    second = MiniLMEmbedder(cache_dir=str(cache))
    assert second._onnx.path.stat().st_mtime_ns == stamp
    assert np.array_equal(first.embed_batch(["a question"]), second.embed_batch(["a question"]))
    assert not [p for p in cache.iterdir() if p.name.startswith(".build-")]  # no build leftovers


def test_every_install_of_the_same_model_shares_one_build(tmp_path):
    """The build is keyed on the model files' contents: another install of the same package (new files, new
    modification times, as a second checkout's .venv or a CI clone has) finds the build already made; a changed
    model file does not."""
    src = Path(packaged_model_path())
    other = tmp_path / "site-packages" / src.parent.name / src.name
    shutil.copytree(src, other, copy_function=shutil.copy)  # shutil.copy does not keep the modification times
    assert (other / "model.safetensors").stat().st_mtime_ns != (src / "model.safetensors").stat().st_mtime_ns
    cache = tmp_path / "models"
    assert model_file(other, cache) == model_file(src, cache)
    assert len(json.loads((cache / "file-hashes.json").read_text())) == 6  # both installs' three files remembered
    config = other / "config.json"
    config.write_text(config.read_text().replace('"hidden_act"', '"hidden_act" '))  # same model, other bytes
    assert model_file(other, cache) != model_file(src, cache)


def test_a_damaged_build_is_rebuilt(tmp_path):
    cache = tmp_path / "models"
    good = MiniLMEmbedder(cache_dir=str(cache))
    path = good._onnx.path
    path.write_bytes(path.read_bytes()[:1000])  # truncated, as if a disk filled up mid-copy
    again = MiniLMEmbedder(cache_dir=str(cache))
    assert path.stat().st_size > 1_000_000
    assert np.array_equal(again.embed_batch(["a question"]), good.embed_batch(["a question"]))


def test_an_unusable_cache_dir_names_the_setting(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError, match="ASSISTANT_EMBEDDING__CACHE_DIR"):
        MiniLMEmbedder(cache_dir=str(blocker / "models"))


def test_backends_have_distinct_names_so_a_switch_re_embeds():
    # the name goes into every report's content hash
    names = {MiniLMEmbedder(backend=b).name for b in ("onnx", "int8", "torch")}
    assert names == {"all-MiniLM-L6-v2/onnx-int8r7", "all-MiniLM-L6-v2/int8pc", "all-MiniLM-L6-v2/torch"}


def test_the_onnx_build_gives_the_same_integer_products_on_every_x86_cpu(embedder):
    """Each quantized MatMul multiplies uint8 activations by int8 weights. CPUs without VNNI (AVX2, AVX-512 without
    VNNI) add each two adjacent products in 16 bits, saturating: with full-range int8 weights, 2 x 255 x 127 = 64,770
    overflows, and 0.33% of the layer outputs on MultiHop text were clipped there but not on a VNNI CPU, so the same
    build gave other vectors, and other eval figures, on another machine. With 7-bit weights (ONNX Runtime's
    reduce_range) no pair can exceed 32,767: every CPU computes the integer products exactly."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(embedder._onnx.path))
    consts = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    producers = {o: n.op_type for n in model.graph.node for o in n.output}
    matmuls = [n for n in model.graph.node if n.op_type == "MatMulInteger" and n.input[1] in consts]
    assert len(matmuls) == 36  # 6 layers x (query, key, value, attention output, 2 feed-forward)
    for node in matmuls:
        assert producers[node.input[0]] == "DynamicQuantizeLinear"  # uint8 activations: at most 255
        weights = consts[node.input[1]]
        assert weights.dtype == np.int8
        if len(node.input) > 3 and node.input[3]:
            assert not consts[node.input[3]].any()  # symmetric weights: the kernel multiplies the stored values
        worst_pair = 2 * 255 * int(np.abs(weights.astype(np.int32)).max())
        assert worst_pair <= 32767, (node.name, worst_pair)


_EMBED_CHILD = """
import json, sys
import numpy as np
from assistant.embedding import MiniLMEmbedder
texts = json.load(open(sys.argv[1]))
np.save(sys.argv[2], MiniLMEmbedder(backend="onnx", threads=1, cache_dir=sys.argv[3]).embed_batch(texts))
"""


def _on_emulated_avx2_cpu(texts: list[str], cache_dir: Path, work: Path) -> np.ndarray:
    """The texts' vectors from a child process under ``qemu-x86_64 -cpu Haswell``: an AVX2 CPU without VNNI (QEMU
    emulates no AVX-512), so ONNX Runtime takes its AVX2 int8 path, the one that saturated."""
    import subprocess
    import sys

    src, out = work / "texts.json", work / "vectors.npy"
    src.write_text(json.dumps(texts))
    proc = subprocess.run(["qemu-x86_64", "-cpu", "Haswell", sys.executable, "-c", _EMBED_CHILD, str(src), str(out),
                           str(cache_dir)], capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return np.load(out)


def test_an_avx2_cpu_without_vnni_gives_the_same_vectors(tmp_path):
    """The real check behind the one above: the same texts embedded on this CPU and on an emulated AVX2 CPU.
    The 7-bit build agrees closely (the float steps between the integer products run other vector code there, so
    not always to the last bit); the full 8-bit build, the recipe before, does not, which shows the emulated CPU
    takes the saturating path (if a later QEMU emulated VNNI, this second half would fail and say so; it is checked
    only when this CPU has VNNI, as without it both sides saturate). Runs in CI: ``make test`` installs Debian's
    qemu-user."""
    import platform

    if platform.machine() != "x86_64":
        pytest.skip(f"compares x86-64 instruction paths; this machine is {platform.machine()}")
    if shutil.which("qemu-x86_64") is None:
        pytest.skip("qemu-x86_64 is missing: `make test` installs it (Debian's qemu-user)")
    from assistant.embedding_onnx import build, default_cache_dir

    text = " ".join(SEED.read_text().split())
    long = [text[i: i + 1500] for i in (0, 1500, 3000)]  # chunk-length: the tokenizer cuts each at 256 word pieces
    short = _sentences(4)
    flags = next((ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("flags")), "").split()
    vnni = "avx512_vnni" in flags or "avx_vnni" in flags  # else this CPU saturates too: the 8-bit half proves nothing
    recipes = [("7-bit", default_cache_dir())]
    if vnni:
        model, eight_bit = Path(packaged_model_path()), tmp_path / "8bit"
        build(model, model_file(model, eight_bit), reduce_range=False)
        recipes.append(("8-bit", eight_bit))
    for name, cache in recipes:
        here = MiniLMEmbedder(backend="onnx", threads=1, cache_dir=str(cache))  # builds the 7-bit model if needed
        mine = here.embed_batch(long + short).astype(np.float64)
        work = tmp_path / name
        work.mkdir()
        there = _on_emulated_avx2_cpu(long + short, cache, work).astype(np.float64)
        gap = 1 - (mine * there).sum(1) / np.linalg.norm(mine, axis=1) / np.linalg.norm(there, axis=1)
        if name == "7-bit":  # here 1e-4 to 5e-4 on the long texts, 0 on the sentences
            assert gap[:3].mean() < 1e-3 and gap[3:].mean() < 1e-3, gap
        else:  # here 0.007 to 0.010: only a VNNI CPU sums the 8-bit products without saturating
            assert gap[:3].mean() > 2e-3 and gap[3:].mean() > 2e-3, gap
