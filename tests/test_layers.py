"""The house has floors: each top-level folder imports only the folders below it (and itself).

casework (organisation, calendar, clock, errors) < cases (the ledger and its lifecycle)
< notifications (deadlines, reminders, channels) < intake (imports of batches and history)
< supervision (reports, dashboard, exports)
< ops (admin site, health, reference and demo data, benchmarks) < config (settings, urls, celery).
docs/architecture.md says why; this test keeps it so, function-local imports included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ["casework", "cases", "notifications", "intake", "supervision", "ops", "config"]


def imported_floors(path: Path) -> set[tuple[str, int]]:
    """The project folders ``path`` imports, each with the line of its first import."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in FLOORS:
                found.setdefault(top, node.lineno)
    return set(found.items())


def modules() -> list[Path]:
    return sorted(p for floor in FLOORS for p in (ROOT / floor).rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_its_own_floor_and_those_below(path: Path) -> None:
    floor = FLOORS.index(path.relative_to(ROOT).parts[0])
    upward = sorted(
        f"{name} (line {line})"
        for name, line in imported_floors(path)
        if FLOORS.index(name) > floor
    )
    assert upward == [], f"{path.relative_to(ROOT)} imports from a floor above it: {upward}"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from supervision import reports\n", encoding="utf-8")
    assert imported_floors(module) == {("supervision", 2)}


def test_every_floor_is_an_installed_app_in_floor_order() -> None:
    from django.conf import settings

    apps = [a for a in settings.INSTALLED_APPS if a in FLOORS]
    assert apps == FLOORS[:-1]  # config is the settings themselves, not an app
