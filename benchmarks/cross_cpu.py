"""Cross-CPU check of the ONNX encoder: the same texts embedded on this CPU and on an emulated CPU without VNNI.

ONNX Runtime multiplies uint8 activations by int8 weights with the CPU's best instructions. With AVX-512 VNNI (or
AVX-VNNI) the products are summed in 32 bits; on AVX2 (and AVX-512 without VNNI) each two adjacent products are first
added in 16 bits, saturating. Full 8-bit weights can overflow there, so the same build gave other vectors on another
CPU; the shipped build uses 7-bit weights (``embedding_onnx``), which cannot. This script checks that on a real
instruction path: it embeds a fixed sample (the openings of MultiHop-RAG reports, cut to the 256 word pieces a chunk
has, and dev questions) with the shipped encoder on this CPU, then again in a child process under
``qemu-x86_64 -cpu Haswell`` (user-mode emulation of an AVX2 CPU: QEMU 7.2 emulates no AVX-512 at all, so ONNX
Runtime takes its AVX2 path), and compares the vectors. ``--recipe both`` also builds the full 8-bit encoder (the
recipe before build format 2) in a temporary folder and compares it the same way, in the same run.

The float steps between the integer products (attention, softmax, layer norm, GELU) use other vector code on the
two CPUs and differ in the last bits; the next layer's quantization can round those differently, so vectors agree
closely but are not bit-identical on either build. What the 7-bit build removes is the overflow.

Needs Debian's qemu-user (``apt-get install qemu-user``; not installed by ``make``: only this check uses it) on an
x86-64 machine, and the data at ../shared/data/multihop-rag. Emulation is slow: here about 6 s per report opening and
0.4 s per question, so the default sample (16 + 16 texts) takes about 2 minutes per recipe.

    python benchmarks/cross_cpu.py                      # the shipped 7-bit build
    python benchmarks/cross_cpu.py --recipe both        # and the 8-bit build, compared in the same run
    python benchmarks/cross_cpu.py --reports 40 --questions 40
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CORPUS, PY, dev_questions, require, write_results  # noqa: E402

QEMU = "qemu-x86_64"
HEAD_CHARS = 1500  # a report's opening: longer than 256 word pieces, so the tokenizer cuts it like a full chunk


def sample(reports: int, questions: int) -> dict[str, list[str]]:
    """Every n-th report's opening and every n-th dev question: the same texts on every run."""
    corpus = json.loads(require(CORPUS).read_text())
    qs = dev_questions()
    step_r, step_q = max(1, len(corpus) // max(reports, 1)), max(1, len(qs) // max(questions, 1))
    return {"report openings": [a["body"][:HEAD_CHARS] for a in corpus[::step_r][:reports]],
            "questions": [q["query"] for q in qs[::step_q][:questions]]}


def embedder(cache_dir: str):
    from assistant.embedding import MiniLMEmbedder

    return MiniLMEmbedder(backend="onnx", threads=1, cache_dir=cache_dir)


def child(args) -> None:
    """Embed the texts of a JSON list with the build in ``--cache-dir``; save the vectors (meant to run under qemu)."""
    texts = json.loads(Path(args.child[0]).read_text())
    np.save(args.child[1], embedder(args.cache_dir).embed_batch(texts))


def compare(a: np.ndarray, b: np.ndarray) -> dict:
    a, b = a.astype(np.float64), b.astype(np.float64)
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    return {"texts": len(a), "cosine_min": round(float(cos.min()), 5), "cosine_median": round(float(np.median(cos)), 5),
            "one_minus_cosine_mean": float(f"{float((1 - cos).mean()):.3g}"),
            "max_abs_diff": float(f"{float(np.abs(a - b).max()):.3g}"),
            "identical": int((np.abs(a - b).max(axis=1) == 0).sum())}


def run_recipe(name: str, cache_dir: str, texts: dict[str, list[str]], cpu: str, work: Path) -> dict:
    native = embedder(cache_dir)  # builds the model natively first, so the emulated child only loads it
    out = {}
    for kind, items in texts.items():
        here = native.embed_batch(items)
        src, dst = work / f"{name}-{kind[0]}.json", work / f"{name}-{kind[0]}.npy"
        src.write_text(json.dumps(items))
        t = time.perf_counter()
        cmd = [QEMU, "-cpu", cpu, PY, __file__, "--child", str(src), str(dst), "--cache-dir", cache_dir]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            errors = [ln for ln in proc.stderr.splitlines() if "TCG doesn't support" not in ln]
            sys.exit(f"error: the emulated run failed ({proc.returncode}):\n" + "\n".join(errors[-20:]))
        res = compare(here, np.load(dst))
        res["emulated_seconds"] = round(time.perf_counter() - t, 1)
        out[kind] = res
        print(f"  {name:<7} {kind:<16} {res['texts']:>5} {res['cosine_min']:>10.5f} {res['cosine_median']:>10.5f} "
              f"{res['one_minus_cosine_mean']:>12.3g} {res['max_abs_diff']:>10.3g} {res['identical']:>9}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipe", choices=("7bit", "both"), default="7bit",
                    help="7bit: the shipped build; both: also the full 8-bit build, in the same run")
    ap.add_argument("--reports", type=int, default=16, help="report openings embedded (default 16)")
    ap.add_argument("--questions", type=int, default=16, help="dev questions embedded (default 16)")
    ap.add_argument("--cpu", default="Haswell", help="the CPU model qemu emulates (default Haswell: AVX2, no VNNI)")
    ap.add_argument("--child", nargs=2, metavar=("TEXTS_JSON", "OUT_NPY"), help=argparse.SUPPRESS)
    ap.add_argument("--cache-dir", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    if platform.machine() != "x86_64":
        sys.exit(f"error: this check compares x86-64 instruction paths; this machine is {platform.machine()}")
    if shutil.which(QEMU) is None:
        sys.exit(f"error: {QEMU} is not installed; install Debian's qemu-user (apt-get install qemu-user) and rerun")
    texts = sample(args.reports, args.questions)
    from assistant.embedding import packaged_model_path
    from assistant.embedding_onnx import build, default_cache_dir, model_file

    print(f"{QEMU} -cpu {args.cpu} against this CPU; cosine of each text's two vectors")
    print(f"  {'build':<7} {'texts':<16} {'n':>5} {'min':>10} {'median':>10} {'mean 1-cos':>12} {'max |diff|':>10} "
          f"{'identical':>9}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="cross-cpu-") as tmp:
        work = Path(tmp)
        results["7-bit (shipped)"] = run_recipe("7-bit", str(default_cache_dir()), texts, args.cpu, work)
        if args.recipe == "both":
            old = work / "8bit-cache"
            model = Path(packaged_model_path())
            build(model, model_file(model, old), reduce_range=False)
            results["8-bit (before build format 2)"] = run_recipe("8-bit", str(old), texts, args.cpu, work)
    write_results("cross_cpu", {"emulated_cpu": args.cpu, "reports": args.reports, "questions": args.questions,
                                "results": results})


if __name__ == "__main__":
    main()
