"""Render stage: template + context dict → document bytes (.docx through docxtpl, PDF through WeasyPrint).

This package knows templates and plain dicts; it does not know the models or the workbook.
"""
from .environment import template_dir
from .docx import DocxRenderer
from .pdf import PdfRenderer, subsetter_missing

__all__ = ["DocxRenderer", "PdfRenderer", "subsetter_missing", "template_dir"]
