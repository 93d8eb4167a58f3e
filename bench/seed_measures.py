"""Identified customers, "How did you hear about us?" answers and review links in the report
benchmark's data set (issue 15).

Drawn from a random stream of their own (and the customer ids from the visitor number, with no
draw at all), so every row the data set had before these were added is what it was.

- One visitor in four is a signed-in shop customer; two visitors (two browsers) share each
  customer id, so a customer's conversations are linked across browsers.
- A person (customer, else visitor) is asked once, in their first conversation that asks, at
  its end: about 30 % of all conversations, of which about 70 % are answered and one answer in
  ten is "skipped". About a quarter of the sources named are a friend or family, more among
  the promoters of the same conversation.
- Six promoters in ten are invited to leave a review (the counted link); three in ten of the
  invited use it, some more than once, within a day.
"""

import itertools
import random
from datetime import datetime, timedelta

from bench.seed_rows import Rows

# First conversation of a person that asks: about two thirds of the conversations are the first
# of their person at scale 1, so this gives about 30 % of all conversations asked.
ASK_SHARE = 0.45
ANSWER_SHARE = 0.70
SKIP_SHARE = 0.10
SOURCE_WEIGHTS = {
    "friend_family": 22,
    "search": 30,
    "social": 18,
    "review_site": 10,
    "advert": 12,
    "other": 8,
}
PROMOTER_FRIENDS = 1.5  # how much likelier a promoter names a friend or family
INVITE_SHARE = 0.6
CLICK_SHARE = 0.3
OTHER_DETAIL = {"en": "a podcast", "hu": "egy podcast"}


def customer_of(visitor: int) -> str | None:
    """Every fourth visitor is signed in; visitors 8k and 8k + 4 are the same customer."""
    return f"customer-{visitor // 8}" if visitor % 4 == 0 else None


class Measures:
    """Adds a conversation's referral answer and review link to a batch."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.asked: set[str] = set()
        # Invitations get their ids here, so that their clicks can name them in the same batch.
        self.invitation_ids = itertools.count(1)

    def add(
        self,
        rows: Rows,
        cid: str,
        lang: str,
        subject: str,
        ended: datetime,
        score: int | None,
    ) -> None:
        self._referral(rows, cid, lang, subject, ended, score)
        if score is not None and score >= 9:
            self._review(rows, cid, lang, ended)

    def _referral(
        self, rows: Rows, cid: str, lang: str, subject: str, ended: datetime, score: int | None
    ) -> None:
        rng = self.rng
        if subject in self.asked or rng.random() >= ASK_SHARE:
            return
        self.asked.add(subject)
        asked_at = ended + timedelta(seconds=rng.uniform(2, 20))
        source = None
        if rng.random() < ANSWER_SHARE:
            if rng.random() < SKIP_SHARE:
                source = "skipped"
            else:
                weights = dict(SOURCE_WEIGHTS)
                if score is not None and score >= 9:
                    weights["friend_family"] = round(weights["friend_family"] * PROMOTER_FRIENDS)
                source = rng.choices(list(weights), list(weights.values()))[0]
        rows.referral_answers.append(
            {
                "subject": subject,
                "conversation_id": cid,
                "language": lang,
                "asked_at": asked_at,
                "answered_at": None
                if source is None
                else asked_at + timedelta(seconds=rng.uniform(3, 40)),
                "source": source,
                "detail": OTHER_DETAIL[lang] if source == "other" else None,
            }
        )

    def _review(self, rows: Rows, cid: str, lang: str, ended: datetime) -> None:
        rng = self.rng
        if rng.random() >= INVITE_SHARE:
            return
        invitation = next(self.invitation_ids)
        invited_at = ended + timedelta(seconds=rng.uniform(1, 5))
        rows.review_invitations.append(
            {
                "id": invitation,
                "token": f"bench-review-{invitation:030d}",
                "conversation_id": cid,
                "language": lang,
                "invited_at": invited_at,
            }
        )
        if rng.random() >= CLICK_SHARE:
            return
        for _ in range(1 + (rng.random() < 0.2)):
            rows.review_clicks.append(
                {
                    "invitation_id": invitation,
                    "clicked_at": invited_at + timedelta(seconds=rng.uniform(5, 86_400)),
                }
            )
