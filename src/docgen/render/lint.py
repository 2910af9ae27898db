"""Checking a template against its kind's context before anything is rendered.

A template a clerk edits in Word or a text editor goes wrong in a few known ways: a variable
misspelt ({{ leadr }}), an attribute a loop's items do not have, a loop over something that
is not a list, braces or a percent sign typed by a Chinese input method (｛｛ ｝｝ ％),
curly quotes inside a tag, a {% for %} that crosses table cells without docxtpl's tr/tc.
check_html() and check_docx() find them and say where in the clerk's terms: the line of an
.html, or for a .docx "正文第 5 段", "第 2 个表格 第 3 行第 2 列", "页眉", "页脚".

The shapes come from documents.shapes as plain data: this module knows templates, not models.
"""
from __future__ import annotations

import difflib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from .docx import FILTERS
from .environment import HTML_FILTERS

GLOBALS = {"loop", "range", "dict", "lipsum", "cycler", "joiner", "namespace", "caller", "varargs", "kwargs",
           "true", "false", "none", "True", "False", "None"}
SCALARS = {"text": "文字", "number": "数字", "flag": "是否"}
# Variables the documents once had and no longer state: a department's own template written against them is told why.
_SELF_REPORTED = "文书只写按各任务完成比例算出的完成比例（completion），支部自报的比例不再印入文书"
_ELIGIBILITY = "评优资格由党建部在年度汇总报告和台账中认定，结题报告不再写"
RETIRED = {
    "reported_completion": _SELF_REPORTED,
    "reported": _SELF_REPORTED,
    "completion_method": "完成比例的算法写在使用说明和台账的“说明”表中，不再印入文书",
    "eligible": _ELIGIBILITY, "eligibility": _ELIGIBILITY, "reasons": _ELIGIBILITY, "at_risk": _ELIGIBILITY,
}
_FULL_WIDTH = re.compile(r"｛｛|｝｝|｛%|%｝|｛％|％｝|\{％|％\}|\{\{\s*[^{}]*｝|｛[^{}]*\}\}")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_CURLY = re.compile("[“”‘’]")
_HALF_WIDTH = str.maketrans({"｛": "{", "｝": "}", "％": "%", "“": '"', "”": '"', "‘": "'", "’": "'"})
_DOCX_PREFIX = re.compile(r"\{([{%])(?:p|tr|tc|r)\s")
_DOCX_CELL_TAGS = re.compile(r"\{%\s*(?:cellbg|colspan)\s+(.*?)%\}")
_DOCX_MERGE_TAGS = re.compile(r"\{%\s*(?:hm|vm)\s*%\}")
_LOOP_TAG = re.compile(r"\{%-?\s*(p|tr|tc|r)?\s*(for|endfor)\b")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")
_PART_PLACE = {"header": "页眉", "footer": "页脚", "footnotes": "脚注"}


@dataclass(frozen=True)
class Problem:
    """One problem of a template, located for the clerk."""

    file: str  # the template's file name: proposal.docx, plan.html
    place: str  # 第 12 行, 正文第 5 段, 第 2 个表格 第 3 行第 2 列, 页眉 …
    message: str
    error: bool = True  # False: told, but the template is still used

    def __str__(self) -> str:
        return f"{self.file} {self.place}：{self.message}"


def environment() -> SandboxedEnvironment:
    """The environment templates from a clerk's folder are rendered in: no Python internals, no imports."""
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


# --- the walk over a template's syntax tree ---------------------------------------------------------

class _Walk:
    """Every name, attribute and loop of a parsed template checked against the context's shape."""

    def __init__(self, shape: dict[str, Any], filters: set[str], report: Any) -> None:
        self.top = shape
        self.filters = filters
        self.report = report  # report(lineno, message)

    def template(self, tree: nodes.Template) -> None:
        scope: dict[str, Any] = dict(self.top)
        for macro in tree.find_all(nodes.Macro):
            scope[macro.name] = "any"
        self.body(tree.body, scope)

    def body(self, statements: list[nodes.Node], scope: dict[str, Any]) -> None:
        for statement in statements:
            self.statement(statement, scope)

    def statement(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            items = self.expr(node.iter, scope)
            if isinstance(items, list):
                item = items[0]
            else:
                if items in SCALARS or isinstance(items, dict):
                    self.report(node.lineno, f"“{_source(node.iter)}”是{_describe(items)}，不是列表，不能用 for 循环")
                item = "any"
            inner = dict(scope)
            self.bind(node.target, item, inner)
            inner["loop"] = "any"
            if node.test is not None:
                self.expr(node.test, inner)
            self.body(node.body, inner)
            self.body(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            self.bind(node.target, self.expr(node.node, scope), scope)
        elif isinstance(node, nodes.AssignBlock):
            self.body(node.body, scope)
            self.bind(node.target, "any", scope)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            for arg in node.args:
                self.bind(arg, "any", inner)
            inner.update(caller="any", varargs="any", kwargs="any")
            if isinstance(node, nodes.CallBlock):
                self.expr(node.call, scope)
            self.body(node.body, inner)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self.bind(target, self.expr(value, scope), inner)
            self.body(node.body, inner)
        elif isinstance(node, nodes.Expr):
            self.expr(node, scope)
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self.expr(child, scope)
                else:
                    self.statement(child, scope)

    def bind(self, target: nodes.Node, shape: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, "any", scope)

    def expr(self, node: nodes.Node, scope: dict[str, Any]) -> Any:
        """The shape of an expression ("any" when unknown), every problem in it reported."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in RETIRED:
                self.report(node.lineno, f"变量“{node.name}”已停用：{RETIRED[node.name]}")
            elif node.name not in GLOBALS:
                self.report(node.lineno, f"没有变量“{node.name}”" + _suggest(node.name, scope))
            return "any"
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            attr = node.attr if isinstance(node, nodes.Getattr) else (
                node.arg.value if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) else None)
            if isinstance(node.node, nodes.Name) and node.node.name not in scope and node.node.name not in GLOBALS:
                hint = f"；要写的可能是 {{{{ {attr} }}}}" if attr in scope else _suggest(node.node.name, scope)
                self.report(node.lineno, f"没有变量“{node.node.name}”" + hint)
                return "any"
            base = self.expr(node.node, scope)
            if attr is not None and attr.startswith("_"):
                self.report(node.lineno, f"模板中不能使用“{attr}”这样以下划线开头的内部属性")
                return "any"
            if isinstance(node, nodes.Getitem) and attr is None:
                self.expr(node.arg, scope)
                return base[0] if isinstance(base, list) else "any"
            if isinstance(base, dict):
                if attr in base:
                    return base[attr]
                if attr in RETIRED:
                    self.report(node.lineno, f"“{_source(node.node)}”的“{attr}”已停用：{RETIRED[attr]}")
                    return "any"
                self.report(node.lineno, f"“{_source(node.node)}”没有“{attr}”" + _suggest(attr, base)
                            + f"（它有：{'、'.join(base)}）")
            elif isinstance(base, list) and attr not in ("append", "index", "count"):
                self.report(node.lineno, f"“{_source(node.node)}”是列表，要用 for 循环逐项写出它的“{attr}”")
            return "any"
        if isinstance(node, nodes.Filter):
            base = self.expr(node.node, scope) if node.node is not None else "any"
            self._arguments(node, scope)
            if node.name not in self.filters:
                self.report(node.lineno, f"没有过滤器“{node.name}”" + _suggest(node.name, self.filters))
            if node.name in ("first", "last") and isinstance(base, list):
                return base[0]
            if node.name in ("length", "count", "int", "float"):
                return "number"
            if node.name in ("list", "sort", "reverse", "unique", "reject", "select", "rejectattr", "selectattr"):
                return base if isinstance(base, list) else "any"
            return "any"
        if isinstance(node, nodes.Call):
            self.expr(node.node, scope)
            self._arguments(node, scope)
            return "any"
        if isinstance(node, nodes.Const):
            return "text" if isinstance(node.value, str) else "any"
        for child in node.iter_child_nodes():
            self.expr(child, scope) if isinstance(child, nodes.Expr) else self.statement(child, scope)
        return "any"

    def _arguments(self, node: nodes.Filter | nodes.Call, scope: dict[str, Any]) -> None:
        for arg in [*node.args, *(k.value for k in node.kwargs)]:
            self.expr(arg, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.expr(extra, scope)


def _source(node: nodes.Node) -> str:
    """An expression as the template wrote it, near enough: name, name.attr, name[0]."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_source(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_source(node.node)}[{node.arg.value!r}]"
    if isinstance(node, nodes.Filter):
        return f"{_source(node.node)}|{node.name}" if node.node is not None else node.name
    return "这个表达式"


def _describe(shape: Any) -> str:
    return SCALARS.get(shape, "一组内容") if not isinstance(shape, list) else "列表"


def _suggest(name: str | None, known: Any) -> str:
    close = difflib.get_close_matches(name or "", list(known), n=1, cutoff=0.6)
    return f"；要写的可能是“{close[0]}”" if close else ""


def _syntax(exc: jinja2.TemplateSyntaxError) -> str:
    text = exc.message or ""
    if "Unexpected end of template" in text:
        return "标签没有结束：缺少 {% endfor %} 或 {% endif %} 等结束标签"
    if "unknown tag" in text:
        tag = re.search(r"unknown tag '(\w+)'", text)
        return f"不认识的标签“{tag[1] if tag else ''}”（或它前面缺少对应的开始标签，如 for、if）"
    if "unexpected char" in text:
        return f"标签中有不认识的字符（{text.split('unexpected char', 1)[1].strip()}），标签里只能用半角字符"
    return f"标签写法有误（{text}）"


def _text_problems(text: str) -> Iterator[str]:
    """Braces, percent signs and quotes a Chinese input method typed, in a line or a paragraph."""
    if _FULL_WIDTH.search(text):
        yield "标签用了中文输入法的全角括号或百分号（｛ ｝ ％）：应为半角的 {{ }} 或 {% %}"
    for tag in _TAG.findall(text):
        if _CURLY.search(tag):
            yield f"标签 {tag} 中有中文引号（“ ” ‘ ’）：标签里的引号应为半角的 \" 或 '"


def check_source(source: str, shape: dict[str, Any], place: Any, file: str) -> list[Problem]:
    """The problems of one template's Jinja source; place(lineno) says where a line lies."""
    found: list[Problem] = []
    for number, line in enumerate(source.split("\n"), start=1):
        for message in _text_problems(line):
            found.append(Problem(file, place(number), message))
    env = environment()
    try:  # what the input method typed, put right, so that the rest of the template is still checked
        tree = env.parse(source.translate(_HALF_WIDTH))
    except jinja2.TemplateSyntaxError as exc:
        found.append(Problem(file, place(exc.lineno), _syntax(exc)))
        return found
    _Walk(shape, set(env.filters) | set(FILTERS) | set(HTML_FILTERS), lambda lineno, message: found.append(Problem(file, place(lineno), message))) \
        .template(tree)
    return _once(found)


def _once(found: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(found))


def check_html(source: str, shape: dict[str, Any], file: str) -> list[Problem]:
    return check_source(source, shape, lambda lineno: f"第 {lineno} 行", file)


# --- .docx: one line per paragraph, each paragraph placed in Word's terms ---------------------------

@dataclass(frozen=True)
class _Paragraph:
    text: str
    place: str
    cell: tuple[int, int, int] | None  # (table, row, column) of a paragraph in a table


def paragraphs(path: Path) -> Iterator[tuple[str, list[_Paragraph]]]:
    """Each templated part of a .docx (document, headers, footers) with its paragraphs in order."""
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            match = _PART.match(name)
            if not match:
                continue
            root = etree.fromstring(archive.read(name))
            part = re.sub(r"\d+$", "", match[1])
            yield name, list(_placed(root, _PART_PLACE.get(part)))


def _placed(root: Any, part_place: str | None) -> Iterator[_Paragraph]:
    body_count = 0
    tables: dict[Any, int] = {}
    for paragraph in root.iter(f"{W}p"):
        text = "".join(t.text or "" for t in paragraph.iter(f"{W}t"))
        cell = paragraph.getparent()
        if cell is not None and cell.tag == f"{W}tc":
            row = cell.getparent()
            table = row.getparent()
            outer = table
            while outer.getparent() is not None and outer.getparent().tag != f"{W}body":
                outer = outer.getparent()
            number = tables.setdefault(outer if part_place is None else table, len(tables) + 1)
            r = [c for c in table if c.tag == f"{W}tr"].index(row) + 1
            c = [c for c in row if c.tag == f"{W}tc"].index(cell) + 1
            place = f"第 {number} 个表格 第 {r} 行第 {c} 列"
            found = _Paragraph(text, f"{part_place} {place}" if part_place else place, (number, r, c))
        else:
            body_count += 1
            found = _Paragraph(text, part_place or f"正文第 {body_count} 段", None)
        yield found


def docx_source(text: str) -> str:
    """A paragraph's text with docxtpl's own tags ({%p …%}, {%tr …%}, {% cellbg … %}) as plain Jinja."""
    text = _DOCX_PREFIX.sub(lambda m: "{" + m[1] + " ", text)
    text = _DOCX_CELL_TAGS.sub(lambda m: "{{ " + m[1] + "}}", text)
    return _DOCX_MERGE_TAGS.sub("", text)


def check_docx(path: Path, shape: dict[str, Any]) -> list[Problem]:
    """The problems of a Word template, each placed at its paragraph, table cell, header or footer."""
    file = path.name
    try:
        parts = list(paragraphs(path))
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        return [Problem(file, "整个文件", f"不是可以读取的 Word 文件（.docx）：{exc}")]
    found: list[Problem] = []
    for _, lines in parts:
        source = "\n".join(docx_source(p.text) for p in lines)
        found += check_source(source, shape, lambda lineno: lines[max(0, min(lineno, len(lines)) - 1)].place, file)
        found += _loops_across_cells(lines, file)
    return _once(found)


def _loops_across_cells(lines: list[_Paragraph], file: str) -> list[Problem]:
    """A plain {% for %} whose {% endfor %} lies in another table cell breaks the table's XML."""
    open_loops: list[tuple[str | None, _Paragraph]] = []
    found = []
    for paragraph in lines:
        for prefix, word in _LOOP_TAG.findall(paragraph.text):
            if word == "for":
                open_loops.append((prefix or None, paragraph))
            elif open_loops:
                kind, start = open_loops.pop()
                if kind is None and prefix == "" and (start.cell or paragraph.cell) and start.cell != paragraph.cell:
                    found.append(Problem(file, start.place, "这个 for 循环的 endfor 在另一个单元格里：要重复表格的一行，"
                                         "请写成 {%tr for … %} … {%tr endfor %}（重复一列用 {%tc … %}）"))
    return found


def check_folder(folder: Path, shapes: dict[str, dict[str, Any]], titles: dict[str, str]) -> list[Problem]:
    """The problems of every template in an organisation's folder: <kind>.docx and <kind>.html against
    their kind's shape; a file of no kind is named, since docgen will not use it."""
    found: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")) or path.is_dir():
            continue
        kind, suffix = path.stem, path.suffix.lower()
        if suffix == ".css" or path.name == "说明.md":
            continue
        if suffix not in (".docx", ".html") or kind not in shapes:
            meant = next((k for k, title in titles.items() if title in kind and k in shapes), None)
            hint = (f"；{titles[meant]}的模板应命名为 {meant}{suffix if suffix in ('.docx', '.html') else '.docx'}"
                    if meant else "")
            names = "、".join(f"{k}（{titles.get(k, k)}）" for k in shapes)
            found.append(Problem(path.name, "整个文件", f"文件名不是文书种类，docgen 不会使用它{hint}。"
                                 f"模板按种类命名为 <种类>.docx 或 <种类>.html：{names}", error=False))
        elif suffix == ".docx":
            found += check_docx(path, shapes[kind])
        else:
            try:
                source = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                found.append(Problem(path.name, "整个文件", "不是 UTF-8 编码的文本；请用记事本“另存为”UTF-8"))
                continue
            found += check_html(source, shapes[kind], path.name)
    return found
