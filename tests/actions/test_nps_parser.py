"""Reading answers to "How likely are you to recommend us? (0-10)"."""

import pytest

from actions.nps_parser import NpsAnswer, parse_nps_answer


def score(value: int) -> NpsAnswer:
    return NpsAnswer("score", value)


DECLINE = NpsAnswer("decline")
UNCLEAR = NpsAnswer("unclear")

SCORES_EN = [
    ("9", 9),  # the examples
    ("nine", 9),
    ("10/10", 10),
    ("8 out of 10", 8),
    ("0", 0),
    (" 10 ", 10),
    ("10!", 10),
    ("score: 8", 8),
    ("Ten", 10),
    ("zero", 0),
    ("ONE", 1),
    ("8 of 10", 8),
    ("8/10", 8),
    ("8 / 10", 8),
    ("nine out of ten", 9),
    ("I'd give 9", 9),
    ("I’d give it a 9", 9),  # typographic apostrophe
    ("definitely a 10", 10),
    ("10 out of 10, no doubt", 10),  # the negation is in another clause
    ("Not bad. 7", 7),
    ("maybe 7", 7),  # a hedged answer is still an answer
    ("10, 10!", 10),  # repeating the same number is fine
    ("9/10 would recommend", 9),
    ("8 points", 8),
    ("9.", 9),  # a full stop, not a decimal
    ("9️⃣", 9),  # keycap emoji
    ("５", 5),  # full-width digit
]
SCORES_HU = [
    ("kilenc", 9),  # the examples
    ("10-ből 8", 8),
    ("nulla", 0),
    ("egy", 1),
    ("kettő", 2),
    ("ketto", 2),
    ("két", 2),
    ("három", 3),
    ("harom", 3),
    ("négy", 4),
    ("negy", 4),
    ("öt", 5),
    ("ot", 5),
    ("hat", 6),
    ("hét", 7),
    ("het", 7),
    ("nyolc", 8),
    ("Kilenc", 9),
    ("tíz", 10),
    ("TIZ", 10),
    ("10bol 8", 8),
    ("10 ből 8", 8),
    ("tízből nyolc", 8),
    ("tizbol tiz", 10),
    ("8 a 10-ből", 8),
    ("10 pontból 8", 8),
    ("8 pont", 8),
    ("8 pontot adok", 8),
    ("8pontot", 8),
    ("kilences", 9),
    ("egy kilencest adnék", 9),  # "egy" is the article here
    ("adok egy 10-est", 10),
    ("nyolcat", 8),
    ("hármast", 3),
    ("9-es", 9),
    ("6-ot", 6),  # the accusative suffix is not the word "öt"
    ("5-öt adnék", 5),
    ("10-et", 10),
    ("egy a tízből", 1),
    ("nem tudom, talán 7", 7),
    ("Nem rossz, 8", 8),
    # "hát" (well) is not "hat" (six), and "őt" (him, her) is not "öt" (five)
    ("hát, mondjuk egy nyolcas", 8),
    ("Hát... talán egy hetest", 7),
    ("HÁT 8", 8),
    ("hát tíz", 10),
    ("őt is megkérdeztem, 9", 9),
    ("hat", 6),  # without accents, six stays six
]
UNCLEAR_ANSWERS = [
    "11",  # the examples
    "-1",
    "lots",
    "",
    "   ",
    "maybe",
    "5 or 6",
    "3-4",
    "7-8",
    "between 7 and 8",
    "10000",
    "100%",
    "7.5",
    "8,5",
    "10k",
    "👍",
    "🙂🙂",
    "seven hundred",
    "eleven",
    "tizenegy",
    "hét és fél",
    "4/5",  # only out of 10 counts
    "8 out of 5",
    "4 of 5",
    "5 stars",
    "ötből négy",
    "out of 10",
    "/10",
    "9 10",
    "nothing",
    "nothing to add",
    "november",
    "no idea",
    "I'm not sure",
    "nem tudom",
    "nem ajánlanám",
    "thanks",
    "köszönöm",
    "why not",
    "miért ne",
    "not a 10",
    "I would not give 10",
    "I wouldn't give it a 10",
    "nem adnék 10-et",
    "more than 8",
    "at least 9",
    "8 felett",
    "legalább 8",
    "8 or more",
    "10th",
    "???",
    "hát",  # a filler alone says nothing
    "hát...",
    "őt",
    "hat vagy het",
]
DECLINES = [
    "no thanks",  # the examples
    "nem",
    "no",
    "No.",
    "nope",
    "No, thank you very much",
    "not now",
    "Not right now, sorry",
    "skip",
    "skip this question",
    "rather not",
    "I'd rather not",
    "I don't want to",
    "I dont want to answer that",
    "stop",
    "please stop asking",
    "maybe later",
    "no comment",
    "nem köszönöm",
    "Nem, köszönöm!",
    "nem koszi",
    "nem szeretnék",
    "nem szeretnek valaszolni",
    "most nem",
    "Most nem, bocsi",
    "kihagyom",
    "inkább nem",
    "inkabb nem",
    "ne",
    "Ne!",
    "passz",
    "köszi, nem",
    "hát nem",
    "hát, most nem",
]


@pytest.mark.parametrize(("text", "expected"), SCORES_EN + SCORES_HU)
@pytest.mark.parametrize("language", ["en", "hu"])
def test_scores(text: str, expected: int, language: str) -> None:
    assert parse_nps_answer(text, language) == score(expected)


@pytest.mark.parametrize("text", UNCLEAR_ANSWERS)
@pytest.mark.parametrize("language", ["en", "hu"])
def test_unclear(text: str, language: str) -> None:
    assert parse_nps_answer(text, language) == UNCLEAR


@pytest.mark.parametrize("text", DECLINES)
@pytest.mark.parametrize("language", ["en", "hu"])
def test_declines_in_either_language(text: str, language: str) -> None:
    assert parse_nps_answer(text, language) == DECLINE


@pytest.mark.parametrize("language", ["de", "", "EN", "hu-HU"])
def test_unsupported_language(language: str) -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        parse_nps_answer("9", language)


def test_every_score_can_be_typed_in_both_languages() -> None:
    english = "zero one two three four five six seven eight nine ten".split()
    hungarian = "nulla egy kettő három négy öt hat hét nyolc kilenc tíz".split()
    for value in range(11):
        assert parse_nps_answer(str(value), "en") == score(value)
        assert parse_nps_answer(english[value], "en") == score(value)
        assert parse_nps_answer(hungarian[value], "hu") == score(value)
        assert parse_nps_answer(f"{value}/10", "en") == score(value)
        assert parse_nps_answer(f"10-ből {value}", "hu") == score(value)


def test_answer_keeps_score_and_kind_consistent() -> None:
    with pytest.raises(ValueError):
        NpsAnswer("score")
    with pytest.raises(ValueError):
        NpsAnswer("decline", 3)
