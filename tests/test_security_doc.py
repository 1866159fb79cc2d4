"""docs/security.md names the tests that prove each ASVS requirement: every one it
names must still exist, so the checklist cannot quietly point at a renamed or deleted
test. Tests still on a branch are named there in plain words, not as references."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"

# `tests/test_auth.py::test_sign_in_gives_a_new_session_identifier`, optionally with a
# parametrisation in brackets, which names the same function.
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)(?:\[[^\]`]*\])?")
CHAPTERS = [f"V{number} " for number in range(1, 18)]


def references(text: str) -> list[tuple[str, str]]:
    return sorted({(path, name) for path, name in REFERENCE.findall(text)})


def missing(path: str, name: str) -> str | None:
    file = ROOT / path
    if not file.is_file():
        return f"{path} does not exist"
    if not re.search(rf"^\s*(async\s+)?def {name}\(", file.read_text(), re.MULTILINE):
        return f"{path} has no {name}"
    return None


def test_every_test_the_checklist_names_exists():
    found = references(DOC.read_text())
    problems = [problem for path, name in found if (problem := missing(path, name))]
    assert not problems, "docs/security.md names tests that do not exist:\n" + "\n".join(problems)
    # The checklist leans on the suite throughout; a handful would mean the
    # references stopped being recognised, not that the tests went away.
    assert len(found) > 100


def test_a_renamed_test_is_caught():
    assert missing("tests/test_auth.py", "test_sign_in_gives_a_new_session_identifier") is None
    assert missing("tests/test_auth.py", "test_sign_in_gives_a_new_session") is not None
    assert missing("tests/test_nowhere.py", "test_anything") is not None
    assert references("`tests/test_kiosk.py::test_a[x-y]` and tests/test_app.py::test_b") == [
        ("tests/test_app.py", "test_b"),
        ("tests/test_kiosk.py", "test_a"),
    ]


def test_the_checklist_covers_every_asvs_chapter():
    headings = [line for line in DOC.read_text().splitlines() if line.startswith("## ")]
    for chapter in CHAPTERS:
        assert any(heading.startswith(f"## {chapter}") for heading in headings), chapter
    assert any("go-live review" in heading for heading in headings)
