"""Pydantic models of the projects, tasks, progress, results and awards; no I/O."""
from .period import Period
from .records import CONCLUSIONS, Award, Intake, ProgressEntry, Project, Result, Task

__all__ = ["CONCLUSIONS", "Award", "Intake", "Period", "ProgressEntry", "Project", "Result", "Task"]
