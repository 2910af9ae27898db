"""立项表 (proposal): the project initiation form, one per project."""
from __future__ import annotations

from ..config import Config
from ..models import Intake, Project
from .common import Context, cn_date, date_range, joined, or_empty, paragraphs

KIND = "proposal"
TITLE = "立项表"


class TaskLine(Context):
    seq: int
    content: str
    owner: str
    deadline: str


class ProposalContext(Context):
    organization: str
    party_committee: str
    title: str
    code: str
    name: str
    branch: str
    category: str
    lead_unit: str
    practice_units: str
    leader: str
    phone: str
    members: str
    period: str
    slogan: str
    central_work: str
    background: list[str]
    objectives: list[str]
    measures: list[str]
    outcomes: list[str]
    tasks: list[TaskLine]


def build_context(project: Project, intake: Intake, config: Config) -> ProposalContext:
    """Build the 立项表 of one project."""
    return ProposalContext(
        organization=config.organization.name,
        party_committee=config.organization.party_committee,
        title="党建项目立项表",
        code=project.code,
        name=project.name,
        branch=project.branch,
        category=project.category,
        lead_unit=or_empty(project.lead_unit),
        practice_units=joined(project.practice_units),
        leader=project.leader,
        phone=or_empty(project.phone),
        members=joined(project.members),
        period=date_range(project.start, project.end),
        slogan=or_empty(project.slogan),
        central_work=or_empty(project.central_work),
        background=paragraphs(project.background),
        objectives=paragraphs(project.objectives),
        measures=paragraphs(project.measures),
        outcomes=paragraphs(project.outcomes),
        tasks=[
            TaskLine(seq=t.seq, content=t.content, owner=t.owner, deadline=cn_date(t.deadline))
            for t in intake.tasks_of(project.code)
        ],
    )


