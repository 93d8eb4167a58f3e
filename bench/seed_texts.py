"""What the customers, the bot and the agents of the report benchmark's data set say.

The unanswered questions are real questions: CLINC150's out-of-scope and test queries (English)
and Tatoeba's Hungarian sentences, read from ../shared/data; without that folder, numbered
stand-ins are used. The customers ask BANKING77's questions in English; in Hungarian, the
support questions of `HUNGARIAN_QUESTIONS` (six in ten) or Tatoeba's sentences, with accents,
for the conversation search benchmark (bench/conversation_search.py).
"""

import csv
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

HUNGARIAN_QUESTIONS = (
    "A számlámat nem találom, hol tudom letölteni?",
    "Miért kaptam két számlát ugyanarra a rendelésre?",
    "Hibás a számlán a cím, javítanák?",
    "Mikor érkezik meg a csomagom?",
    "A futár nem hozta ki a csomagot, mit tegyek?",
    "Szeretném visszaküldeni a terméket, hogyan lehet?",
    "Mennyi idő alatt kapom vissza a pénzemet?",
    "Nem működik a bankkártyás fizetés.",
    "Kétszer vonták le a rendelés árát a kártyámról.",
    "Elfelejtettem a jelszavamat, nem tudok belépni.",
    "Hogyan tudom megváltoztatni az e-mail-címemet?",
    "Törölni szeretném a fiókomat.",
    "Lemondhatom még a rendelésemet?",
    "Rossz méretet rendeltem, kicserélhetem?",
    "Sérülten érkezett a termék, mi a teendő?",
    "Van üzletük Budapesten?",
    "Mennyibe kerül a szállítás külföldre?",
    "Kaphatok kedvezményt, ha többet rendelek?",
    "Nem jött meg a visszaigazoló e-mail.",
    "Hogyan válthatom be az ajándékutalványt?",
    "Meddig érvényes a garancia?",
    "A kuponkód nem működik a pénztárnál.",
    "Részletre is fizethetek?",
    "Megváltozott a szállítási címem, módosíthatom?",
    "Mikor lesz újra raktáron ez a termék?",
)
# What the bot and the agents say, per language (fixed lines: no random draws).
GREETING = {"en": "Hi! How can I help?", "hu": "Szia! Miben segíthetek?"}
FOUND = {"en": "Here is what I found in {}.", "hu": "Ezt találtam: {}."}
CHECKING = {"en": "Let me check that for you.", "hu": "Máris utánanézek."}


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def unanswerable_questions() -> dict[str, list[str]]:
    """Questions a support knowledge base would not answer, per language."""
    clinc = DATA / "clinc150_oos" / "data_full.json"
    tatoeba = DATA / "tatoeba_hun_eng" / "tatoeba.hun-eng.hun"
    if not (clinc.exists() and tatoeba.exists()):
        return {
            "en": [f"stand-in question number {n}" for n in range(3000)],
            "hu": [f"helyettesítő kérdés {n}" for n in range(1000)],
        }
    data = json.loads(clinc.read_text(encoding="utf-8"))
    keys = ("oos_train", "oos_val", "oos_test", "test")
    english = [text for key in keys for text, _intent in data[key]]
    return {"en": english, "hu": _lines(tatoeba)}


def customer_questions() -> list[str]:
    path = DATA / "banking77" / "test.csv"
    if not path.exists():
        return [f"customer question {n}" for n in range(500)]
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def hungarian_questions() -> list[str]:
    """What Hungarian customers write: support questions, six in ten, and Tatoeba's everyday
    sentences."""
    tatoeba = DATA / "tatoeba_hun_eng" / "tatoeba.hun-eng.hun"
    everyday = _lines(tatoeba) if tatoeba.exists() else ["Várj egy kicsit!"]
    support = list(HUNGARIAN_QUESTIONS) * max(
        1, round(len(everyday) * 1.5 / len(HUNGARIAN_QUESTIONS))
    )
    return support + everyday
