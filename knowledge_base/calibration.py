"""Per-language decision thresholds, chosen on development questions and kept in a file.

A threshold means something only for the model that produced the scores: e5's cosines sit in
a narrow band near 0.9, MiniLM's spread from 0 to 1. So each entry records the model (and its
prefixes) it was measured with; a language whose model has changed since falls back to the
global `KB_ANSWER_THRESHOLD` / `KB_CHOICE_MARGIN` with a warning, until `supportbot bench
retrieval --calibrate DEV.csv --write-calibration` measures it again. Explicit settings
(`KB_ANSWER_THRESHOLD_HU`, ...) win over the file.
"""

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from knowledge_base.embedding import Embedder
from knowledge_base.search import Calibration, SearchConfig
from knowledge_base.settings import KBSettings
from knowledge_base.text import LANGUAGES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalibrationEntry:
    model: str
    query_prefix: str
    passage_prefix: str
    answer_threshold: float
    choice_margin: float
    measured_on: str  # the development set, for the record
    date: str
    agreed_threshold: float | None = None
    margin_weight: float = 0.0

    def fits(self, embedder: Embedder) -> bool:
        return (self.model, self.query_prefix, self.passage_prefix) == (
            embedder.name,
            embedder.query_prefix,
            embedder.passage_prefix,
        )


def read_calibrations(path: Path) -> dict[str, CalibrationEntry]:
    """The file's entries by language; a missing file has none, a broken one is an error."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a calibration file ({exc})") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected an object of languages")
    entries = {}
    for language, entry in raw.items():
        if language not in LANGUAGES:
            raise ValueError(f"{path}: unknown language {language!r}")
        try:
            found = CalibrationEntry(**entry)
            Calibration(
                found.answer_threshold,
                found.choice_margin,
                found.agreed_threshold,
                found.margin_weight,
            )
            entries[language] = found
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: the {language} entry is invalid ({exc})") from exc
    return entries


def write_calibration(path: Path, language: str, entry: CalibrationEntry) -> None:
    """Replace `language`'s entry, keeping the others; atomic, like the index."""
    entries = read_calibrations(path)
    entries[language] = entry
    data = {lang: asdict(entries[lang]) for lang in sorted(entries)}
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def calibrations(settings: KBSettings, embedders: Mapping[str, Embedder]) -> dict[str, Calibration]:
    """Each language's decision: its settings, else its file entry when the model matches."""
    entries = read_calibrations(settings.calibration_file)
    chosen: dict[str, Calibration] = {}
    for language, embedder in embedders.items():
        threshold = getattr(settings, f"answer_threshold_{language}", None)
        margin = getattr(settings, f"choice_margin_{language}", None)
        entry = entries.get(language)
        if entry is not None and not entry.fits(embedder):
            log.warning(
                "the %s calibration in %s was measured with %s, not %s: using the global "
                "threshold until `supportbot bench retrieval --calibrate ... "
                "--write-calibration` measures it again",
                language,
                settings.calibration_file,
                entry.model,
                embedder.name,
            )
            entry = None
        if threshold is None:
            threshold = entry.answer_threshold if entry else settings.answer_threshold
        if margin is None:
            margin = entry.choice_margin if entry else settings.choice_margin
        agreed = entry.agreed_threshold if entry else None
        chosen[language] = Calibration(
            answer_threshold=threshold,
            choice_margin=margin,
            # An explicit, lower KB_ANSWER_THRESHOLD_.. must not be undercut by the file.
            agreed_threshold=None if agreed is None else min(agreed, threshold),
            margin_weight=entry.margin_weight if entry else 0.0,
        )
    return chosen


def search_config(settings: KBSettings, embedders: Mapping[str, Embedder]) -> SearchConfig:
    return SearchConfig(
        fusion=settings.fusion,
        dense_weight=settings.dense_weight,
        lexical_weight=settings.lexical_weight,
        lexical_saturation=settings.lexical_saturation,
        answer_threshold=settings.answer_threshold,
        choice_margin=settings.choice_margin,
        candidates=settings.candidates,
        max_query_chars=settings.max_query_chars,
        chunk_bonus=settings.chunk_bonus,
        context_weight=settings.context_weight,
        calibration=calibrations(settings, embedders),
    )
