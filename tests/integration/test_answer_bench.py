"""`supportbot bench answers`: judging what customers see, and a run through the real bot."""

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.answer_bench import Asked, judge, offered_articles, summarise, table
from bridge.cli import app as cli_app
from knowledge_base.evaluation import Query
from tests.processes import LiveBridge, RasaStack

HELPFUL = '/answer_helpful{"article_id": "%s"}'
CHOOSE = '/choose_article{"article_id": "%s"}'


def buttons(*payloads: str) -> list[dict[str, object]]:
    return [{"type": "buttons", "role": "bot", "text": "…", "buttons": [
        {"title": "x", "payload": p} for p in payloads
    ]}]  # fmt: skip


def test_what_a_reply_offers() -> None:
    assert offered_articles(buttons(HELPFUL % "a", '/answer_not_helpful{"article_id": "a"}')) == (
        "answer",
        ("a",),
    )
    assert offered_articles(buttons(CHOOSE % "a", CHOOSE % "b")) == ("choices", ("a", "b"))
    assert offered_articles(buttons('/request_human{"reason": "no_answer"}')) == ("none", ())
    assert offered_articles([{"type": "message", "role": "bot", "text": "hi"}]) == ("none", ())
    assert offered_articles(buttons("/answer_helpful{not json}")) == ("none", ())


def test_judging_against_the_right_articles() -> None:
    asked = Query("q", frozenset({"a", "b"}), "en")
    outside = Query("q", frozenset(), "en")
    assert judge(asked, buttons(HELPFUL % "b"))[0] == "right"
    assert judge(asked, buttons(HELPFUL % "c"))[0] == "wrong"
    assert judge(asked, buttons(CHOOSE % "c", CHOOSE % "a"))[0] == "choices"
    assert judge(asked, buttons(CHOOSE % "c", CHOOSE % "d"))[0] == "wrong"
    assert judge(asked, [])[0] == "declined"
    assert judge(outside, [])[0] == "declined"
    assert judge(outside, buttons(HELPFUL % "a"))[0] == "wrong"


def test_summary_per_language() -> None:
    def asked(lang: str, gold: set[str], outcome: str, ms: float) -> Asked:
        return Asked(Query("q", frozenset(gold), lang), outcome, (), ms, ())  # type: ignore[arg-type]

    results = [
        asked("en", {"a"}, "right", 100),
        asked("en", {"a"}, "wrong", 300),
        asked("en", set(), "declined", 200),
        asked("hu", {"b"}, "choices", 50),
    ]
    en, hu = summarise(results)
    assert (en.language, en.answerable, en.right, en.wrong, en.out_of_scope) == (
        "en",
        2,
        0.5,
        0.5,
        1,
    )
    assert en.out_of_scope_declined == 1.0 and en.p50_ms == 200
    assert (hu.choices, hu.out_of_scope_declined) == (1.0, 1.0)
    assert "| en | 2 | 50.0% |" in table([en, hu])


@pytest.mark.stack
def test_bench_answers_through_the_real_bot(
    live_bridge: LiveBridge, stack: RasaStack, tmp_path: Path
) -> None:
    questions = tmp_path / "questions.csv"
    rows = [
        ("en", "I forgot my password, how do I reset it?", "password-reset", ""),
        ("en", "what is the capital of Mongolia", "", ""),
        ("hu", "elfelejtettem a jelszavamat", "hu-password-reset", ""),
        (
            "hu",
            "és mikor kapom vissza a pénzt?",
            "hu-refund-timing",
            "visszaküldtem a kenyérpirítót",
        ),
    ]
    with questions.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lang", "question", "gold_ids", "context"])
        writer.writerows(rows)
    details = tmp_path / "details.csv"
    result = CliRunner().invoke(
        cli_app,
        ["bench", "answers", "--questions", str(questions), "--url", live_bridge.url,
         "--details", str(details)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with details.open(encoding="utf-8") as handle:
        outcomes = [r["outcome"] for r in csv.DictReader(handle)]
    assert outcomes == ["right", "declined", "right", "right"], result.output
    assert "| hu | 2 | 100.0% |" in result.output


def test_bench_answers_refuses_a_bad_question_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("lang,question,gold_ids\nde,hallo,\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["bench", "answers", "--questions", str(bad)])
    assert result.exit_code == 2 and "unknown language" in result.output
