"""What the actions say: Hungarian "a"/"az" before a number or a word goes by its sound."""

import pytest

from actions import replies
from knowledge_base.text import hu_article


@pytest.mark.parametrize(
    ("value", "article"),
    [
        (1, "az"),  # egy, első
        (2, "a"),
        (5, "az"),  # öt
        (9, "a"),
        (10, "a"),  # tíz
        (11, "a"),  # tizenegy
        (15, "a"),
        (50, "az"),  # ötven
        (55, "az"),
        (100, "a"),  # száz
        (150, "a"),
        (500, "az"),  # ötszáz
        (1000, "az"),  # ezer
        (1999, "az"),
        (2000, "a"),  # kétezer
        (5000, "az"),
        (10_000, "a"),
        (1_000_000, "az"),  # egymillió
        (2_000_000, "a"),
        (0, "a"),  # nulla
        ("anna@example.com", "az"),
        ("kati@example.com", "a"),
        ("Éva", "az"),
        ("ügyfél", "az"),
        ("5x@example.com", "az"),
        ("9x@example.com", "a"),
    ],
)
def test_the_article_goes_by_how_it_is_read(value: int | str, article: str) -> None:
    assert hu_article(value) == article


@pytest.mark.parametrize(
    ("position", "expected"),
    [("1", "Ön az 1. a sorban"), ("5", "Ön az 5. a sorban"), ("9", "Ön a 9. a sorban")],
)
def test_the_queue_message_agrees_with_the_place(position: str, expected: str) -> None:
    text = replies.text("handoff_queued", "hu", position=position, minutes="3")
    assert expected in text and "a(z)" not in text
    english = replies.text("handoff_queued", "en", position=position, minutes="3")
    assert f"number {position} in the queue" in english
