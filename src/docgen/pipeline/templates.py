"""The organisation's own templates, checked against the kinds' contexts before anything is rendered."""
from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..documents import TITLES
from ..documents.shapes import kind_shapes
from ..errors import TemplateError
from ..render.lint import Problem, check_folder

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
