"""What customers get, through the real bot: `supportbot bench answers` on both halves of the
answer questions, against a stack of its own (Rasa, action server, bridge on SQLite; the
knowledge base is the repo's index, as `make run` serves it).

    .venv/bin/python -m bench.answers
"""

import asyncio
import tempfile
from pathlib import Path

from bench.report import write_section
from bench.stack import running_stack
from bridge.answer_bench import ask_all, summarise, table
from knowledge_base.evaluation import read_queries
from tests.processes import ROOT

HALVES = {
    "test": ROOT / "bench" / "data" / "answers_test.csv",
    "development": ROOT / "bench" / "data" / "answers_dev.csv",
}
TARGETS = (
    "Targets (test half): right article ≥ 85 % in Hungarian and ≥ 92 % in English, Hungarian "
    "within 5 points of English; wrong article ≤ 5 % and out-of-scope declined ≥ 90 % in each."
)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as (_, url, _bridge):
        for half, path in HALVES.items():
            queries = read_queries(path)
            summary = table(summarise(asyncio.run(ask_all(url, queries))))
            body = (
                f"{len(queries)} questions from `{path.relative_to(ROOT)}`, each in a new "
                "conversation over the widget's websocket (follow-ups after their context "
                "message), through the real NLU, rules, actions and knowledge base. Right / "
                "choices / wrong / declined are shares of the answerable questions; first "
                "reply is from sending the question to the bot's first message."
                + (f" {TARGETS}" if half == "test" else " Thresholds were chosen on this half.")
                + f"\n\n{summary}"
            )
            print(f"{half}\n{body}\n", flush=True)
            write_section(
                f"Answers through the real bot: {half} half",
                f"make bench (.venv/bin/python -m bench.answers), i.e. supportbot bench "
                f"answers --questions {path.relative_to(ROOT)} against a running stack",
                body,
            )


if __name__ == "__main__":
    main()
