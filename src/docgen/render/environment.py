"""The one Jinja configuration: strict undefined, autoescape on, shared by both backends."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

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


def make_environment(loader: jinja2.BaseLoader | None = None, finalize: Callable[[Any], Any] | None = None,
                     sandboxed: bool = False) -> jinja2.Environment:
    """Return a Jinja environment where a missing variable is an error and data is escaped; sandboxed (no
    Python internals, no imports) for templates from an organisation's own folder."""
    kind = SandboxedEnvironment if sandboxed else jinja2.Environment
    return kind(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=finalize,
    )


_DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{4}年")


def unbreakable_dates(value: Any) -> Any:
    """Every value printed into HTML, escaped, with its dates kept on one line (2024年4月30日, 4月30日, 2024年).

    A line may still break after 年 of a period (2024年 | 第2季度), never inside a date.
    """
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    text = str(escape(value))
    return Markup(_DATE.sub(lambda m: f'<span class="nobr">{m.group(0)}</span>', text))


@lru_cache(maxsize=None)
def html_environment(folder: Path, own: Path | None = None) -> jinja2.Environment:
    """The HTML templates of `folder`, those of the organisation's folder `own` first (sandboxed then)."""
    folders = [str(own), str(folder)] if own is not None else [str(folder)]
    return make_environment(jinja2.FileSystemLoader(folders), finalize=unbreakable_dates, sandboxed=own is not None)


def chosen(folder: Path, own: Path | None, name: str) -> Path:
    """A template file: the organisation's own when its folder has one, else the built-in one."""
    if own is not None and (own / name).is_file():
        return own / name
    return folder / name
