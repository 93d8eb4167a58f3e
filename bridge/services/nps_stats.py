"""Net Promoter Score arithmetic for reports.

Scores 9-10 are promoters, 7-8 passives, 0-6 detractors; the NPS is the percentage of
promoters minus the percentage of detractors, from -100 to 100.

The confidence interval treats the answers as one multinomial sample of n responses, so the
NPS is a difference of two proportions of the same sample, which are negatively correlated:

    Var(p_P - p_D) = (p_P(1 - p_P) + p_D(1 - p_D) + 2 p_P p_D) / n
                   = (p_P + p_D - (p_P - p_D)²) / n

and the 95 % interval is NPS ± 1.96 · sqrt(Var) · 100, clamped to [-100, 100]. It is a normal
(Wald) approximation: poor for small samples and for shares near 0 or 1, where it can even
have zero width (all promoters, or n = 1). `NpsSummary.n_small` flags n < 30 so that a report
can say the interval is only indicative.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Category = Literal["promoter", "passive", "detractor"]

_Z_95 = 1.96
SMALL_SAMPLE = 30


@dataclass(frozen=True)
class NpsSummary:
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float  # -100..100
    ci_low: float  # 95 % interval, see the module docstring
    ci_high: float

    @property
    def n_small(self) -> bool:
        """Too few responses for the normal approximation behind the interval."""
        return self.responses < SMALL_SAMPLE


def category(score: int) -> Category:
    """The NPS group of a 0..10 answer; ValueError for anything else (bools included)."""
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValueError(f"an NPS score is a whole number from 0 to 10, not {score!r}")
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


def summarize(scores: Iterable[int]) -> NpsSummary | None:
    """Counts, NPS and its 95 % interval; None when nobody answered."""
    counts: dict[Category, int] = {"promoter": 0, "passive": 0, "detractor": 0}
    for score in scores:
        counts[category(score)] += 1
    n = sum(counts.values())
    if n == 0:
        return None
    p_promoters = counts["promoter"] / n
    p_detractors = counts["detractor"] / n
    difference = p_promoters - p_detractors
    # Never negative in exact arithmetic (|difference| <= p_P + p_D <= 1); guard the rounding.
    variance = max(0.0, (p_promoters + p_detractors - difference**2) / n)
    half_width = _Z_95 * math.sqrt(variance) * 100
    nps = difference * 100
    return NpsSummary(
        responses=n,
        promoters=counts["promoter"],
        passives=counts["passive"],
        detractors=counts["detractor"],
        nps=nps,
        ci_low=max(-100.0, nps - half_width),
        ci_high=min(100.0, nps + half_width),
    )


def response_rate(answered: int, asked: int) -> float | None:
    """Share of asked customers who answered, from 0 to 1; None when nobody was asked."""
    if answered < 0 or asked < 0:
        raise ValueError(f"counts cannot be negative: answered={answered}, asked={asked}")
    if answered > asked:
        raise ValueError(f"more answers ({answered}) than questions asked ({asked})")
    if asked == 0:
        return None
    return answered / asked
