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
from ..linebreaks import OPENING, QUOTES, ZERO_WIDTH_SPACE, phrases, words



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


_DATE = r"(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{4}年"
# 避头尾: a closing mark never starts a line, an opening mark never ends one. Pango keeps 。，、）》 off a
# line's start by itself; the quotes are ambiguous to it, so they are glued to the character beside them.
_OPENING, _CLOSING = OPENING, "”’）》」』】〕"  # the closing marks Pango does not keep off a line start
_GLUED = re.compile(rf"[{_OPENING}]*(?:{_DATE}|[^\s&<>;{_OPENING}{_CLOSING}])[{_CLOSING}]*")


def _unbreakable(text: str) -> str:
    """Escaped text with its dates and its quoted ends each kept on one line by a nowrap span."""
    def keep(match: re.Match) -> str:
        piece = match.group(0)
        return f'<span class="nobr">{piece}</span>' if len(piece) > 1 else piece
    return _GLUED.sub(keep, text)


def unbreakable_dates(value: Any) -> Any:
    """Every value printed into HTML, escaped, with its dates kept on one line (2024年4月30日, 4月30日, 2024年)
    and no quote mark parted from the character it belongs to.

    A line may still break after 年 of a period (2024年 | 第2季度), never inside a date.
    """
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    return Markup(_unbreakable(str(escape(value))))


def whole_words(value: Any, longest: int = 8) -> Any:
    """A title or a name, escaped, whose lines break only between words (七里河区 stays whole); in a column
    narrower than `longest` characters a longer word breaks where it must. Where a break between words lies
    beside a quote mark (员|“4+N”|包干), a zero-width space offers it: Pango never breaks beside “ ” alone."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    return _kept_whole(words(value, longest))


def whole_phrases(value: Any) -> Any:
    """Text for a narrow cell, escaped, whose lines break only between its phrases (linebreaks.phrases): a date,
    a number with its unit and a word (截至, 完成) each stay on one line, and a line may break between them
    (截至 | 2024年12月20日 | 完成51.4%), as date_lines breaks the same cell in a .docx."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    return _kept_whole(phrases(value))


def _kept_whole(pieces: list[str]) -> Markup:
    """Each piece of more than one character on one line (a nowrap span); a zero-width space offers a break
    between two pieces beside a quote mark."""
    out: list[str] = []
    for piece in pieces:
        if out and (piece[0] in QUOTES or out[-1].endswith(tuple(QUOTES))):
            out.append(ZERO_WIDTH_SPACE)
        out.append(piece)
    return Markup("".join(f'<span class="nobr">{_unbreakable(str(escape(piece)))}</span>' if len(piece) > 1
                          else _unbreakable(str(escape(piece))) for piece in out))


HTML_FILTERS = {"words": whole_words, "phrases": whole_phrases}  # what HTML templates may use beyond Jinja's own


@lru_cache(maxsize=None)
def html_environment(folder: Path, own: Path | None = None) -> jinja2.Environment:
    """The HTML templates of `folder`, those of the organisation's folder `own` first (sandboxed then)."""
    folders = [str(own), str(folder)] if own is not None else [str(folder)]
    env = make_environment(jinja2.FileSystemLoader(folders), finalize=unbreakable_dates, sandboxed=own is not None)
    env.filters.update(HTML_FILTERS)
    return env


def chosen(folder: Path, own: Path | None, name: str) -> Path:
    """A template file: the organisation's own when its folder has one, else the built-in one."""
    if own is not None and (own / name).is_file():
        return own / name
    return folder / name
