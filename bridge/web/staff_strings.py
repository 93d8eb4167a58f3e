"""Strings of the staff sign-in page (``templates/staff_login.html``), keyed by language.

Both languages define the same keys; key names avoid dict method names, because Jinja's
``t.name`` looks up attributes before keys.
"""

LOGIN_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "page_title": "Sign in · Northwind support staff",
        "brand": "Northwind Shop",
        "heading": "Support staff sign-in",
        "intro": "Agents, editors and administrators sign in here.",
        "email_label": "Email address",
        "password_label": "Password",
        "submit": "Sign in",
        "signing_in": "Signing in…",
        "lang_switch_label": "Language",
        "error_credentials": "Wrong email address or password.",
        "error_throttled": "Too many failed attempts. Please try again in {minutes} minutes.",
        "error_expired": "This page has expired. Please reload it and sign in again.",
        "error_invalid": "Please fill in both fields.",
        "error_network": "The server cannot be reached. Please try again.",
    },
    "hu": {
        "page_title": "Bejelentkezés · Northwind ügyfélszolgálat",
        "brand": "Northwind Webáruház",
        "heading": "Bejelentkezés munkatársaknak",
        "intro": "Ügyintézők, szerkesztők és adminisztrátorok itt jelentkezhetnek be.",
        "email_label": "E-mail-cím",
        "password_label": "Jelszó",
        "submit": "Bejelentkezés",
        "signing_in": "Bejelentkezés…",
        "lang_switch_label": "Nyelv",
        "error_credentials": "Hibás e-mail-cím vagy jelszó.",
        "error_throttled": (
            "Túl sok sikertelen próbálkozás. Kérjük, próbálja újra {minutes} perc múlva."
        ),
        "error_expired": "Ez az oldal lejárt. Kérjük, töltse be újra, és jelentkezzen be ismét.",
        "error_invalid": "Kérjük, töltse ki mindkét mezőt.",
        "error_network": "A szerver nem érhető el. Kérjük, próbálja újra.",
    },
}
