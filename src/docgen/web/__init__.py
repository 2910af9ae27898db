"""docgen serve: the web page where branches check and hand in workbooks and the department reviews them.

app.py holds the pages, store.py the accounts, checks and submissions (SQLAlchemy Core,
Alembic migrations), security.py passwords, sessions, CSRF and throttling, sheets.py the
drawing of a checked workbook.
"""
from .app import create_app
from .store import Store

__all__ = ["Store", "create_app"]
