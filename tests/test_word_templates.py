"""The committed Word templates (templates/*.docx) are exactly what tools/word_templates builds."""
from __future__ import annotations

import difflib
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from word_templates import KINDS  # noqa: E402
from word_templates.build import build  # noqa: E402

SHOWN_LINES = 40


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pretty(data: bytes) -> list[str]:
    """An XML part one element a line (the parts themselves have no line breaks)."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError:
        return data.decode("utf-8", "replace").splitlines()
    return etree.tostring(root, pretty_print=True, encoding="unicode").splitlines()


def first_differences(built: bytes, committed: bytes) -> str:
    diff = difflib.unified_diff(pretty(committed), pretty(built), "committed", "built", n=2, lineterm="")
    return "\n".join(line[:300] for line in list(diff)[:SHOWN_LINES])


@pytest.mark.parametrize("kind", KINDS)
def test_committed_template_is_what_the_builder_makes(kind, tmp_path):
    [(path, _, _)] = build([kind], tmp_path)
    committed_path = ROOT / "templates" / f"{kind}.docx"
    built, committed = members(path), members(committed_path)
    hint = "change tools/word_templates and run `make templates`, never the .docx itself"
    assert list(built) == list(committed), (
        f"templates/{kind}.docx: the package's parts differ from the builder's ({hint})\n"
        f"  committed: {list(committed)}\n  built:     {list(built)}")
    for part, data in built.items():
        if data != committed[part]:
            pytest.fail(f"templates/{kind}.docx: part {part} differs from what the builder makes ({hint}); "
                        f"first differences:\n{first_differences(data, committed[part])}", pytrace=False)
