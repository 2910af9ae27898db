"""The pipeline: workbook in → read → validate → contexts → render → files out, each step once.

process_workbook() is the per-workbook step, year_end() the step over many outcomes,
add_combined() the combined certificates. They take paths and settings and return
outcomes; the library (api), a batch and a web page only arrange calls to them, on
whichever executor (executors.py) they choose.
"""
from ..validate import Expected
from .files import (ANNOTATED_SUFFIX, LOCK, annotated_name, RETURNED, FolderInUse, Names, Placer, Renderers, atomic_file,
                    check_writable, output_lock, refuse_links, relative_name, renderers_for, returned_name,
                    write_annotated, write_atomic)
from .records import FORMATS, VERSION, Failure, Job, NotMade, Outcome, Settings, Status, Written
from .templates import export_templates, require_templates, template_problems
from .workbook import describe, load, load_located, process_workbook, render_into
from .year_end import YearEndOutcome, add_combined, clashes, year_end

WORK_FOLDER = ".docgen-work"  # inside an output folder while a run stages its files; removed when it ends

__all__ = [
    "ANNOTATED_SUFFIX", "FORMATS", "Expected", "annotated_name", "LOCK", "RETURNED", "VERSION", "WORK_FOLDER", "Failure", "FolderInUse", "Job", "NotMade",
    "Names", "Outcome", "Placer", "Renderers", "Settings", "Status", "Written", "YearEndOutcome", "add_combined",
    "atomic_file", "check_writable", "clashes", "describe", "export_templates", "load", "load_located", "output_lock",
    "process_workbook", "refuse_links", "relative_name", "render_into",
    "renderers_for", "require_templates", "returned_name", "template_problems", "write_annotated", "write_atomic",
    "year_end",
]
