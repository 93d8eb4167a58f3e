"""The demo page, the widget's loader script and the ES modules it imports."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bridge.app import create_app
from bridge.db.migrate import upgrade
from tests.conftest import make_settings

STATIC = Path(__file__).resolve().parents[2] / "bridge" / "web" / "static"
MODULES = sorted(path.name for path in (STATIC / "widget").glob("*.js"))
JAVASCRIPT = "text/javascript; charset=utf-8"
CACHE_CONTROL = "public, max-age=300"


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[TestClient]:
    """The bridge without the Rasa stack: serving pages needs neither Rasa nor the actions."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    with TestClient(create_app(make_settings(url, stack=None))) as client:
        yield client


def test_loader_script_is_served_as_javascript(pages: TestClient) -> None:
    response = pages.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == JAVASCRIPT
    assert response.headers["cache-control"] == CACHE_CONTROL
    assert response.content == (STATIC / "widget.js").read_bytes()


def test_the_widget_is_split_into_modules() -> None:
    assert "main.js" in MODULES
    assert len(MODULES) > 1


@pytest.mark.parametrize("name", MODULES)
def test_each_module_is_served_as_javascript(pages: TestClient, name: str) -> None:
    response = pages.get(f"/widget/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == JAVASCRIPT
    assert response.headers["cache-control"] == CACHE_CONTROL
    assert response.content == (STATIC / "widget" / name).read_bytes()


def test_every_import_resolves_to_a_served_module(pages: TestClient) -> None:
    """A module whose name the route refuses (e.g. camelCase) would break the widget silently."""
    loader = (STATIC / "widget.js").read_text(encoding="utf-8")
    specifiers = set(re.findall(r'new URL\("widget/([^"]+)"', loader))
    assert specifiers == {"main.js"}
    for name in MODULES:
        source = (STATIC / "widget" / name).read_text(encoding="utf-8")
        specifiers |= {spec for spec in re.findall(r'from "\./([^"]+)"', source)}
    for spec in sorted(specifiers):
        assert pages.get(f"/widget/{spec}").status_code == 200, spec


@pytest.mark.parametrize(
    "path",
    [
        "/widget/../settings.py",
        "/widget/..%2Fsettings.py",
        "/widget/..%2F..%2Fapi%2Fpages.py",
        "/widget/%2e%2e",
        "/widget/nope.js",
        "/widget/Main.js",
        "/widget/main.mjs",
        "/widget/",
    ],
)
def test_anything_but_an_existing_module_is_not_found(pages: TestClient, path: str) -> None:
    assert pages.get(path).status_code == 404


@pytest.mark.parametrize(
    ("query", "lang"), [("", "en"), ("?lang=hu", "hu"), ("?lang=en", "en"), ("?lang=xx", "en")]
)
def test_demo_page_in_the_requested_language(pages: TestClient, query: str, lang: str) -> None:
    response = pages.get(f"/{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in response.text
    # The widget follows the page: one tag, with the same language.
    assert response.text.count('<script src="/widget.js"') == 1
    assert f'data-lang="{lang}"' in response.text
