"""The lexicon: customers' words restored to the articles' spelling (accents, one-letter typos,
chat shorthand) without "correcting" inflected forms, and the terms of the lexical leg (stop
words dropped, stems shared by accented and unaccented spellings, compound halves added).

Most tests use lexicons built from the repository's real articles, the way the index builds
them; precise cases build a lexicon from a few words of text.
"""

import json
from functools import lru_cache

import pytest

from knowledge_base.articles import load_articles
from knowledge_base.chunking import chunk_article
from knowledge_base.index_store import chunk_words
from knowledge_base.lexicon import Lexicon
from tests.conftest import ROOT


@lru_cache(maxsize=2)
def articles_lexicon(language: str) -> Lexicon:
    """The lexicon the index builds from the sample articles of `language`."""
    articles, problems = load_articles(ROOT / "knowledge_base" / "articles")
    assert problems == []
    texts = [
        chunk_words(chunk)
        for article in articles
        if article.lang == language
        for chunk in chunk_article(article)
    ]
    return Lexicon.build(language, texts)


# --- accents ----------------------------------------------------------------------------------


def test_a_whole_word_typed_without_accents_gets_the_articles_accents() -> None:
    assert articles_lexicon("hu").restore("szamla") == "számla"
    assert articles_lexicon("hu").restore("mikor kapom vissza a penzemet") == (
        "mikor kapom vissza a pénzemet"
    )


def test_an_inflected_word_gets_the_accents_of_its_known_beginning() -> None:
    # The articles never spell "számlámat", but their "számlá..." words give its beginning.
    lexicon = Lexicon.build("hu", ["A számlák és a számlán szereplő összeg, a számlákat."])
    assert not lexicon.knows("szamlamat")
    assert lexicon.restore("szamlamat") == "számlámat"


def test_a_word_typed_with_accents_is_kept_as_typed() -> None:
    lexicon = Lexicon.build("hu", ["A kör alakú kör."])
    assert lexicon.restore("kor") == "kör"
    assert lexicon.restore("kór") == "kór"  # accents typed on purpose: not the articles' "kör"
    assert articles_lexicon("hu").restore("számlá") == "számlá"


def test_restoring_keeps_the_case_the_customer_typed() -> None:
    lexicon = articles_lexicon("hu")
    assert lexicon.restore("Szamla") == "Számla"
    assert lexicon.restore("SZAMLA") == "SZÁMLA"
    assert articles_lexicon("en").restore("PASWORD") == "PASSWORD"


def test_words_the_articles_do_not_use_are_kept_as_typed() -> None:
    assert articles_lexicon("hu").restore("xylofon zzzzz") == "xylofon zzzzz"


# --- typos ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("pasword", "password"),  # a letter left out
        ("adress", "address"),
        ("passsword", "password"),  # a letter too many
        ("warrenty", "warranty"),  # a letter replaced
        ("refnud", "refund"),  # two neighbours swapped
        ("addrses", "address"),
    ],
)
def test_a_one_letter_typo_in_english_is_corrected(typed: str, meant: str) -> None:
    assert articles_lexicon("en").restore(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("passwrod", "password"), ("shiping", "shipping"), ("trackign", "tracking")],
)
def test_a_typo_that_starts_with_a_short_known_word_is_corrected(typed: str, meant: str) -> None:
    lexicon = articles_lexicon("en")
    assert lexicon.correct(typed) == meant  # the typo correction itself finds the word
    assert lexicon.restore(typed) == meant


def test_an_inflected_form_of_a_known_word_is_not_corrected_into_another_word() -> None:
    lexicon = articles_lexicon("hu")
    # Each is one edit from a word the articles use; correcting it would change its meaning.
    assert lexicon.correct("vagytok") == "vagyok"
    assert lexicon.restore("vagytok") == "vagytok"
    assert lexicon.correct("debrecenben") == "debrecenbe"
    assert lexicon.restore("Debrecenben") == "Debrecenben"


def test_a_known_word_plus_an_ending_is_an_inflection_not_a_typo() -> None:
    lexicon = Lexicon.build("hu", ["Vagy ezt, vagy azt. Itt vagyok."])
    assert lexicon.restore("vagytok") == "vagytok"


def test_short_words_are_never_corrected() -> None:
    lexicon = Lexicon.build("en", ["order order order"])
    assert lexicon.restore("oredr") == "order"  # five letters: corrected
    assert lexicon.correct("ordr") is None  # four letters: too many neighbours
    assert lexicon.restore("ordr oder") == "ordr oder"


def test_the_most_frequent_of_two_candidates_wins() -> None:
    lexicon = Lexicon.build("en", ["parcel parcel parcel", "parcer"])
    assert lexicon.restore("parcex") == "parcel"


# --- shorthand --------------------------------------------------------------------------------


def test_chat_shorthand_is_written_out() -> None:
    assert articles_lexicon("en").restore("ur acc") == "your account"
    assert articles_lexicon("hu").restore("vmi") == "valami"


def test_written_out_shorthand_matches_the_articles_terms() -> None:
    english, hungarian = articles_lexicon("en"), articles_lexicon("hu")
    assert english.terms("pw", query=True) == english.terms("password", query=False)
    assert hungarian.terms("vmi", query=True) == hungarian.terms("valami", query=False)


# --- terms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "why so"), ("en", "Hi, can you please?"), ("hu", "mi az"), ("hu", "ez az")],
)
def test_a_message_of_stop_words_only_has_no_terms(language: str, message: str) -> None:
    lexicon = articles_lexicon(language)
    assert lexicon.terms(message, query=True) == []
    assert lexicon.terms(message, query=False) == []


def test_stop_words_typed_with_or_without_accents_are_dropped() -> None:
    lexicon = articles_lexicon("hu")
    assert lexicon.terms("miért", query=True) == lexicon.terms("miert", query=True) == []
    assert lexicon.terms("miért számla", query=True) == ["szaml"]


def test_an_unaccented_query_has_the_terms_of_the_articles_accented_word() -> None:
    lexicon = articles_lexicon("hu")
    document = lexicon.terms("pénzemet", query=False)
    assert document == ["penz"]
    assert lexicon.terms("penzemet", query=True) == document
    assert lexicon.terms("pénzemet", query=True) == document


def test_an_unaccented_inflection_shares_the_stem_of_the_articles_word() -> None:
    lexicon = Lexicon.build("hu", ["Az összeget a számláról vonjuk le."])
    document = lexicon.terms("számláról", query=False)
    assert document == ["szaml"]
    assert lexicon.terms("szamlarol", query=True) == document
    assert lexicon.terms("számláról", query=True) == document


def test_an_unaccented_inflection_the_articles_never_use_shares_their_stem() -> None:
    lexicon = articles_lexicon("hu")
    assert not lexicon.knows("szamlarol")
    assert lexicon.terms("szamlarol", query=True) == lexicon.terms("számláról", query=True)


def test_a_compound_adds_the_terms_of_its_halves() -> None:
    lexicon = articles_lexicon("hu")
    assert lexicon.knows("jelszo") and lexicon.knows("visszaallito")
    halves = lexicon.terms("jelszó", query=True) + lexicon.terms("visszaállító", query=True)
    terms = lexicon.terms("jelszovisszaallito", query=True)
    assert set(halves) <= set(terms)
    assert len(terms) == 3  # the whole word and its two halves


def test_a_compound_whose_halves_the_articles_do_not_use_is_not_split() -> None:
    lexicon = Lexicon.build("hu", ["A jelszó."])
    assert lexicon.terms("jelszovisszaallito", query=True) == ["jelszovisszaallit"]


def test_document_terms_are_not_restored() -> None:
    lexicon = Lexicon.build("en", ["password password"])
    assert lexicon.terms("pasword", query=True) == ["password"]
    assert lexicon.terms("pasword", query=False) == ["pasword"]


# --- options ----------------------------------------------------------------------------------


def test_without_options_nothing_is_restored_corrected_or_split() -> None:
    texts = ["A jelszó és a visszaállító.", "A számla, a számláról."]
    plain = Lexicon.build("hu", texts, options=[])
    full = Lexicon.build("hu", texts)
    assert full.restore("szamla vmi") == "számla valami"
    assert plain.restore("szamla vmi") == "szamla vmi"
    assert full.terms("szamlarol", query=True) == full.terms("számláról", query=False)
    assert plain.terms("szamlarol", query=True) != plain.terms("számláról", query=False)
    assert len(full.terms("jelszovisszaallito", query=True)) == 3
    assert len(plain.terms("jelszovisszaallito", query=True)) == 1


def test_each_option_switches_off_its_own_step() -> None:
    texts = ["The password is on the account page.", "A jelszó, a visszaállító."]
    no_typos = Lexicon.build("en", texts, options=["restore", "compounds"])
    assert no_typos.restore("ur pasword") == "your pasword"
    assert no_typos.correct("pasword") is None
    no_compounds = Lexicon.build("hu", texts, options=["restore", "typos"])
    assert no_compounds.restore("jelszo") == "jelszó"
    assert no_compounds.terms("jelszovisszaallito", query=True) == ["jelszovisszaallit"]


def test_unknown_options_and_languages_are_refused() -> None:
    with pytest.raises(ValueError, match="spelling"):
        Lexicon.build("en", ["text"], options=["restore", "spelling"])
    with pytest.raises(ValueError, match="'de'"):
        Lexicon.build("de", ["Text"])
    with pytest.raises(ValueError, match="'de'"):
        Lexicon(language="de", counts={})


# --- storage ----------------------------------------------------------------------------------


def test_a_lexicon_survives_a_json_round_trip() -> None:
    lexicon = articles_lexicon("hu")
    lexicon.restore("szamla")  # the cached lookups are not part of what is stored
    stored = json.dumps(lexicon.to_json(), ensure_ascii=False)
    loaded = Lexicon.from_json(json.loads(stored))
    assert loaded == lexicon
    assert loaded.restore("szamlamat penzemet") == "számlámat pénzemet"


def test_the_options_survive_a_json_round_trip() -> None:
    lexicon = Lexicon.build("en", ["password"], options=["restore"])
    loaded = Lexicon.from_json(json.loads(json.dumps(lexicon.to_json())))
    assert loaded == lexicon and loaded.options == frozenset({"restore"})
    assert loaded.restore("pasword") == "pasword"
