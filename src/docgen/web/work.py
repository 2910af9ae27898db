"""The CPU work of the pages, done in worker processes so that checks from many branches use every core.

Each function takes and returns plain data (paths, dicts, dataclasses): it runs in a pool
worker (executors.ProcessPool) when the server has more than one core, else in a thread.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from .. import api
from ..config import Config
from . import sheets
from .store import copy_upload


def check(path: str, config: Config, expected: api.Expected | None = None) -> tuple[dict[str, Any], int, int,
                                                                                     list[str]]:
    """The report of the workbook at `path` (api.load, as the CLI checks, against `expected`: the account's
    organisation and the codes other branches hold), its error and warning counts and its project codes.

    The report keeps what of `expected` it applied ("expected"), so that its marked copy is made by the
    same check (annotated)."""
    intake, report = api.load(path, config, expected)
    codes = [project.code for project in intake.projects] if intake is not None else []
    found = report.to_dict()
    if expected is not None:
        found["expected"] = {"organisation": expected.organisation,
                             "written": expected.written.isoformat() if expected.written else None,
                             "taken": {code: other for code, other in expected.taken.items()
                                       if any(i.code == "project_code_taken"
                                              and api.code_key(str(i.value)) == api.code_key(code)
                                              for i in report.issues)}}
    return found, len(report.errors), len(report.warnings), codes


def expected_of(report: dict[str, Any]) -> api.Expected | None:
    """What a stored report was checked against (check()), for the same check again."""
    given = report.get("expected")
    if not given:
        return None
    written = given.get("written")
    return api.Expected(given.get("organisation"), dict(given.get("taken") or {}),
                        dt.date.fromisoformat(written) if written else None)


def draw(path: str, report: dict[str, Any], config: Config) -> list[sheets.SheetView]:
    return sheets.draw(Path(path), report, config.limits)


def annotated(path: str, original: str, config: Config, expected: api.Expected | None = None) -> bytes:
    """The CLI's marked copy of the upload at `path`, made under the name the branch gave it
    (its 校验结果 sheet names the file), checked against what its check was (expected_of)."""
    with tempfile.TemporaryDirectory() as folder:
        named = Path(folder) / original
        copy_upload(Path(path), named)  # its photos beside it, as when it was checked
        _, report = api.load(named, config, expected)
        return api.annotate(report, Path(folder) / "out").read_bytes()
