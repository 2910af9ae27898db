"""The accounts of the web page's tests: an administrator and branches, all with one password."""
from __future__ import annotations

from pathlib import Path

from docgen.web import Store
from docgen.web.security import hash_password

PASSWORD = "dangjian2024"
BRANCHES = {"chengguan": "城关供电服务中心党支部", "xigu": "西固供电服务中心党支部"}


def data_folder(folder: Path, branches: tuple[str, ...] = tuple(BRANCHES), admin: bool = True,
                database: str | None = None) -> Store:
    """A data folder (its database at `database` when given) with the administrator "admin" (when
    `admin`) and the named branch accounts."""
    store = Store(folder, database)
    if admin:
        store.add_account("admin", "admin", password=hash_password(PASSWORD))
    for name in branches:
        store.add_account(name, "branch", BRANCHES[name], password=hash_password(PASSWORD))
    return store
