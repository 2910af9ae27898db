"""Context stage: validated models → one formatted context per document.

Each kind is a module with KIND, TITLE and documents(intake, config, options), which
yields Document objects; most kinds also expose build_context() for one project.
This package knows the models, not openpyxl, docxtpl or WeasyPrint.
"""
from __future__ import annotations

from typing import Iterator

from ..config import Config
from ..models import Intake
from . import certificate, closing_report, notice, plan, progress, proposal
from .common import Context, Document, Options, safe_name

KINDS = {m.KIND: m for m in (proposal, plan, progress, notice, certificate, closing_report)}

__all__ = ["KINDS", "Context", "Document", "Options", "documents", "safe_name"]


def documents(intake: Intake, kinds: list[str], config: Config,
              options: Options | None = None) -> Iterator[Document]:
    """Yield every document of the requested kinds, kind by kind."""
    options = options or Options()
    for kind in kinds:
        yield from KINDS[kind].documents(intake, config, options)
