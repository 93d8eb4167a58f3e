"""Strings of the public help center and the article pages (``templates/help*.html``,
``templates/kb_article.html``), keyed by language. Both languages define the same keys; key
names avoid dict method names, because Jinja's ``t.name`` looks up attributes first."""

HELP_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "brand": "Northwind Shop · Help centre",
        "home_title": "Help centre",
        "meta_description": (
            "Answers about orders, delivery, returns, payments and your Northwind account."
        ),
        "search_label": "Search the help centre",
        "search_placeholder": "e.g. where is my parcel?",
        "search_button": "Search",
        "results_for": "Results for",
        "no_results": "No article answers that yet. Try other words, or ask our assistant.",
        "in_other_language": "Not written in English yet; the Hungarian article:",
        "search_unavailable": "Search is not available right now; browse the sections below.",
        "tagged": "Articles tagged",
        "all_articles": "All articles",
        "updated": "Updated",
        "other_language": "Magyarul",
        "section_other": "Other",
        "tags_label": "Tags",
        "not_found": "There is no such article.",
        "was_helpful": "Was this article helpful?",
        "vote_yes": "Yes",
        "vote_no": "No",
        "vote_thanks": "Thank you for your feedback.",
        "vote_error": "Your vote could not be saved; please try again.",
    },
    "hu": {
        "brand": "Northwind Webáruház · Súgó",
        "home_title": "Súgó",
        "meta_description": (
            "Válaszok rendelésről, szállításról, visszaküldésről, fizetésről és a "
            "Northwind-fiókról."
        ),
        "search_label": "Keresés a súgóban",
        "search_placeholder": "pl. hol a csomagom?",
        "search_button": "Keresés",
        "results_for": "Találatok erre:",
        "no_results": (
            "Erre még nincs cikkünk. Próbálja más szavakkal, vagy kérdezze az asszisztensünket."
        ),
        "in_other_language": "Magyarul még nem írtuk meg; az angol cikk:",
        "search_unavailable": "A keresés most nem érhető el; böngésszen a témák között.",
        "tagged": "Cikkek ezzel a címkével:",
        "all_articles": "Minden cikk",
        "updated": "Frissítve",
        "other_language": "In English",
        "section_other": "Egyéb",
        "tags_label": "Címkék",
        "not_found": "Nincs ilyen cikk.",
        "was_helpful": "Hasznos volt ez a cikk?",
        "vote_yes": "Igen",
        "vote_no": "Nem",
        "vote_thanks": "Köszönjük a visszajelzést.",
        "vote_error": "A szavazatot nem sikerült elmenteni; kérjük, próbálja újra.",
    },
}
