"""The builder of the Word templates templates/<kind>.docx, one module per document kind.

The committed templates are generated, not edited in Word: every XML part of them is what these
modules write with python-docx (named styles with eastAsia fonts, GB/T 9704 page set-up, docxtpl
tags in whole runs). To change a template's layout, change its module and run `make templates`;
tests/test_word_templates.py fails when a committed template differs from what is built here.

Every template receives its context's model_dump() (documents/<kind>.py) and holds loops and
ifs only; its fixed wording follows templates/<kind>.html so both formats carry the same text.
Beyond plain tags the templates use docxtpl's `{% cellbg expr %}` for shading decided at render
time (bar charts, flagged rows) and Jinja expressions inside XML attributes (a certificate line's
w:sz from its Fitted size, w:pageBreakBefore and w:keepNext from loop.first / loop.last).

Modules: common (page set-up, styles, paragraphs and runs, schema order), tables (table and cell
helpers), reports (blocks the reports share: 落款, bar charts, lists), package (the .docx package:
cleanup, font table, Gantt grid, writing), one module per kind, and build (the entry point).
"""
from __future__ import annotations

KINDS = ("proposal", "plan", "progress", "notice", "certificate", "closing_report", "annual_report")
