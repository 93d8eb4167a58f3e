"""What each revision changed: a line diff against the revision before it, for the history
page (who, when, what), newest first."""

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bridge.db.articles import RevisionRow

LineKind = Literal["added", "removed", "context", "gap"]
MAX_DIFF_LINES = 400  # a whole rewrite of a long article shows its beginning


@dataclass(frozen=True)
class RevisionDiff:
    revision: RevisionRow
    lines: list[tuple[LineKind, str]]  # empty for the first revision


def _diff(before: str, after: str) -> list[tuple[LineKind, str]]:
    lines: list[tuple[LineKind, str]] = []
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), n=2, lineterm="")
    for line in list(diff)[2:]:  # the ---/+++ file header
        if line.startswith("@@"):
            lines.append(("gap", "…"))
        elif line.startswith("+"):
            lines.append(("added", line[1:]))
        elif line.startswith("-"):
            lines.append(("removed", line[1:]))
        else:
            lines.append(("context", line[1:]))
        if len(lines) >= MAX_DIFF_LINES:
            lines.append(("gap", "…"))
            break
    return lines


def revision_diffs(revisions: Sequence[RevisionRow]) -> list[RevisionDiff]:
    """`revisions` newest first, each with its changes against the next older one."""
    result = []
    for position, revision in enumerate(revisions):
        older = revisions[position + 1] if position + 1 < len(revisions) else None
        result.append(RevisionDiff(revision, _diff(older.text, revision.text) if older else []))
    return result
