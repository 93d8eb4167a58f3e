"""Turn the deepset COVID-19 FAQ set (../shared/data, not copied into the repo) into the
generic CSVs of `supportbot bench retrieval`: each FAQ entry gives two texts (its question and
its answer) under one id; the 244 human paraphrases are the queries.

    .venv/bin/python -m bench.prepare_covid OUT_DIR
"""

import csv
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "covid_faq_deepset"


def main(out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with (SOURCE / "faq_covidbert.csv").open(newline="", encoding="utf-8") as handle:
        faqs = list(csv.DictReader(handle))
    ids = {row["question"].strip(): f"faq-{n}" for n, row in enumerate(faqs)}
    kb_path, queries_path = out_dir / "covid_kb.csv", out_dir / "covid_queries.csv"
    with kb_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "text"])
        for row in faqs:
            entry = ids[row["question"].strip()]
            writer.writerow([entry, row["question"].strip(), row["question"].strip()])
            writer.writerow([entry, row["question"].strip(), row["answer"].strip()])
    with (SOURCE / "eval_question_similarity_en.csv").open(newline="", encoding="utf-8") as handle:
        pairs = [row for row in csv.DictReader(handle) if row["similar"] == "1"]
    with queries_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["query", "gold_id"])
        for row in pairs:
            writer.writerow([row["question_2"].strip(), ids[row["question_1"].strip()]])
    return kb_path, queries_path


if __name__ == "__main__":
    print(*main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/bench")), sep="\n")
