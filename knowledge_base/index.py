"""Building the on-disk index (index_store.py reads it): per language a FAISS index and a
BM25 index, plus a manifest.

A build writes a new folder completely, then replaces `CURRENT` atomically, so readers
see either the old index or the new one, never half of one; a failed build leaves `CURRENT`
alone. Builds are incremental: chunks of articles whose content hash did not change keep
their vectors, so only edited articles are embedded again, and only while the language's model
(with its prefixes) stays the same: a language whose model changed is embedded anew.

Each language has its own model, vectors, FAISS index, BM25 index and lexicon (the words its
articles use, see lexicon.py). With cross-language search on, a language's chunks are also
embedded with each other language's model, so that a Hungarian question can be compared with
an English article by the multilingual model.
"""

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bm25s
import faiss
import numpy as np

from knowledge_base.articles import Article
from knowledge_base.chunking import Chunk, chunk_article
from knowledge_base.embedding import Embedder, identity
from knowledge_base.index_store import (
    CURRENT,
    FORMAT_VERSION,
    LEXICON_STEPS,
    KBIndexError,
    LoadedIndex,
    Manifest,
    chunk_dict,
    chunk_words,
    load_index,
    model_entry,
    read_manifest,
)
from knowledge_base.lexicon import Lexicon

if TYPE_CHECKING:
    from knowledge_base.settings import KBSettings

_KEEP_VERSIONS = 3


@dataclass(frozen=True)
class IndexOptions:
    """How an index is built (from settings); a build with other options embeds anew."""

    index_type: str = "auto"  # flat, hnsw, or hnsw from hnsw_min_chunks chunks on
    hnsw_min_chunks: int = 50_000
    max_chunk_words: int = 120
    cross_language: bool = False
    lexicon_steps: frozenset[str] = LEXICON_STEPS

    @classmethod
    def from_settings(cls, settings: "KBSettings") -> "IndexOptions":
        return cls(
            index_type=settings.index_type,
            hnsw_min_chunks=settings.hnsw_min_chunks,
            max_chunk_words=settings.max_chunk_words,
            cross_language=settings.cross_language,
            lexicon_steps=settings.lexicon_step_set,
        )


@dataclass(frozen=True)
class BuildReport:
    version: str
    chunk_count: int
    embedded: int
    reused: int
    seconds: float


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


def _lexical_index(chunks: Sequence[Chunk], lexicon: Lexicon) -> bm25s.BM25:
    lexical = bm25s.BM25(k1=1.2, b=0.75)
    # An empty document would make BM25's length normalisation divide by zero.
    documents = [lexicon.terms(chunk_words(c), query=False) or ["\u2205"] for c in chunks]
    lexical.index(documents, show_progress=False)
    return lexical


Reusable = dict[str, dict[str, list[tuple[Chunk, np.ndarray]]]]


def _reusable(previous: LoadedIndex | None, embedders: dict[str, Embedder]) -> Reusable:
    """Per vector set name ("en", "en-by-hu"): article id -> its chunks with their vectors,
    from the previous version, for the sets whose model is still the one in use."""
    found: Reusable = {}
    if previous is None:
        return found
    for language, part in previous.languages.items():
        entry = previous.manifest.languages[language]
        sets = {language: (entry, part.own)}
        for query_language, vector_set in part.cross.items():
            sets[f"{language}-by-{query_language}"] = (
                entry["cross"][query_language],
                vector_set,
            )
        for name, (model, vector_set) in sets.items():
            embedder = embedders.get(name.split("-by-")[-1])
            if embedder is None or model_entry(model) != identity(embedder):
                continue
            per_article = found.setdefault(name, {})
            for chunk, vector in zip(part.chunks, vector_set.vectors, strict=True):
                per_article.setdefault(chunk.article_id, []).append((chunk, vector))
    return found


def _vector_sets(
    languages: Sequence[str], embedders: dict[str, Embedder], cross_language: bool
) -> list[tuple[str, str, Embedder]]:
    """(set name, article language, embedder): each language by its own model, and with
    cross-language search also by each other language's model where that is another one."""
    sets = [(language, language, embedders[language]) for language in languages]
    if cross_language:
        for language in languages:
            for query_language, embedder in sorted(embedders.items()):
                if query_language != language and embedder.name != embedders[language].name:
                    sets.append((f"{language}-by-{query_language}", language, embedder))
    return sets


def build_index(
    *,
    articles: Sequence[Article],
    embedders: dict[str, Embedder],
    index_dir: Path,
    options: IndexOptions = IndexOptions(),
    full: bool = False,
    progress: Callable[[int, int], None] | None = None,
    chunker: Callable[[Article], list[Chunk]] | None = None,
    reuse_from: Path | None = None,
) -> BuildReport:
    """Build a new version from `articles` and make it the current one; vectors of unchanged
    articles are taken from the current version in `reuse_from` (default: `index_dir`)."""
    started = time.perf_counter()
    max_chunk_words, lexicon_steps = options.max_chunk_words, options.lexicon_steps
    if not articles:
        raise ValueError("no valid articles to index")
    languages = sorted({a.lang for a in articles})
    missing = [language for language in languages if language not in embedders]
    if missing:
        raise ValueError(f"no embedding model for {', '.join(missing)}")
    previous: LoadedIndex | None = None
    if not full:
        try:
            previous = load_index(reuse_from or index_dir)
        except KBIndexError:
            previous = None  # nothing to reuse: embed everything
    if previous is not None and previous.manifest.max_chunk_words != max_chunk_words:
        previous = None
    reusable = _reusable(previous, embedders)
    old_chunks: dict[str, list[Chunk]] = {}
    if previous is not None:
        for part in previous.languages.values():
            for chunk in part.chunks:
                old_chunks.setdefault(chunk.article_id, []).append(chunk)

    chunks: dict[str, list[Chunk]] = {language: [] for language in languages}
    unchanged: set[str] = set()
    article_entries: dict[str, dict[str, Any]] = {}
    for article in articles:
        old = previous.manifest.articles.get(article.id) if previous else None
        if old is not None and old["hash"] == article.content_hash and article.id in old_chunks:
            mine = old_chunks[article.id]
            unchanged.add(article.id)
        else:
            mine = (chunker or partial(chunk_article, max_words=max_chunk_words))(article)
        chunks[article.lang].extend(mine)
        article_entries[article.id] = {
            "hash": article.content_hash,
            "lang": article.lang,
            "chunks": len(mine),
        }

    sets = _vector_sets(languages, embedders, options.cross_language)
    vectors: dict[str, list[np.ndarray | None]] = {}
    to_embed: list[tuple[str, int]] = []
    for name, language, _ in sets:
        kept = reusable.get(name, {})
        rows: list[np.ndarray | None] = []
        position: dict[str, int] = {}
        for chunk in chunks[language]:
            pairs = kept.get(chunk.article_id) if chunk.article_id in unchanged else None
            if pairs is not None:
                index = position.get(chunk.article_id, 0)
                position[chunk.article_id] = index + 1
                rows.append(pairs[index][1])
            else:
                to_embed.append((name, len(rows)))
                rows.append(None)
        vectors[name] = rows

    # Longest first, so each batch holds texts of about one length: padding is wasted work.
    set_of = {name: (language, embedder) for name, language, embedder in sets}
    to_embed.sort(key=lambda job: (job[0], -len(chunks[set_of[job[0]][0]][job[1]].text)))
    batch = 256
    done = 0
    for name, language, embedder in sets:
        jobs = [row for job_name, row in to_embed if job_name == name]
        for start in range(0, len(jobs), batch):
            batch_rows = jobs[start : start + batch]
            texts = [chunks[language][row].embedding_text() for row in batch_rows]
            for row, vector in zip(batch_rows, embedder.embed_passages(texts), strict=True):
                vectors[name][row] = vector
            done += len(batch_rows)
            if progress:
                progress(done, len(to_embed))

    kind = options.index_type
    total = sum(len(c) for c in chunks.values())
    if kind == "auto":
        largest = max(len(c) for c in chunks.values())
        kind = "hnsw" if largest >= options.hnsw_min_chunks else "flat"
    version = f"v{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    index_dir.mkdir(parents=True, exist_ok=True)
    building = index_dir / f".building-{version}"
    building.mkdir()
    try:
        language_entries: dict[str, dict[str, Any]] = {}
        for language in languages:
            lexicon = Lexicon.build(
                language, (chunk_words(c) for c in chunks[language]), lexicon_steps
            )
            (building / f"lexicon-{language}.json").write_text(
                json.dumps(lexicon.to_json(), ensure_ascii=False), encoding="utf-8"
            )
            _lexical_index(chunks[language], lexicon).save(str(building / f"lexical-{language}"))
            language_entries[language] = {
                **identity(embedders[language]),
                "chunks": len(chunks[language]),
                "cross": {},
            }
        for name, language, embedder in sets:
            matrix = np.vstack([v for v in vectors[name] if v is not None]).astype(np.float32)
            np.save(building / f"vectors-{name}.npy", matrix)
            faiss.write_index(_dense_index(matrix, kind), str(building / f"dense-{name}.faiss"))
            if name != language:
                query_language = name.split("-by-")[-1]
                language_entries[language]["cross"][query_language] = identity(embedder)
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            chunk_count=total,
            index_type=kind,
            max_chunk_words=max_chunk_words,
            languages=language_entries,
            articles=article_entries,
            lexicon_steps=sorted(lexicon_steps),
        )
        ordered = [c for language in languages for c in chunks[language]]
        (building / "chunks.json").write_text(json.dumps([chunk_dict(c) for c in ordered]))
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
    embedded = len(to_embed)
    return BuildReport(
        version=version,
        chunk_count=total,
        embedded=embedded,
        reused=sum(len(v) for v in vectors.values()) - embedded,
        seconds=time.perf_counter() - started,
    )


def _prune(index_dir: Path, *, keep: str) -> None:
    """Drop old versions (keeping a few for processes still reading them)."""
    versions = sorted(p for p in index_dir.glob("v*") if p.is_dir() and p.name != keep)
    for old in versions[: max(0, len(versions) - (_KEEP_VERSIONS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def is_current(
    index_dir: Path,
    *,
    articles: Sequence[Article],
    embedders: dict[str, Embedder],
    options: IndexOptions,
) -> bool:
    """True when a build would produce what the current version already is: same articles,
    same models and prefixes, same options. Reads only the manifest (no model is loaded)."""
    manifest = read_manifest(index_dir)
    if manifest is None or manifest.max_chunk_words != options.max_chunk_words:
        return False
    if set(manifest.lexicon_steps) != set(options.lexicon_steps):
        return False
    if {a.id: (a.content_hash, a.lang) for a in articles} != {
        article_id: (entry["hash"], entry["lang"])
        for article_id, entry in manifest.articles.items()
    }:
        return False
    languages = sorted({a.lang for a in articles})
    if sorted(manifest.languages) != languages:
        return False

    def same(entry: dict[str, Any], embedder: Embedder) -> bool:
        return (entry.get("model"), entry.get("query_prefix"), entry.get("passage_prefix")) == (
            embedder.name,
            embedder.query_prefix,
            embedder.passage_prefix,
        )

    sets = _vector_sets(languages, embedders, options.cross_language)
    for name, language, embedder in sets:
        entry = manifest.languages[language]
        if name != language:
            entry = entry.get("cross", {}).get(name.split("-by-")[-1], {})
        if not same(entry, embedder):
            return False
    return all(
        len(entry.get("cross", {})) == sum(1 for n, lang, _ in sets if lang == language != n)
        for language, entry in manifest.languages.items()
    )
