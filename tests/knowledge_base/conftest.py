"""A small real index (real model, real FAISS and BM25) over a handful of articles."""

from pathlib import Path

import pytest

from knowledge_base.articles import load_articles
from knowledge_base.index import build_index
from tests.conftest import ROOT, shared_embedders

SAMPLE = [
    "en/password-reset.md",
    "en/refund-timing.md",
    "en/delivery-times.md",
    "en/shipping-options-and-costs.md",
    "en/warranty-claim.md",
    "hu/hu-password-reset.md",
    "hu/hu-refund-timing.md",
]


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    for name in SAMPLE:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / "knowledge_base" / "articles" / name).read_bytes())
    return folder


@pytest.fixture
def index_dir(tmp_path: Path, articles_dir: Path) -> Path:
    articles, problems = load_articles(articles_dir)
    assert problems == []
    build_index(articles=articles, embedders=shared_embedders(), index_dir=tmp_path / "index")
    return tmp_path / "index"
