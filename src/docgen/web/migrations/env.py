"""Alembic's environment for docgen's web store: the database URL comes from the caller (store.upgrade)."""
from alembic import context
from sqlalchemy import create_engine

from docgen.web.store import metadata

url = context.config.get_main_option("sqlalchemy.url")
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
