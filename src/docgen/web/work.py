"""The CPU work of the pages, done in worker processes so that checks from many branches use every core.

Each function takes and returns plain data (paths, dicts, dataclasses): it runs in a pool
worker (executors.ProcessPool) when the server has more than one core, else in a thread.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .. import api
from ..config import Config
from . import sheets
from .store import copy_upload


def check(path: str, config: Config) -> tuple[dict[str, Any], int, int]:
    """The report of the workbook at `path` (api.load, as the CLI checks), with its error and warning counts."""
    _, report = api.load(path, config)
    return report.to_dict(), len(report.errors), len(report.warnings)


def draw(path: str, report: dict[str, Any], config: Config) -> list[sheets.SheetView]:
    return sheets.draw(Path(path), report, config.limits)


def annotated(path: str, original: str, config: Config) -> bytes:
    """The CLI's marked copy of the upload at `path`, made under the name the branch gave it
    (its 校验结果 sheet names the file)."""
    with tempfile.TemporaryDirectory() as folder:
        named = Path(folder) / original
        copy_upload(Path(path), named)  # its photos beside it, as when it was checked
        _, report = api.load(named, config)
        return api.annotate(report, Path(folder) / "out").read_bytes()
