"""Per-language decision thresholds: the calibration file (read, written atomically, used only
for the model it was measured with, overridden by explicit settings), the `Calibration` rules
and `decide()`, and choosing a calibration from scored runs (`evaluation.calibrate`), with the
question files it is measured on (`read_queries`)."""

import json
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

import pytest

from knowledge_base.calibration import (
    CalibrationEntry,
    calibrations,
    read_calibrations,
    write_calibration,
)
from knowledge_base.chunking import Chunk
from knowledge_base.embedding import E5_MODEL_NAME, Embedder
from knowledge_base.evaluation import Query, calibrate, read_queries, score
from knowledge_base.search import ArticleHit, Calibration, SearchResult, decide
from knowledge_base.settings import KBSettings
from tests.conftest import shared_embedders

E5 = {"model": E5_MODEL_NAME, "query_prefix": "query: ", "passage_prefix": "passage: "}


@dataclass(frozen=True)
class ModelOf:
    """What `calibrations` compares of an embedder: its name and prefixes (it embeds nothing)."""

    name: str
    query_prefix: str
    passage_prefix: str


def models(**by_language: ModelOf) -> dict[str, Embedder]:
    return cast(dict[str, Embedder], by_language)


def entry(**changes: object) -> CalibrationEntry:
    values: dict[str, object] = {
        **E5,
        "answer_threshold": 0.285,
        "choice_margin": 0.08,
        "measured_on": "dev.csv",
        "date": "2026-12-01",
        "agreed_threshold": 0.225,
        "margin_weight": 0.5,
    }
    values.update(changes)
    return CalibrationEntry(**values)  # type: ignore[arg-type]


def settings_with(path: Path, **values: object) -> KBSettings:
    return KBSettings(
        calibration_file=path,
        answer_threshold=0.33,
        choice_margin=0.03,
        **values,  # type: ignore[arg-type]
    )


E5_MODEL = ModelOf(E5_MODEL_NAME, "query: ", "passage: ")


# --- the file ---------------------------------------------------------------------------------


def test_a_missing_file_has_no_entries(tmp_path: Path) -> None:
    assert read_calibrations(tmp_path / "calibration.json") == {}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not a calibration file"),
        ("[1, 2]", "expected an object"),
        (json.dumps({"de": asdict(entry())}), "unknown language 'de'"),
        (json.dumps({"hu": {**asdict(entry()), "agreed_threshold": 0.5}}), "hu entry"),
        (json.dumps({"hu": {**asdict(entry()), "choice_margin": -0.1}}), "hu entry"),
        (json.dumps({"hu": {"model": "x"}}), "hu entry"),
    ],
)
def test_a_broken_file_is_refused_naming_it(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "calibration.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*" + re.escape(reason)):
        read_calibrations(path)


def test_a_written_entry_reads_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    write_calibration(path, "hu", entry())
    assert read_calibrations(path) == {"hu": entry()}


def test_writing_one_language_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    english = entry(model="sentence-transformers/all-MiniLM-L6-v2", answer_threshold=0.5)
    write_calibration(path, "en", english)
    write_calibration(path, "hu", entry())
    write_calibration(path, "hu", entry(answer_threshold=0.3))
    assert read_calibrations(path) == {"en": english, "hu": entry(answer_threshold=0.3)}


def test_writing_replaces_the_file_instead_of_rewriting_it(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    write_calibration(path, "hu", entry())
    before = path.read_text(encoding="utf-8")
    with path.open(encoding="utf-8") as reader:  # a process reading the old file meanwhile
        write_calibration(path, "hu", entry(answer_threshold=0.3))
        assert reader.read() == before  # it still reads the whole old file
    assert read_calibrations(path)["hu"].answer_threshold == 0.3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calibration.json"]


def test_writing_over_a_broken_file_is_refused_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(str(path))):
        write_calibration(path, "hu", entry())
    assert path.read_text(encoding="utf-8") == "{not json"


# --- choosing each language's calibration -----------------------------------------------------


def test_an_entry_is_used_when_its_model_and_prefixes_match(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    write_calibration(path, "hu", entry())
    chosen = calibrations(settings_with(path), models(hu=E5_MODEL))
    assert chosen == {"hu": Calibration(0.285, 0.08, 0.225, 0.5)}


@pytest.mark.parametrize(
    "model",
    [
        ModelOf("some/other-model", "query: ", "passage: "),
        ModelOf(E5_MODEL_NAME, "passage: ", "passage: "),
        ModelOf(E5_MODEL_NAME, "query: ", "query: "),
    ],
)
def test_another_model_falls_back_to_the_global_threshold_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, model: ModelOf
) -> None:
    path = tmp_path / "calibration.json"
    write_calibration(path, "hu", entry())
    with caplog.at_level(logging.WARNING, logger="knowledge_base.calibration"):
        chosen = calibrations(settings_with(path), models(hu=model))
    assert chosen == {"hu": Calibration(0.33, 0.03, None, 0.0)}
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "hu calibration" in caplog.text and model.name in caplog.text


def test_a_language_without_an_entry_gets_the_global_threshold_silently(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "calibration.json"
    write_calibration(path, "hu", entry())
    english = ModelOf("sentence-transformers/all-MiniLM-L6-v2", "", "")
    with caplog.at_level(logging.WARNING, logger="knowledge_base.calibration"):
        chosen = calibrations(settings_with(path), models(en=english, hu=E5_MODEL))
    assert chosen["en"] == Calibration(0.33, 0.03)
    assert chosen["hu"] == Calibration(0.285, 0.08, 0.225, 0.5)
    assert caplog.records == []


def test_explicit_language_settings_win_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    write_calibration(path, "hu", entry())
    settings = settings_with(path, answer_threshold_hu=0.4, choice_margin_hu=0.01)
    assert calibrations(settings, models(hu=E5_MODEL))["hu"] == Calibration(0.4, 0.01, 0.225, 0.5)


def test_the_files_agreed_threshold_never_undercuts_an_explicit_lower_threshold(
    tmp_path: Path,
) -> None:
    path = tmp_path / "calibration.json"
    write_calibration(path, "hu", entry())
    chosen = calibrations(settings_with(path, answer_threshold_hu=0.2), models(hu=E5_MODEL))
    assert chosen["hu"] == Calibration(0.2, 0.08, 0.2, 0.5)


def test_explicit_settings_apply_when_the_entry_does_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    write_calibration(path, "hu", entry())
    other = ModelOf("some/other-model", "", "")
    chosen = calibrations(settings_with(path, answer_threshold_hu=0.6), models(hu=other))
    assert chosen["hu"] == Calibration(0.6, 0.03, None, 0.0)


def test_the_committed_file_fits_the_bundled_models(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="knowledge_base.calibration"):
        chosen = calibrations(KBSettings(), shared_embedders())
    entries = read_calibrations(KBSettings().calibration_file)
    assert set(entries) == {"en", "hu"} and caplog.records == []
    for language, found in entries.items():
        assert chosen[language].answer_threshold == found.answer_threshold


# --- Calibration and decide() -----------------------------------------------------------------


def hit(article_id: str, score: float) -> ArticleHit:
    chunk = Chunk(f"{article_id}#0", article_id, article_id, f"/kb/{article_id}", "en", (), "")
    return ArticleHit(article_id, article_id, f"/kb/{article_id}", "en", score, score, 0.0, chunk)


def hits(*scores: float) -> list[ArticleHit]:
    return [hit(f"article-{n}", s) for n, s in enumerate(scores)]


@pytest.mark.parametrize(
    "arguments",
    [
        {"answer_threshold": 0.3, "choice_margin": 0.03, "agreed_threshold": 0.4},
        {"answer_threshold": 0.3, "choice_margin": -0.01},
        {"answer_threshold": -0.1, "choice_margin": 0.03},
        {"answer_threshold": 0.3, "choice_margin": 0.03, "agreed_threshold": -0.1},
        {"answer_threshold": 0.3, "choice_margin": 0.03, "margin_weight": -1.0},
    ],
)
def test_an_inconsistent_calibration_is_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Calibration(**arguments)


def test_no_hits_is_no_answer() -> None:
    assert decide([], Calibration(0.0, 0.03)) == "no_answer"
    assert decide([], Calibration(0.3, 0.03, 0.0), legs_agree=True) == "no_answer"


def test_below_the_threshold_is_no_answer() -> None:
    calibration = Calibration(0.33, 0.03)
    assert decide(hits(0.32, 0.1), calibration) == "no_answer"
    assert decide(hits(0.33, 0.1), calibration) == "answer"


def test_a_clear_winner_below_the_plain_threshold_is_answered_with_a_margin_weight() -> None:
    clear, close = hits(0.30, 0.10), hits(0.30, 0.29)
    assert decide(clear, Calibration(0.33, 0.03)) == "no_answer"
    weighted = Calibration(0.33, 0.03, margin_weight=0.5)  # 0.30 + 0.5 * 0.20 = 0.40
    assert weighted.confidence(clear) == pytest.approx(0.40)
    assert decide(clear, weighted) == "answer"
    assert decide(close, weighted) == "no_answer"  # a lead of 0.01 adds too little


def test_a_close_second_above_the_threshold_gives_choices() -> None:
    calibration = Calibration(0.33, 0.03)
    assert decide(hits(0.50, 0.48), calibration) == "choices"
    assert decide(hits(0.50, 0.46), calibration) == "answer"  # far enough behind
    assert decide(hits(0.34, 0.32), calibration) == "answer"  # second below the threshold


def test_agreeing_legs_answer_from_the_agreed_threshold_and_never_offer_choices() -> None:
    calibration = Calibration(0.33, 0.03, agreed_threshold=0.25)
    assert decide(hits(0.28, 0.27), calibration, legs_agree=True) == "answer"
    assert decide(hits(0.28, 0.27), calibration) == "no_answer"
    assert decide(hits(0.50, 0.49), calibration, legs_agree=True) == "answer"
    assert decide(hits(0.50, 0.49), calibration) == "choices"
    assert decide(hits(0.24, 0.1), calibration, legs_agree=True) == "no_answer"


def test_agreeing_legs_change_nothing_without_an_agreed_threshold() -> None:
    calibration = Calibration(0.33, 0.03)
    assert decide(hits(0.28, 0.1), calibration, legs_agree=True) == "no_answer"
    assert decide(hits(0.50, 0.49), calibration, legs_agree=True) == "choices"


# --- calibrate() on runs ----------------------------------------------------------------------

Run = tuple[Query, SearchResult, float]


def run(gold: set[str], *ranked: tuple[str, float], agree: bool = False) -> Run:
    found = tuple(hit(article_id, s) for article_id, s in ranked)
    query = Query(text=f"question about {ranked[0][0]}", gold_ids=frozenset(gold))
    return query, SearchResult(query.text, "en", found, "answer", False, agree), 1.0


def separable_runs() -> list[Run]:
    """Ten answerable questions well above ten out-of-scope ones, and one answerable question
    whose best hit is the wrong article, scored like the out-of-scope ones."""
    right = [run({f"right-{n}"}, (f"right-{n}", 0.8 - n / 100), ("other", 0.3)) for n in range(10)]
    outside = [run(set(), (f"near-{n}", 0.35 - n / 100), ("other", 0.3)) for n in range(10)]
    wrong = [run({"refund-timing"}, ("warranty-claim", 0.32), ("refund-timing", 0.31))]
    return right + outside + wrong


def test_calibrate_answers_the_right_ones_and_declines_the_rest() -> None:
    runs = separable_runs()
    calibration, scores = calibrate(runs)
    decisions = [decide(r.hits, calibration, legs_agree=r.legs_agree) for _, r, _ in runs]
    assert decisions[:10] == ["answer"] * 10
    assert decisions[10:] == ["no_answer"] * 11
    assert scores.answered_correctly == pytest.approx(10 / 11)
    assert scores.wrong == 0.0 and scores.out_of_scope_declined == 1.0


def test_calibrate_reports_the_scores_of_its_calibration() -> None:
    runs = separable_runs()
    calibration, scores = calibrate(runs)
    assert score(runs, decide_with=calibration) == scores
    assert score(runs, decide_with=Calibration(0.0, 0.0)) != scores


def test_calibrate_uses_agreeing_legs_to_answer_lower() -> None:
    """Right answers that both legs agree on score below the out-of-scope questions, with a
    close second (no margin weight lifts them): only an agreed threshold below the answer
    threshold answers them without answering the others."""
    runs = separable_runs()[:20]
    runs += [
        run({f"agreed-{n}"}, (f"agreed-{n}", 0.33), ("other", 0.32), agree=True) for n in range(5)
    ]
    calibration, scores = calibrate(runs)
    assert calibration.agreed_threshold is not None
    assert calibration.agreed_threshold < calibration.answer_threshold
    assert scores.answered_correctly == 1.0 and scores.out_of_scope_declined == 1.0


# --- question files ---------------------------------------------------------------------------


def test_read_queries_accepts_the_short_header(tmp_path: Path) -> None:
    path = tmp_path / "dev.csv"
    path.write_text(
        "query,gold_id\nI forgot my password,password-reset\nwhat is the weather,\n",
        encoding="utf-8",
    )
    assert read_queries(path) == [
        Query("I forgot my password", frozenset({"password-reset"})),
        Query("what is the weather", frozenset()),
    ]


def test_read_queries_accepts_the_long_header(tmp_path: Path) -> None:
    path = tmp_path / "dev.csv"
    path.write_text(
        "lang,question,gold_ids,context\n"
        "hu,mikor kapom vissza a pénzem?,hu-refund-timing|refund-timing,visszaküldtem\n"
        ",and how long does it take?, refund-timing ,I returned my kettle\n",
        encoding="utf-8",
    )
    assert read_queries(path) == [
        Query(
            "mikor kapom vissza a pénzem?",
            frozenset({"hu-refund-timing", "refund-timing"}),
            lang="hu",
            context="visszaküldtem",
        ),
        Query(
            "and how long does it take?",
            frozenset({"refund-timing"}),
            lang="en",
            context="I returned my kettle",
        ),
    ]


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ("en,fine question,a\nde,eine Frage,b\n", ":3: unknown language 'de'"),
        ("en,  ,a\n", ":2: empty question"),
    ],
)
def test_read_queries_names_the_file_and_line_of_a_bad_row(
    tmp_path: Path, rows: str, reason: str
) -> None:
    path = tmp_path / "dev.csv"
    path.write_text("lang,question,gold_ids\n" + rows, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{path}{reason}")):
        read_queries(path)
