"""The on-disk index: per language a FAISS index and a BM25 index, plus a manifest.

Layout of `index_dir`: one folder per built version and a `CURRENT` file naming the active
one. A build writes a new folder completely, then replaces `CURRENT` atomically, so readers
see either the old index or the new one, never half of one; a failed build leaves `CURRENT`
alone. Builds are incremental: chunks of articles whose content hash did not change keep
their vectors, so only edited articles are embedded again.
"""

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np

from knowledge_base.articles import Article
from knowledge_base.chunking import Chunk, chunk_article
from knowledge_base.embedding import Embedder
from knowledge_base.text import analyze

FORMAT_VERSION = 1
CURRENT = "CURRENT"
_KEEP_VERSIONS = 3


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
    model_name: str
    dimension: int
    built_at: str
    chunk_count: int
    index_type: str
    max_chunk_words: int
    articles: dict[str, dict[str, Any]]  # id -> {"hash", "lang", "chunks"}


@dataclass
class LanguageIndex:
    chunks: list[Chunk]
    vectors: np.ndarray
    dense: Any  # faiss.Index
    lexical: bm25s.BM25

    @cached_property
    def background(self) -> float:
        """Mean cosine between two chunks of this language: what "unrelated" scores.

        An English-trained model finds all Hungarian text alike (about 0.5 against 0.2 for
        English), so search measures cosine above this level to keep one threshold for both.
        """
        centroid = self.vectors.mean(axis=0)
        return float(np.clip(centroid @ centroid, 0.0, 0.95))


@dataclass
class LoadedIndex:
    version: str
    manifest: Manifest
    languages: dict[str, LanguageIndex] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildReport:
    version: str
    chunk_count: int
    embedded: int
    reused: int
    seconds: float


def _lexical_terms(chunk: Chunk) -> list[str]:
    return analyze(f"{chunk.title}\n{' '.join(chunk.heading_path)}\n{chunk.text}", chunk.lang)


def _dense_index(vectors: np.ndarray, index_type: str) -> Any:
    dimension = vectors.shape[1]
    index: Any
    if index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    else:
        index = faiss.IndexFlatIP(dimension)
    index.add(vectors)
    return index


def _lexical_index(chunks: Sequence[Chunk]) -> bm25s.BM25:
    lexical = bm25s.BM25(k1=1.2, b=0.75)
    # An empty document would make BM25's length normalisation divide by zero.
    lexical.index([_lexical_terms(c) or ["\u2205"] for c in chunks], show_progress=False)
    return lexical


def current_version(index_dir: Path) -> str | None:
    try:
        return (index_dir / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _chunk_dict(chunk: Chunk) -> dict[str, Any]:
    data = asdict(chunk)
    data["heading_path"] = list(chunk.heading_path)
    return data


def _chunk_from(data: dict[str, Any]) -> Chunk:
    return Chunk(**{**data, "heading_path": tuple(data["heading_path"])})


def load_index(index_dir: Path, embedder: Embedder | None = None) -> LoadedIndex:
    """The active index; with `embedder`, refuses one built with another model."""
    version = current_version(index_dir)
    if version is None:
        raise IndexMissing(f"no knowledge-base index in {index_dir}: run `supportbot kb index`")
    folder = index_dir / version
    try:
        manifest = Manifest(**json.loads((folder / "manifest.json").read_text(encoding="utf-8")))
        chunks = [_chunk_from(c) for c in json.loads((folder / "chunks.json").read_text())]
        vectors = np.load(folder / "vectors.npy")
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexCorrupt(
            f"the index {folder} is incomplete or damaged ({exc}): rebuild it with "
            "`supportbot kb index --full`"
        ) from exc
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatch(f"index format {manifest.format_version} is not {FORMAT_VERSION}")
    if embedder is not None and (
        manifest.model_name != embedder.name or manifest.dimension != embedder.dimension
    ):
        raise IndexMismatch(
            f"the index was built with {manifest.model_name} ({manifest.dimension} dimensions) "
            f"but this process embeds with {embedder.name} ({embedder.dimension} dimensions): "
            "rebuild it with `supportbot kb index --full`"
        )
    if len(chunks) != manifest.chunk_count or vectors.shape != (len(chunks), manifest.dimension):
        raise IndexCorrupt(f"the index {folder} does not match its manifest: rebuild it")
    loaded = LoadedIndex(version=version, manifest=manifest)
    for language in sorted({c.lang for c in chunks}):
        rows = [i for i, c in enumerate(chunks) if c.lang == language]
        try:
            dense = faiss.read_index(str(folder / f"dense-{language}.faiss"))
            lexical = bm25s.BM25.load(str(folder / f"lexical-{language}"))
        except (OSError, RuntimeError, ValueError) as exc:
            raise IndexCorrupt(f"the index {folder} is missing its {language} part: {exc}") from exc
        loaded.languages[language] = LanguageIndex(
            chunks=[chunks[i] for i in rows], vectors=vectors[rows], dense=dense, lexical=lexical
        )
    return loaded


def build_index(
    *,
    articles: Sequence[Article],
    embedder: Embedder,
    index_dir: Path,
    index_type: str = "auto",
    hnsw_min_chunks: int = 50_000,
    max_chunk_words: int = 120,
    full: bool = False,
    progress: Callable[[int, int], None] | None = None,
    chunker: Callable[[Article], list[Chunk]] | None = None,
) -> BuildReport:
    """Build a new version from `articles` and make it the current one."""
    started = time.perf_counter()
    if not articles:
        raise ValueError("no valid articles to index")
    previous: LoadedIndex | None = None
    if not full:
        try:
            previous = load_index(index_dir, embedder)
        except KBIndexError:
            previous = None  # nothing to reuse: embed everything
    if previous is not None and previous.manifest.max_chunk_words != max_chunk_words:
        previous = None
    reusable: dict[str, list[tuple[Chunk, np.ndarray | None]]] = {}
    if previous is not None:
        for language_index in previous.languages.values():
            for chunk, vector in zip(language_index.chunks, language_index.vectors, strict=True):
                reusable.setdefault(chunk.article_id, []).append((chunk, vector))

    chunks: list[Chunk] = []
    vectors: list[np.ndarray | None] = []
    to_embed: list[int] = []
    article_entries: dict[str, dict[str, Any]] = {}
    for article in articles:
        old = previous.manifest.articles.get(article.id) if previous else None
        if old is not None and old["hash"] == article.content_hash and article.id in reusable:
            pairs = reusable[article.id]
        else:
            fresh = (chunker or partial(chunk_article, max_words=max_chunk_words))(article)
            pairs = [(chunk, None) for chunk in fresh]
        for chunk, vector in pairs:
            if vector is None:
                to_embed.append(len(chunks))
            chunks.append(chunk)
            vectors.append(vector)
        article_entries[article.id] = {
            "hash": article.content_hash,
            "lang": article.lang,
            "chunks": len(pairs),
        }

    # Longest first, so each batch holds texts of about one length: padding is wasted work.
    to_embed.sort(key=lambda row: -len(chunks[row].embedding_text()))
    batch = 256
    for start in range(0, len(to_embed), batch):
        rows = to_embed[start : start + batch]
        embedded = embedder.embed([chunks[i].embedding_text() for i in rows])
        for row, vector in zip(rows, embedded, strict=True):
            vectors[row] = vector
        if progress:
            progress(min(start + batch, len(to_embed)), len(to_embed))
    matrix = np.vstack([v for v in vectors if v is not None]).astype(np.float32)

    kind = index_type
    if kind == "auto":
        kind = "hnsw" if len(chunks) >= hnsw_min_chunks else "flat"
    version = f"v{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    index_dir.mkdir(parents=True, exist_ok=True)
    building = index_dir / f".building-{version}"
    building.mkdir()
    try:
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model_name=embedder.name,
            dimension=int(matrix.shape[1]),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            chunk_count=len(chunks),
            index_type=kind,
            max_chunk_words=max_chunk_words,
            articles=article_entries,
        )
        (building / "chunks.json").write_text(json.dumps([_chunk_dict(c) for c in chunks]))
        np.save(building / "vectors.npy", matrix)
        for language in sorted({c.lang for c in chunks}):
            rows = [i for i, c in enumerate(chunks) if c.lang == language]
            faiss.write_index(
                _dense_index(matrix[rows], kind), str(building / f"dense-{language}.faiss")
            )
            _lexical_index([chunks[i] for i in rows]).save(str(building / f"lexical-{language}"))
        # The manifest goes last: a folder without one is never a finished version.
        (building / "manifest.json").write_text(json.dumps(asdict(manifest), indent=1))
        building.rename(index_dir / version)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    pointer = index_dir / f".{CURRENT}.{version}"
    pointer.write_text(version, encoding="utf-8")
    os.replace(pointer, index_dir / CURRENT)
    _prune(index_dir, keep=version)
    return BuildReport(
        version=version,
        chunk_count=len(chunks),
        embedded=len(to_embed),
        reused=len(chunks) - len(to_embed),
        seconds=time.perf_counter() - started,
    )


def _prune(index_dir: Path, *, keep: str) -> None:
    """Drop old versions (keeping a few for processes still reading them)."""
    versions = sorted(p for p in index_dir.glob("v*") if p.is_dir() and p.name != keep)
    for old in versions[: max(0, len(versions) - (_KEEP_VERSIONS - 1))]:
        shutil.rmtree(old, ignore_errors=True)
