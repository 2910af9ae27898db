"""The organisation's own templates, checked against the kinds' contexts before anything is rendered."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from ..config import Config, load_config
from ..documents import KINDS, TITLES, Options, WORKBOOK_KINDS, annual_report, documents, year_end_documents
from ..documents.shapes import guide, kind_shapes
from ..errors import DocgenError, TemplateError
from ..render import template_dir
from ..render.lint import Problem, check_folder
from .workbook import load

GUIDE = "说明.md"

SHOWN = 20  # problems named when a run is stopped


def template_problems(folder: Path) -> list[Problem]:
    """Every problem of the templates in `folder`."""
    if not folder.is_dir():
        return [Problem(str(folder), "整个文件夹", "模板文件夹不存在")]
    return check_folder(folder, kind_shapes(), TITLES)


def require_templates(config: Config) -> None:
    """Stop a run before it renders anything when the organisation's templates ([templates] dir) have errors."""
    folder = config.template_folder()
    if folder is None:
        return
    errors = [p for p in template_problems(folder) if p.error]
    if errors:
        listed = "\n".join(f"  {p}" for p in errors[:SHOWN])
        more = f"\n  ……另有 {len(errors) - SHOWN} 处" if len(errors) > SHOWN else ""
        raise TemplateError(f"模板文件夹 {folder} 中的模板有误，没有生成任何文书：\n{listed}{more}\n"
                            f"改正后再运行；docgen templates check 可单独检查模板。")


def export_templates(target: Path, samples: Path, force: bool = False) -> list[Path]:
    """Copy docgen's templates into `target` with a 说明.md of every kind's variables; never over a file
    already there unless `force`. The files written."""
    built_in = sorted(p for p in template_dir().iterdir() if p.suffix in (".docx", ".html", ".css"))
    names = [p.name for p in built_in] + [GUIDE]
    existing = [name for name in names if (target / name).exists()]
    if existing and not force:
        raise DocgenError(f"{target} 中已有 {'、'.join(existing[:5])}{'等' if len(existing) > 5 else ''}，"
                          f"没有覆盖；换一个空文件夹，或加 --force 覆盖")
    target.mkdir(parents=True, exist_ok=True)
    for path in built_in:
        shutil.copyfile(path, target / path.name)
    (target / GUIDE).write_text(guide_text(samples), encoding="utf-8")
    return [target / name for name in names]


def guide_text(samples: Path) -> str:
    """说明.md: how a template is written, then each kind's variables with their meaning and an example value."""
    examples = _examples(samples)
    shapes = kind_shapes()
    lines = ["# 文书模板说明", "",
             "本文件夹中是 docgen 自带的模板。在 docgen.toml 中写 `[templates]` 的 `dir = \"本文件夹\"` 后，"
             "这里的 `<种类>.docx`（Word 文书）、`<种类>.html` 和 `document.css`（PDF 文书）代替自带的模板；"
             "不需要改的可以删掉，仍用自带的。改完运行 `docgen templates check` 检查。", "",
             "## 写法", "",
             "- `{{ 变量 }}` 写出一项内容，如 `{{ leader }}`；列表中每一项的内容写作 `{{ task.owner }}`。",
             "- `{% for task in tasks %}`……`{% endfor %}` 对列表的每一项重复；`{% if 变量 %}`……`{% endif %}` 只在有内容时写出。",
             "- Word 中：整段重复用 `{%p for … %}`、`{%p endfor %}`（各占一段）；表格整行重复用 `{%tr for … %}`、"
             "`{%tr endfor %}`（各占一行）；整列用 `{%tc … %}`。",
             "- 标签中的括号、百分号、引号都是半角的（中文输入法下先切到英文标点）。", "",
             "下表“示例”一列来自 docgen 自带的示例申报表。", ""]
    for kind, shape in shapes.items():
        lines += guide(kind, TITLES[kind], shape, examples.get(kind))
    return "\n".join(lines)


def _examples(samples: Path) -> dict[str, dict[str, Any]]:
    """The context of one document of every kind, made from the bundled sample workbooks."""
    config = load_config(samples / "docgen.toml") if (samples / "docgen.toml").is_file() else Config()
    options = Options(date=dt.date(2024, 12, 23))
    intakes = [intake for intake, _ in (load(p, config) for p in sorted(samples.glob("*.xlsx"))) if intake is not None]
    found: dict[str, dict[str, Any]] = {}
    for intake in intakes:
        for document in documents(intake, WORKBOOK_KINDS, config, options):
            found.setdefault(document.kind, document.context.model_dump())
    if intakes:
        data = annual_report.year_end(intakes, config, options)
        for document in year_end_documents(data, [k for k in KINDS if k == annual_report.KIND], config, options):
            found[document.kind] = document.context.model_dump()
    return found
