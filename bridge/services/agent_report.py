"""The agent report: per agent over a period of whole UTC days, how many chats they took,
how fast they answered and how long they kept them, how the chats they closed were rated,
and how often they handed chats back or passed them on.

A chat changes hands without a new handoff when a transfer is accepted, so the report works
on *holds*: an agent holds a handoff from taking it (from the queue, the handoff's
`claimed_at`, or by accepting a transfer, the transfer's time) until they passed it on
(accepted or queued transfer) or it ended. Only the holder can write in a chat, so the agent
messages within a hold are that agent's.

- chats handled: handoffs with a hold of the agent starting in the period;
- first response: hold start → the first agent message within the hold (holds without one
  are left out); handling time: hold start → hold end (holds still open are left out);
  median and p90 by linear interpolation, as bridge.services.reports computes them;
- closed, hand-backs: handoffs the agent ended so in the period; NPS: the after-agent survey
  answers on the chats they closed in the period, with its interval (bridge.services.nps_stats);
- transfers given (accepted or to the queue) and received (accepted) in the period.

A handoff put back in the queue and claimed again knows only its latest claim time, so an
earlier hold of it that did not start with an accepted transfer is not seen.

The queries return a row per handoff or transfer at most; percentiles are computed here,
which the two supported databases could not do the same way in SQL.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import agent_activity
from bridge.db.agent_activity import HandoffTimes, TransferTimes
from bridge.services import nps_stats
from bridge.services.report_period import Period
from bridge.services.reports import percentile


@dataclass(frozen=True)
class Hold:
    """One agent's time with one handoff."""

    agent_id: int
    handoff_id: int
    start: datetime
    end: datetime | None  # None: they still have it
    first_reply: datetime | None  # the first agent message within the hold


@dataclass(frozen=True)
class AgentFigures:
    agent_id: int
    display_name: str
    chats_handled: int
    answered: int  # holds with an agent message
    first_response_median_s: float | None
    first_response_p90_s: float | None
    handling_median_s: float | None
    handling_p90_s: float | None
    closed: int
    hand_backs: int
    nps: nps_stats.NpsSummary | None
    transfers_given: int
    transfers_received: int


@dataclass(frozen=True)
class AgentReport:
    period: Period
    language: str | None
    agents: list[AgentFigures]  # most chats handled first, then by name


def _utc(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; the bridge stores UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _opt(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


def holds(handoff: HandoffTimes, transfers: Iterable[TransferTimes]) -> list[Hold]:
    """The holds of one handoff, from its claim and the transfers that moved it."""
    moves = sorted(transfers, key=lambda t: _utc(t.at))
    accepted = [t for t in moves if t.status == "accepted"]
    ended = _opt(handoff.ended_at)
    # A hold ends when the chat moves on (to a colleague or the queue) or ends.
    boundaries = sorted([_utc(t.at) for t in moves] + ([ended] if ended else []))
    starts: list[tuple[int | None, datetime, datetime | None]] = []
    claimed = _opt(handoff.claimed_at)
    if claimed is not None:
        # Whoever took it from the queue held it until the first transfer after the claim.
        passed_on = next((t for t in accepted if _utc(t.at) > claimed), None)
        holder = passed_on.from_agent_id if passed_on else handoff.claimed_by
        starts.append((holder, claimed, _opt(handoff.first_reply)))
    starts.extend((t.to_agent_id, _utc(t.at), _opt(t.first_reply)) for t in accepted)
    found = []
    for agent_id, start, first_reply in starts:
        if agent_id is None:  # the account was deleted since
            continue
        end = next((b for b in boundaries if b > start), None)
        within = first_reply is not None and (end is None or first_reply <= end)
        found.append(Hold(agent_id, handoff.id, start, end, first_reply if within else None))
    return found


def _seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def _scores(counts: dict[int, int]) -> Iterable[int]:
    return itertools.chain.from_iterable(itertools.repeat(s, n) for s, n in counts.items())


async def agent_report(
    *, session: AsyncSession, period: Period, language: str | None
) -> AgentReport:
    since, until = period.since, period.until
    rows = await agent_activity.claim_rows(
        session=session, since=since, until=until, language=language
    )
    by_handoff: dict[int, list[TransferTimes]] = {}
    for transfer in rows.transfers:
        by_handoff.setdefault(transfer.handoff_id, []).append(transfer)
    per_agent: dict[int, list[Hold]] = {}
    for handoff in rows.handoffs:
        for hold in holds(handoff, by_handoff.get(handoff.id, [])):
            if since <= hold.start < until:
                per_agent.setdefault(hold.agent_id, []).append(hold)
    ended = await agent_activity.endings(
        session=session, since=since, until=until, language=language
    )
    scores = await agent_activity.closed_chat_scores(
        session=session, since=since, until=until, language=language
    )
    given, received = await agent_activity.transfer_counts(
        session=session, since=since, until=until, language=language
    )
    active = set(per_agent) | {a for a, _s in ended} | set(scores) | set(given) | set(received)
    names = await agent_activity.staff(session=session, also=active)
    figures = []
    for agent_id, name in names.items():
        mine = per_agent.get(agent_id, [])
        responses = [_seconds(h.first_reply, h.start) for h in mine if h.first_reply]
        handling = [_seconds(h.end, h.start) for h in mine if h.end is not None]
        figures.append(
            AgentFigures(
                agent_id=agent_id,
                display_name=name,
                chats_handled=len({h.handoff_id for h in mine}),
                answered=len(responses),
                first_response_median_s=percentile(responses, 0.5),
                first_response_p90_s=percentile(responses, 0.9),
                handling_median_s=percentile(handling, 0.5),
                handling_p90_s=percentile(handling, 0.9),
                closed=ended.get((agent_id, "closed"), 0),
                hand_backs=ended.get((agent_id, "returned"), 0),
                nps=nps_stats.summarize(_scores(scores.get(agent_id, {}))),
                transfers_given=given.get(agent_id, 0),
                transfers_received=received.get(agent_id, 0),
            )
        )
    figures.sort(key=lambda f: (-f.chats_handled, f.display_name.casefold(), f.agent_id))
    return AgentReport(period=period, language=language, agents=figures)
