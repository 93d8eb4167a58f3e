"""The demo page, the widget's loader script and the ES modules it imports."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bridge.app import create_app
from bridge.db.migrate import upgrade
from tests.conftest import make_settings

STATIC = Path(__file__).resolve().parents[2] / "bridge" / "web" / "static"
# "widget/x.js" and "shared/x.js": what an embedding page may load.
MODULES = sorted(
    str(path.relative_to(STATIC))
    for folder in ("widget", "shared")
    for path in (STATIC / folder).glob("*.js")
)
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
    assert "widget/main.js" in MODULES
    assert len(MODULES) > 1


@pytest.mark.parametrize("name", MODULES)
def test_each_module_is_served_as_javascript(pages: TestClient, name: str) -> None:
    response = pages.get(f"/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == JAVASCRIPT
    assert response.headers["cache-control"] == CACHE_CONTROL
    assert response.content == (STATIC / name).read_bytes()


def test_every_import_resolves_to_a_served_module(pages: TestClient) -> None:
    """A module whose name the route refuses (e.g. camelCase) would break the widget silently;
    imports are resolved as the browser does, against the importing module's URL."""
    loader = (STATIC / "widget.js").read_text(encoding="utf-8")
    assert set(re.findall(r'new URL\("widget/([^"]+)"', loader)) == {"main.js"}
    seen: set[str] = set()
    pending = ["widget/main.js"]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        assert pages.get(f"/{name}").status_code == 200, name
        source = (STATIC / name).read_text(encoding="utf-8")
        folder = Path(name).parent
        for spec in re.findall(r'from "(\.\.?/[^"]+)"', source):
            pending.append(str(Path(os.path.normpath(folder / spec))))
    assert seen == set(MODULES), "modules nobody imports, or imports of missing ones"


@pytest.mark.parametrize(
    "helper",
    [r"export function el\(", r"export function uuid\(", r"new WebSocket\(", r"function byId\("],
)
def test_the_pages_share_their_helpers_instead_of_copying_them(helper: str) -> None:
    """The widget, console, studio and dashboard import one copy from static/shared."""
    defining = sorted(
        str(path.relative_to(STATIC))
        for path in STATIC.rglob("*.js")
        if "vendor" not in path.parts and re.search(helper, path.read_text(encoding="utf-8"))
    )
    assert len(defining) == 1 and defining[0].startswith("shared/"), defining


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
        "/shared/../pages.py",
        "/shared/..%2F..%2Fapi%2Fpages.py",
        "/shared/Dom.js",
        "/shared/",
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
