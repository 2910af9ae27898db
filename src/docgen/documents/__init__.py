"""Context stage: validated models → one formatted context per document.

Each kind is a module with KIND, TITLE and build_context(); this package knows the
models, not openpyxl, docxtpl or WeasyPrint.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..config import Config
from ..models import Intake
from . import plan, proposal
from .common import Context, safe_name

KINDS = {m.KIND: m for m in (proposal, plan)}


@dataclass(frozen=True)
class Document:
    """One document to render: its kind, where it goes and its context."""

    kind: str
    title: str
    project_code: str
    branch: str
    context: Context

    @property
    def stem(self) -> str:
        return f"{self.project_code}_{self.title}"

    @property
    def folder(self) -> str:
        return safe_name(self.branch)


def documents(intake: Intake, kinds: list[str], config: Config) -> Iterator[Document]:
    """Yield every document of the requested kinds, project by project."""
    for project in intake.projects:
        for kind in kinds:
            module = KINDS[kind]
            yield Document(kind, module.TITLE, project.code, project.branch,
                           module.build_context(project, intake, config))
