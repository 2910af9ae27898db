"""A sample workbook with one change, as a branch sends it: for the tests of what docgen reads."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Callable

from openpyxl import load_workbook

SAMPLES = Path(__file__).parent.parent / "samples"
CHENGGUAN = SAMPLES / "城关供电服务中心党支部.xlsx"


def changed(tmp_path: Path, change: Callable, source: Path = CHENGGUAN, name: str | None = None) -> Path:
    """A copy of a sample workbook with `change(book)` applied and saved (openpyxl)."""
    target = tmp_path / (name or source.name)
    book = load_workbook(source)
    change(book)
    book.save(target)
    return target


def put(ref: str, value: object, number_format: str | None = None, data_type: str | None = None) -> Callable:
    """A change: the cell `ref` (sheet!cell) given a value, and a number format and a type when named."""
    sheet, cell = ref.split("!")

    def change(book) -> None:
        target = book[sheet][cell]
        target.value = value
        if number_format is not None:
            target.number_format = number_format
        if data_type is not None:
            target.data_type = data_type
    return change


def with_builtin_format(path: Path, code: str, builtin_id: int) -> Path:
    """Rewrite the workbook so that cells formatted `code` carry the built-in numFmtId `builtin_id` instead, with
    no <numFmt> element, as a Chinese Excel or WPS saves its own date styles."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    styles = parts["xl/styles.xml"].decode("utf-8")
    escaped = code.replace("&", "&amp;").replace('"', "&quot;")
    m = re.search(r'<numFmt numFmtId="(\d+)" formatCode="' + re.escape(escaped) + r'"\s*/>', styles)
    assert m, f"format {code} not in styles.xml"
    custom = m.group(1)
    styles = styles.replace(m.group(0), "")
    styles = re.sub(rf'numFmtId="{custom}"', f'numFmtId="{builtin_id}"', styles)
    parts["xl/styles.xml"] = styles.encode("utf-8")
    shutil.move(path, path.with_suffix(".bak"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path
