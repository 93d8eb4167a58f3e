"""Page strings for the widget demo page (``templates/demo.html``), keyed by language.

The demo page is a fictional shop that embeds the chat widget; these strings are its
copy only. The widget carries its own UI strings. Both languages must define the same
keys. Key names avoid dict method names (``items``, ``values``...), because Jinja's
``t.name`` looks up attributes before keys.
"""

DEMO_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "page_title": "Northwind Shop · Home electronics and small appliances",
        "meta_description": (
            "Northwind Shop sells home electronics and small appliances with fast delivery "
            "and 30-day returns."
        ),
        "brand": "Northwind Shop",
        "nav_label": "Main",
        "nav_products": "Products",
        "nav_deals": "Deals",
        "nav_delivery": "Delivery",
        "nav_help": "Help",
        "lang_switch_label": "Language",
        "signed_in_as": "Signed in as",
        "hero_kicker": "Free delivery on orders over €50",
        "hero_title": "Small appliances, big difference.",
        "hero_text": (
            "Kitchen helpers, smart-home gadgets and audio gear, delivered in 1–2 working "
            "days with a 30-day no-questions return."
        ),
        "hero_cta_shop": "Browse products",
        "hero_cta_chat": "Ask our assistant",
        "products_title": "Customer favourites",
        "products_intro": "Hand-picked bestsellers, each with a two-year warranty.",
        "card1_badge": "Bestseller",
        "card1_title": "Aero 5 air fryer",
        "card1_text": (
            "A 5.5-litre basket, eight presets and a dishwasher-safe tray. Crispy chips with "
            "a spoonful of oil."
        ),
        "card1_price": "€89.90",
        "card2_badge": "New",
        "card2_title": "Nimbus S2 robot vacuum",
        "card2_text": (
            "Maps your home in one run, empties itself and works with your phone or voice "
            "assistant."
        ),
        "card2_price": "€249.00",
        "card3_badge": "−20%",
        "card3_title": "Tempo smart kettle",
        "card3_text": (
            "Pick the exact temperature for green tea or baby formula and keep it warm for "
            "up to an hour."
        ),
        "card3_price": "€59.90",
        "add_to_cart": "Add to cart",
        "added_to_cart": "Added ✓",
        "help_title": "Questions? We're here.",
        "help_intro": (
            "Most answers are one question away: our assistant knows our delivery, return and "
            "warranty rules, and hands you over to a colleague when it can't help."
        ),
        "faq1_q": "How fast is delivery?",
        "faq1_a": (
            "Orders placed by 2 pm on a working day leave our warehouse the same day and "
            "usually arrive within 1–2 working days."
        ),
        "faq2_q": "Can I return a product?",
        "faq2_a": (
            "Yes, within 30 days of delivery, even if you have opened the box. Start the "
            "return in your account or simply ask the assistant."
        ),
        "faq3_q": "What does the warranty cover?",
        "faq3_a": (
            "Every product has at least a two-year warranty for manufacturing faults. We "
            "arrange pick-up and the repair or replacement."
        ),
        "faq_more": (
            "Still stuck? Open the chat in the corner. A colleague takes over when needed, "
            "Monday to Friday, 8:00–18:00."
        ),
        "footer_tagline": "Home electronics and small appliances since 2009.",
        "footer_privacy": "Privacy",
        "footer_terms": "Terms",
        "footer_contact": "Contact",
        "footer_copyright": "© Northwind Shop. A fictional company for demonstration.",
        "demo_note": (
            "Demo page: its stylesheet deliberately forces serif fonts, one text colour and "
            "loud button and form styles onto every element, to show that the chat widget "
            "stays unaffected."
        ),
        "widget_title": "Northwind Support",
    },
    "hu": {
        "page_title": "Northwind Webáruház · Otthoni elektronika és kisgépek",
        "meta_description": (
            "A Northwind Webáruház otthoni elektronikát és kisgépeket árul gyors szállítással "
            "és 30 napos visszaküldéssel."
        ),
        "brand": "Northwind Webáruház",
        "nav_label": "Fő navigáció",
        "nav_products": "Termékek",
        "nav_deals": "Akciók",
        "nav_delivery": "Szállítás",
        "nav_help": "Segítség",
        "lang_switch_label": "Nyelv",
        "signed_in_as": "Bejelentkezve:",
        "hero_kicker": "Ingyenes szállítás 20 000 Ft feletti rendelésnél",
        "hero_title": "Kis gépek, nagy különbség.",
        "hero_text": (
            "Konyhai segítők, okosotthon-eszközök és hangtechnika 1–2 munkanapos szállítással "
            "és 30 napos, kérdés nélküli visszaküldéssel."
        ),
        "hero_cta_shop": "Termékek böngészése",
        "hero_cta_chat": "Kérdezze asszisztensünket",
        "products_title": "Vásárlóink kedvencei",
        "products_intro": "Válogatott sikertermékek, mindegyik kétéves jótállással.",
        "card1_badge": "Sikertermék",
        "card1_title": "Aero 5 forrólevegős sütő",
        "card1_text": (
            "5,5 literes kosár, nyolc előre beállított program és mosogatógépben mosható "
            "tálca. Ropogós hasábburgonya egy kanál olajjal."
        ),
        "card1_price": "34 990 Ft",
        "card2_badge": "Újdonság",
        "card2_title": "Nimbus S2 robotporszívó",
        "card2_text": (
            "Egyetlen kör alatt feltérképezi az otthonát, önmagát üríti, és telefonról vagy "
            "hangasszisztenssel is vezérelhető."
        ),
        "card2_price": "99 990 Ft",
        "card3_badge": "−20%",
        "card3_title": "Tempo okos vízforraló",
        "card3_text": (
            "Állítsa be a pontos hőmérsékletet zöld teához vagy tápszerhez, és tartsa melegen "
            "akár egy órán át."
        ),
        "card3_price": "22 990 Ft",
        "add_to_cart": "Kosárba",
        "added_to_cart": "Kosárban ✓",
        "help_title": "Kérdése van? Segítünk.",
        "help_intro": (
            "A legtöbb válasz egyetlen kérdésnyire van: asszisztensünk ismeri a szállítási, "
            "visszaküldési és jótállási szabályainkat, és ha nem tud segíteni, átadja a "
            "beszélgetést kollégánknak."
        ),
        "faq1_q": "Milyen gyorsan szállítanak?",
        "faq1_a": (
            "A munkanapokon 14 óráig leadott rendelések még aznap elhagyják raktárunkat, és "
            "általában 1–2 munkanapon belül megérkeznek."
        ),
        "faq2_q": "Visszaküldhetem a terméket?",
        "faq2_a": (
            "Igen, a kézbesítéstől számított 30 napon belül, akkor is, ha már kibontotta. A "
            "visszaküldést a fiókjában indíthatja el, vagy kérdezze az asszisztenst."
        ),
        "faq3_q": "Mire vonatkozik a jótállás?",
        "faq3_a": (
            "Minden termékre legalább kétéves jótállás vonatkozik a gyártási hibákra. A "
            "termék elszállítását, javítását vagy cseréjét mi intézzük."
        ),
        "faq_more": (
            "Nem találja a választ? Nyissa meg a csevegést a sarokban. Szükség esetén "
            "kollégánk veszi át, hétfőtől péntekig 8:00 és 18:00 között."
        ),
        "footer_tagline": "Otthoni elektronika és kisgépek 2009 óta.",
        "footer_privacy": "Adatvédelem",
        "footer_terms": "ÁSZF",
        "footer_contact": "Kapcsolat",
        "footer_copyright": "© Northwind Webáruház. Kitalált cég, bemutató célra.",
        "demo_note": (
            "Bemutatóoldal: a stíluslapja szándékosan minden elemre talpas betűt, egyetlen "
            "szövegszínt és harsány gomb- és űrlapstílust kényszerít, hogy látható legyen: a "
            "csevegőablakot ez nem befolyásolja."
        ),
        "widget_title": "Northwind ügyfélszolgálat",
    },
}
