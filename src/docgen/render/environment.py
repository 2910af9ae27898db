"""The one Jinja configuration: strict undefined, autoescape on, shared by both backends."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..errors import TemplateError


def template_dir() -> Path:
    """Templates ship inside the package; a source checkout keeps them at the top level."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "templates"
    if checkout.is_dir():
        return checkout
    raise TemplateError("找不到文书模板目录（templates），请重新安装 docgen")


def make_environment(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """Return a Jinja environment where a missing variable is an error and data is escaped."""
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=None)
def html_environment(folder: Path) -> jinja2.Environment:
    return make_environment(jinja2.FileSystemLoader(str(folder)))
