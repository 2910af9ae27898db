"""Pydantic models of the projects, tasks, progress, results, awards and photos; no I/O."""
from .period import Period
from .records import CONCLUSIONS, Award, Intake, Photo, ProgressEntry, Project, Result, Task

__all__ = ["CONCLUSIONS", "Award", "Intake", "Period", "Photo", "ProgressEntry", "Project", "Result", "Task"]
