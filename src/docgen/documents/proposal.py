"""立项表 (proposal): the project initiation form, one per project."""
from __future__ import annotations

from ..config import Config
from ..models import Intake, Project
from .common import Context, Options, ProjectFields, per_project, cn_date, project_fields

KIND = "proposal"
TITLE = "立项表"


class TaskLine(Context):
    seq: int
    content: str
    owner: str
    deadline: str


class ProposalContext(ProjectFields):
    organization: str
    party_committee: str
    title: str
    tasks: list[TaskLine]

    def heading(self) -> str:
        return f"{self.name}——立项表"


def build_context(project: Project, intake: Intake, config: Config, options: Options) -> ProposalContext:
    """Build the 立项表 of one project."""
    return ProposalContext(
        **project_fields(project),
        organization=config.organization.name,
        party_committee=config.organization.party_committee,
        title="党建项目立项表",
        tasks=[
            TaskLine(seq=t.seq, content=t.content, owner=t.owner, deadline=cn_date(t.deadline))
            for t in intake.tasks_of(project.code)
        ],
    )


documents = per_project(KIND, TITLE, build_context)
