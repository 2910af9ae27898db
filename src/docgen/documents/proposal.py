"""立项表 (proposal): the project initiation form, one per project."""
from __future__ import annotations

from ..config import Config
from .common import (Context, OfProject, Options, ProjectFields, cn_date, project_fields,
                     project_filing, project_subjects)

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
    date: str  # 立项日期 as the workbook gives it; "" when not given (the form then leaves its row out: the
    # 开始日期 that dates the 计划书 is no 立项日期 of record)
    tasks: list[TaskLine]

    def heading(self) -> str:
        return f"{self.name}——立项表"


def build_context(subject: OfProject, config: Config, options: Options) -> ProposalContext:
    """Build the 立项表 of one project."""
    project, intake = subject.project, subject.intake
    return ProposalContext(
        **project_fields(project),
        organization=config.organization.name,
        party_committee=config.organization.party_committee,
        title="党建项目立项表",
        date=cn_date(project.approved),
        tasks=[
            TaskLine(seq=t.seq, content=t.content, owner=t.owner, deadline=cn_date(t.deadline))
            for t in intake.tasks_of(project.code)
        ],
    )


subjects, filing = project_subjects, project_filing
