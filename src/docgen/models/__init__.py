"""Pydantic models of the projects, tasks, progress, results and awards; no I/O."""
from .period import Period
from .records import CONCLUSIONS, Award, Intake, Progress, Project, Result, Task

__all__ = ["CONCLUSIONS", "Award", "Intake", "Period", "Progress", "Project", "Result", "Task"]
