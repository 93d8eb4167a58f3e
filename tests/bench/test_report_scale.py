"""The report benchmark at a tiny scale on SQLite: it seeds, times every dashboard report and
formats its tables (the full run is `make bench`)."""

from bench.report_scale import PERIODS, REPORTS, Options, embedding_table, run_sqlite, table
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import KBSettings
from tests.conftest import shared_embedders


def test_the_report_benchmark_runs_at_a_tiny_scale(kb_settings: KBSettings) -> None:
    counts, timings = run_sqlite(
        Options(scale=0.002, runs=1, reports=list(REPORTS)),
        KnowledgeBase(kb_settings, embedders=shared_embedders()),
    )
    assert counts.rows["conversations"] == 300
    assert counts.rows["messages"] > counts.rows["conversations"]
    assert counts.rows["nps_surveys"] > 0 and counts.rows["unanswered_questions"] > 0
    assert len(timings.runs) == len(REPORTS) * len(PERIODS) * 2
    assert all(len(seconds) == 1 for seconds in timings.runs.values())
    # The first unanswered reports embed every question once; the day's new ones again.
    *first, day = [questions for _when, questions, _seconds in timings.embedding]
    assert sum(first) == counts.rows["unanswered_questions"] and day >= 1
    assert table({"SQLite": timings}).count("\n") == 2 + len(timings.runs) - 1
    assert "first report over the year" in embedding_table({"SQLite": timings})
