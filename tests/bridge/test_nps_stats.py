"""NPS arithmetic, checked against numbers worked out by hand."""

import math

import pytest

from bridge.services.nps_stats import NpsSummary, category, response_rate, summarize


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_category(score: int, expected: str) -> None:
    assert category(score) == expected


@pytest.mark.parametrize("score", [-1, 11, 100, True, False, 9.0, "9", None])
def test_category_rejects_non_scores(score: object) -> None:
    with pytest.raises(ValueError):
        category(score)  # type: ignore[arg-type]


def test_balanced_sample() -> None:
    # n = 6: promoters 10, 9; passives 8, 7; detractors 6, 0.
    # p_P = p_D = 2/6 = 1/3, NPS = (1/3 - 1/3)·100 = 0.
    # Var = (1/3 + 1/3 - 0²)/6 = (2/3)/6 = 1/9, sqrt = 1/3.
    # Half width = 1.96 · 1/3 · 100 = 65.333…, so the interval is [-65.33, 65.33].
    summary = summarize([10, 9, 8, 7, 6, 0])
    assert summary is not None
    assert (summary.responses, summary.promoters, summary.passives, summary.detractors) == (
        6,
        2,
        2,
        2,
    )
    assert summary.nps == pytest.approx(0.0)
    assert summary.ci_low == pytest.approx(-196 / 3)
    assert summary.ci_high == pytest.approx(196 / 3)
    assert summary.n_small


def test_all_promoters_have_a_zero_width_interval() -> None:
    # p_P = 1, p_D = 0: NPS = 100, Var = (1 + 0 - 1²)/3 = 0.
    summary = summarize([9, 10, 10])
    assert summary is not None
    assert (summary.nps, summary.ci_low, summary.ci_high) == (100.0, 100.0, 100.0)


def test_only_passives_score_zero_with_no_spread() -> None:
    # p_P = p_D = 0: NPS = 0, Var = (0 + 0 - 0²)/4 = 0.
    summary = summarize([7, 8, 8, 7])
    assert summary == NpsSummary(
        responses=4, promoters=0, passives=4, detractors=0, nps=0.0, ci_low=0.0, ci_high=0.0
    )


def test_all_detractors() -> None:
    # p_D = 1: NPS = -100, Var = (0 + 1 - (-1)²)/5 = 0.
    summary = summarize([0, 1, 2, 5, 6])
    assert summary is not None
    assert (summary.nps, summary.ci_low, summary.ci_high) == (-100.0, -100.0, -100.0)


def test_single_response() -> None:
    # n = 1, one detractor: NPS = -100, Var = (1 - 1)/1 = 0. The normal approximation
    # claims certainty from one answer, which is why n_small is set.
    summary = summarize([3])
    assert summary is not None
    assert (summary.responses, summary.detractors) == (1, 1)
    assert (summary.nps, summary.ci_low, summary.ci_high) == (-100.0, -100.0, -100.0)
    assert summary.n_small


def test_interval_is_clamped_at_both_ends() -> None:
    # n = 2, one promoter and one detractor: NPS = 0, Var = (0.5 + 0.5 - 0²)/2 = 0.5.
    # Half width = 1.96 · sqrt(0.5) · 100 = 138.59, clamped to [-100, 100].
    summary = summarize([10, 0])
    assert summary is not None
    assert (summary.ci_low, summary.ci_high) == (-100.0, 100.0)


def test_interval_is_clamped_at_the_top_only() -> None:
    # n = 4: three promoters, one detractor. p_P = 0.75, p_D = 0.25, NPS = 50.
    # Var = (0.75 + 0.25 - 0.5²)/4 = 0.75/4 = 0.1875, sqrt = 0.433013.
    # Half width = 1.96 · 0.433013 · 100 = 84.870, so [-34.870, 134.870] -> [-34.870, 100].
    summary = summarize([9, 9, 10, 5])
    assert summary is not None
    assert summary.nps == pytest.approx(50.0)
    assert summary.ci_low == pytest.approx(-34.8705, abs=1e-3)
    assert summary.ci_high == 100.0


def test_larger_sample() -> None:
    # n = 100: 50 promoters, 30 passives, 20 detractors. NPS = 50 - 20 = 30.
    # Var = (0.5 + 0.2 - 0.3²)/100 = (0.7 - 0.09)/100 = 0.0061, sqrt = 0.078102.
    # Half width = 1.96 · 0.078102 · 100 = 15.308, so [14.692, 45.308].
    scores = [10] * 25 + [9] * 25 + [8] * 15 + [7] * 15 + [6] * 10 + [0] * 10
    summary = summarize(iter(scores))  # any iterable, read once
    assert summary is not None
    assert (summary.promoters, summary.passives, summary.detractors) == (50, 30, 20)
    assert summary.nps == pytest.approx(30.0)
    assert summary.ci_low == pytest.approx(30 - 1.96 * math.sqrt(0.0061) * 100)
    assert summary.ci_low == pytest.approx(14.692, abs=1e-3)
    assert summary.ci_high == pytest.approx(45.308, abs=1e-3)
    assert not summary.n_small


def test_small_sample_flag_boundary() -> None:
    small, enough = summarize([9] * 29), summarize([9] * 30)
    assert small is not None and small.n_small
    assert enough is not None and not enough.n_small


def test_no_responses() -> None:
    assert summarize([]) is None
    assert summarize(iter(())) is None


@pytest.mark.parametrize("scores", [[9, 11], [-1], [9, True], [7.5]])
def test_invalid_scores_raise(scores: list[int]) -> None:
    with pytest.raises(ValueError):
        summarize(scores)


@pytest.mark.parametrize(
    ("answered", "asked", "expected"),
    [
        (0, 0, None),
        (0, 10, 0.0),
        (3, 12, 0.25),
        (12, 12, 1.0),
        (1, 3, 1 / 3),
    ],
)
def test_response_rate(answered: int, asked: int, expected: float | None) -> None:
    assert response_rate(answered, asked) == expected


@pytest.mark.parametrize(("answered", "asked"), [(5, 4), (1, 0), (-1, 3), (0, -1), (-2, -1)])
def test_response_rate_rejects_impossible_counts(answered: int, asked: int) -> None:
    with pytest.raises(ValueError):
        response_rate(answered, asked)
