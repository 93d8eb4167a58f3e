"""The on-disk index as readers see it: its types, its manifest, loading the active version.

Layout of `index_dir`: one folder per built version and a `CURRENT` file naming the active
one (index.py builds them). A version holds `manifest.json`, `chunks.json`, and per language
its vectors (`vectors-<set>.npy`), FAISS index (`dense-<set>.faiss`), BM25 index
(`lexical-<lang>/`) and lexicon (`lexicon-<lang>.json`); a vector set is a language's chunks
embedded by its own model (`en`) or, for cross-language search, by another's (`en-by-hu`).
"""

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np

from knowledge_base.chunking import Chunk
from knowledge_base.embedding import Embedder, identity
from knowledge_base.lexicon import Lexicon

FORMAT_VERSION = 2


CURRENT = "CURRENT"


LEXICON_STEPS = frozenset({"restore", "typos", "compounds"})


class KBIndexError(Exception):
    """Base of the index problems; the message says what to do."""


class IndexMissing(KBIndexError):
    pass


class IndexCorrupt(KBIndexError):
    pass


class IndexMismatch(KBIndexError):
    pass


@dataclass(frozen=True)
class Manifest:
    format_version: int
    built_at: str
    chunk_count: int
    index_type: str
    max_chunk_words: int
    # language -> {"model", "dimension", "query_prefix", "passage_prefix" (see
    # embedding.identity), "chunks", "cross": {query language: that language's identity}}
    languages: dict[str, dict[str, Any]]
    articles: dict[str, dict[str, Any]]  # id -> {"hash", "lang", "chunks"}
    lexicon_steps: list[str] = field(default_factory=lambda: sorted(LEXICON_STEPS))


@dataclass
class VectorSet:
    """One language's chunks embedded by one model, with their FAISS index."""

    vectors: np.ndarray
    dense: Any  # faiss.Index

    @cached_property
    def background(self) -> float:
        """Mean cosine between two of these chunks: what "unrelated" scores with this model.

        Models differ a lot here (MiniLM about 0.2 between English chunks, 0.5 between
        Hungarian ones; e5 about 0.75 for both), so search measures cosine above this level.
        """
        centroid = self.vectors.mean(axis=0)
        return float(np.clip(centroid @ centroid, 0.0, 0.95))


@dataclass
class LanguageIndex:
    chunks: list[Chunk]
    own: VectorSet  # embedded with this language's model
    lexical: bm25s.BM25
    lexicon: Lexicon
    cross: dict[str, VectorSet] = field(default_factory=dict)  # by another language's model

    @property
    def vectors(self) -> np.ndarray:
        return self.own.vectors


@dataclass
class LoadedIndex:
    version: str
    manifest: Manifest
    languages: dict[str, LanguageIndex] = field(default_factory=dict)


def chunk_words(chunk: Chunk) -> str:
    """The text of a chunk that its lexicon and BM25 see."""
    return f"{chunk.title}\n{' '.join(chunk.heading_path)}\n{chunk.text}"


def current_version(index_dir: Path) -> str | None:
    try:
        return (index_dir / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def chunk_dict(chunk: Chunk) -> dict[str, Any]:
    data = asdict(chunk)
    data["heading_path"] = list(chunk.heading_path)
    return data


def _chunk_from(data: dict[str, Any]) -> Chunk:
    return Chunk(**{**data, "heading_path": tuple(data["heading_path"])})


def model_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry.get(k) for k in ("model", "dimension", "query_prefix", "passage_prefix")}


def _check_models(manifest: Manifest, embedders: dict[str, Embedder] | None, folder: Path) -> None:
    if embedders is None:
        return
    for language, entry in manifest.languages.items():
        embedder = embedders.get(language)
        if embedder is not None and model_entry(entry) != identity(embedder):
            raise IndexMismatch(
                f"the {language} part of {folder} was built with {entry.get('model')} "
                f"(prefixes {entry.get('query_prefix')!r}/{entry.get('passage_prefix')!r}) "
                f"but this process embeds {language} with {embedder.name} (prefixes "
                f"{embedder.query_prefix!r}/{embedder.passage_prefix!r}): run "
                "`supportbot kb index`, which embeds that language again"
            )


def _vector_set(folder: Path, name: str, rows: int, dimension: int) -> VectorSet:
    vectors = np.load(folder / f"vectors-{name}.npy")
    if vectors.shape != (rows, dimension):
        raise IndexCorrupt(f"the index {folder} does not match its manifest ({name}): rebuild it")
    return VectorSet(vectors=vectors, dense=faiss.read_index(str(folder / f"dense-{name}.faiss")))


def load_index(index_dir: Path, embedders: dict[str, Embedder] | None = None) -> LoadedIndex:
    """The active index; with `embedders`, refuses a language built with another model."""
    version = current_version(index_dir)
    if version is None:
        raise IndexMissing(f"no knowledge-base index in {index_dir}: run `supportbot kb index`")
    folder = index_dir / version
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("format_version") != FORMAT_VERSION:
            # An index of an older release: a build makes a new one (no --full needed).
            raise IndexMismatch(
                f"index format {data.get('format_version')} is not {FORMAT_VERSION}: "
                "run `supportbot kb index`"
            )
        manifest = Manifest(**data)
    except KBIndexError:
        raise
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexCorrupt(
            f"the index {folder} is incomplete or damaged ({exc}): rebuild it with "
            "`supportbot kb index --full`"
        ) from exc
    _check_models(manifest, embedders, folder)
    loaded = LoadedIndex(version=version, manifest=manifest)
    try:
        chunks = [_chunk_from(c) for c in json.loads((folder / "chunks.json").read_text())]
        if len(chunks) != manifest.chunk_count:
            raise IndexCorrupt(f"the index {folder} does not match its manifest: rebuild it")
        for language, entry in sorted(manifest.languages.items()):
            mine = [c for c in chunks if c.lang == language]
            lexicon = Lexicon.from_json(
                json.loads((folder / f"lexicon-{language}.json").read_text(encoding="utf-8"))
            )
            loaded.languages[language] = LanguageIndex(
                chunks=mine,
                own=_vector_set(folder, language, len(mine), int(entry["dimension"])),
                lexical=bm25s.BM25.load(str(folder / f"lexical-{language}")),
                lexicon=lexicon,
                cross={
                    query_language: _vector_set(
                        folder,
                        f"{language}-by-{query_language}",
                        len(mine),
                        int(model["dimension"]),
                    )
                    for query_language, model in entry.get("cross", {}).items()
                },
            )
    except KBIndexError:
        raise
    except (OSError, RuntimeError, ValueError, TypeError, KeyError) as exc:
        raise IndexCorrupt(
            f"the index {folder} is incomplete or damaged ({exc}): rebuild it with "
            "`supportbot kb index --full`"
        ) from exc
    return loaded


def read_manifest(index_dir: Path) -> Manifest | None:
    """The current version's manifest, or None when there is none that this code reads."""
    version = current_version(index_dir)
    if version is None:
        return None
    try:
        data = json.loads((index_dir / version / "manifest.json").read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    return manifest if manifest.format_version == FORMAT_VERSION else None
