"""The README's settings table names every setting the bridge reads."""

import re
from pathlib import Path

from actions.settings import ActionSettings
from bridge.settings import Settings
from knowledge_base.settings import KBSettings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_bridge_setting_is_documented() -> None:
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`([A-Z0-9_]+)`", row.split("|")[1])}
    names = {name.upper() for name in Settings.model_fields}
    names |= {name.upper() for name in ActionSettings.model_fields}
    names |= {f"KB_{name.upper()}" for name in KBSettings.model_fields}
    assert names <= documented, names - documented


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.read_text().split("```")[1]
    assert "make run" in first_block and "make test" in first_block
