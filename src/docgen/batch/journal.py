"""What a batch records: manifest.json at the end, a journal line per workbook meanwhile, and resuming from them."""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..documents.annual_report import LeftOut, RunYear
from ..filekinds import JOURNAL, MANIFEST
from ..issues import Skipped
from ..pipeline import VERSION, Failure, Outcome, Settings, Status, Written, atomic_file

LISTING = "清单.xlsx"


@dataclass
class BatchResult:
    """What a batch did: every workbook's outcome, the year end, the zips and the files left out."""

    out_dir: Path
    outcomes: list[Outcome]
    year_end: list[Written] = field(default_factory=list)
    year_end_failures: list[Failure] = field(default_factory=list)
    year: int | None = None
    projects: int = 0
    chosen: RunYear | None = None  # the run's year and where it came from
    left_out: list[LeftOut] = field(default_factory=list)  # projects of valid workbooks of other years
    zips: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)  # the input folder's files not read (paths relative to it)
    set_aside: list[str] = field(default_factory=list)  # earlier runs' files this run did not make, moved …
    set_aside_to: str = ""  # … into this folder (relative to out_dir), under the same relative paths

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def documents(self) -> int:
        return sum(len(o.documents) for o in self.outcomes) + len(self.year_end)

    @property
    def problems(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.status.whole]

    @property
    def unread(self) -> list[Skipped]:
        """The files left out that may be a branch's submission (.xls, .ods, a zip …)."""
        return [s for s in self.skipped if s.submission]

    @property
    def ok(self) -> bool:
        return not self.year_end_failures and not self.problems and not self.unread


def previous_entries(out: Path) -> dict[str, dict[str, Any]]:
    """The last run's entries: manifest.json, then the journal of a run that was killed before it ended."""
    entries: dict[str, dict[str, Any]] = {}
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        entries.update((entry["source"], entry) for entry in data["workbooks"])
    with contextlib.suppress(OSError):
        with open(out / JOURNAL, "rb") as journal:
            for line in journal:  # bytes: a line torn by a full disk or a kill may end inside a character
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    entry = json.loads(line.decode("utf-8"))
                    entries[entry["source"]] = entry
    return entries


def reusable(entry: dict[str, Any] | None, out: Path) -> tuple[str, tuple[dict[str, Any], ...]]:
    """The key and documents of the last run's entry when all its files are still in place, else nothing."""
    if not entry or entry.get("status") not in (Status.RENDERED, Status.UNCHANGED):
        return "", ()
    documents = tuple(entry.get("documents", []))
    for d in documents:
        target = out / d["path"]
        if not target.is_file() or target.stat().st_size != d["bytes"]:
            return "", ()
    return entry.get("key", ""), documents


def reserved_names(previous: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Names the last run gave to each workbook: they stay theirs, should those workbooks be unchanged."""
    return {d["path"]: source for source, entry in previous.items() for d in entry.get("documents", [])}


class ManifestWriter:
    """manifest.json at the end (or on Ctrl-C); meanwhile each finished workbook is appended to a journal.

    The journal costs one line per workbook however large the run; should the process be
    killed outright, the next --resume reads it next to the last manifest.json.
    """

    def __init__(self, out: Path, in_dir: Path, settings: Settings) -> None:
        self.out, self.in_dir, self.settings = out, in_dir, settings
        self.journal = open(out / JOURNAL, "a", encoding="utf-8")

    def append(self, outcome: Outcome) -> None:
        self._line(outcome.record())

    def note(self, files: list[str]) -> None:
        """Record files written besides a workbook's (the year end, the zips): should the run be killed
        before its manifest, the next run still knows them for its own."""
        if files:
            self._line({"files": files})

    def _line(self, entry: dict[str, Any]) -> None:
        self.journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.journal.flush()

    def save(self, result: BatchResult, final: bool = False, carried: list[dict[str, Any]] | None = None,
             earlier: list[str] | None = None) -> None:
        """Write manifest.json one workbook entry at a time (a large run's manifest never sits in memory whole).

        `earlier`: files of earlier runs an unfinished run leaves in place (the next finished run sets them aside).
        """
        head = json.dumps(manifest(result, self.in_dir, self.settings, final, earlier), ensure_ascii=False, indent=1)
        entries = itertools.chain((o.record() for o in sorted(result.outcomes, key=lambda o: o.index)), carried or [])
        with atomic_file(self.out / MANIFEST, "w") as handle:
            handle.write(head[:-1].rstrip() + ',\n "workbooks": [\n')
            for number, entry in enumerate(entries):
                handle.write(("," if number else "") + json.dumps(entry, ensure_ascii=False) + "\n")
            handle.write("]}\n")
        self.close()
        with contextlib.suppress(OSError):
            (self.out / JOURNAL).unlink()

    def close(self) -> None:
        self.journal.close()


def manifest(result: BatchResult, in_dir: Path, settings: Settings, final: bool = True,
             earlier: list[str] | None = None) -> dict[str, Any]:
    """What manifest.json holds besides the per-workbook entries (written after it, under "workbooks")."""
    return {
        "docgen": VERSION,
        "finished": final,
        "written_at": dt.datetime.now().isoformat(timespec="seconds"),
        "input": str(in_dir.resolve()),
        "kinds": list(settings.kinds),
        "formats": list(settings.formats),
        "date": settings.options.date.isoformat(),
        "summary": {
            "workbooks": len(result.outcomes),
            **{str(status): result.count(status) for status in Status},
            "documents": result.documents,
            "seconds": round(result.seconds, 1),
            "skipped": len(result.skipped),
            "unread": len(result.unread),
        },
        "year_end": {"year": result.year, "projects": result.projects,
                     "run_year": result.chosen.year if result.chosen else None,
                     "year_from": str(result.chosen.source) if result.chosen else None,
                     "left_out": [{"project": o.code, "name": o.name, "branch": o.branch, "source": o.source,
                                   "start": o.start.isoformat(), "end": o.end.isoformat()} for o in result.left_out],
                     "documents": [asdict(d) for d in result.year_end],
                     "failures": [asdict(f) for f in result.year_end_failures]},
        "zips": result.zips,
        "skipped": [{"source": s.path, "code": s.code, "reason": s.reason, "submission": s.submission}
                    for s in result.skipped],
        "set_aside": {"folder": result.set_aside_to or None, "files": result.set_aside},
        "earlier": earlier or [],
    }
