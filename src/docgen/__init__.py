"""docgen: check Party-building project intake workbooks and render their documents."""
from .api import annotate, find_workbooks, load, render, validate
from .config import Config, load_config
from .errors import DocgenError
from .issues import FileReport, Issue, Location, Report

__all__ = [
    "Config", "DocgenError", "FileReport", "Issue", "Location", "Report",
    "annotate", "find_workbooks", "load", "load_config", "render", "validate",
]
