"""Workbook I/O: the declarative layout, the reader, the blank template and the annotated copy."""
