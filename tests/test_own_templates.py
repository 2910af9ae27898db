"""An organisation's own templates ([templates] dir): used instead of docgen's, checked before anything is
rendered with every problem placed where the clerk will look for it, and rendered in a sandbox."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as WordDocument

from builder import valid_book
from conftest import CONFIG
from docgen import api
from docgen.cli import main
from docgen.errors import TemplateError
from docgen.render.environment import template_dir

BUILT_IN = template_dir()


def own(folder: Path, *names: str) -> Path:
    """A template folder holding copies of these built-in templates, and a configuration that names it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(BUILT_IN / name, folder / name)
    return folder


def configured(folder: Path):
    return CONFIG.model_copy(update={"templates": CONFIG.templates.model_copy(update={"dir": str(folder)})})


def edit_part(path: Path, part: str, change) -> None:
    """Rewrite one XML part of a .docx, as Word does when it saves."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == part else data)


def as_word_saves_it(path: Path) -> None:
    """What Word does to a template a clerk touched: a tag split into runs of different formatting (and a
    proofing mark), a style renamed, the form table moved above the title."""
    def document(xml: str) -> str:
        xml = xml.replace("<w:t>{{ leader }}</w:t>", '<w:t>{{ lea</w:t></w:r><w:proofErr w:type="spellStart"/>'
                          '<w:r><w:rPr><w:b/></w:rPr><w:t>der }}</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r>'
                          '<w:t></w:t>')
        body = re.search(r"<w:body>(.*)</w:body>", xml, re.S)[1]
        table = re.search(r"<w:tbl>.*</w:tbl>", body, re.S)[0]
        moved = table + body.replace(table, "")
        return xml.replace(body, moved)
    edit_part(path, "word/document.xml", document)
    edit_part(path, "word/styles.xml", lambda xml: xml.replace('w:name w:val="表单文字"', 'w:name w:val="表格正文"'))


def test_a_template_edited_the_way_word_saves_it_still_renders_in_place_of_docgens(tmp_path):
    folder = own(tmp_path / "模板", "proposal.docx")
    as_word_saves_it(folder / "proposal.docx")
    assert api.check_templates(folder)[1] == []
    book = valid_book().save(tmp_path / "城关.xlsx")
    run = api.render([book], tmp_path / "out", ["proposal", "plan"], ["docx"], configured(folder), api.Options())
    written = {Path(d.path).name: tmp_path / "out" / d.path for d in run.outcomes[0].documents}
    word = WordDocument(str(written["DJ-2024-001_立项表.docx"]))
    assert word.tables[0].cell(3, 1).text == "马建华"  # the split tag was filled
    assert word.element.body[0].tag.endswith("tbl")  # the organisation's layout: its table first
    assert "表格正文" in {s.name for s in word.styles}
    plan = WordDocument(str(written["DJ-2024-001_计划书.docx"]))  # no own 计划书: docgen's is used
    assert any("计划书" in p.text for p in plan.paragraphs)


def test_a_typo_is_reported_at_its_paragraph_or_cell_and_nothing_is_rendered(tmp_path):
    folder = own(tmp_path / "模板", "proposal.docx")
    as_word_saves_it(folder / "proposal.docx")
    edit_part(folder / "proposal.docx", "word/document.xml", lambda xml: xml.replace(
        "：{{ branch }}</w:t>", "：{{ brnach }}</w:t>").replace("der }}", "dr }}").replace(
        "{{ task.owner }}", "{{ task.ownr }}"))
    _, problems = api.check_templates(folder)
    found = {(p.place, p.message.split("；")[0]) for p in problems}
    assert found == {("正文第 2 段", "没有变量“brnach”"), ("第 1 个表格 第 6 行第 2 列", "没有变量“leadr”"),
                     ("第 1 个表格 第 25 行第 2 列", "“task”没有“ownr”")}, problems
    assert any("要写的可能是“branch”" in p.message for p in problems)
    assert any("要写的可能是“owner”" in p.message for p in problems)
    with pytest.raises(TemplateError, match="正文第 2 段：没有变量“brnach”"):
        api.render([valid_book().save(tmp_path / "a.xlsx")], tmp_path / "out", ["proposal"], ["docx"],
                   configured(folder), api.Options())
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.docx"))


def test_input_method_characters_and_a_loop_across_cells_are_found(tmp_path):
    folder = own(tmp_path / "模板", "plan.html", "plan.docx")
    html = (folder / "plan.html").read_text(encoding="utf-8")
    (folder / "plan.html").write_text(html.replace("{{ title }}", "｛｛ title ｝｝", 1).replace(
        "{% for task in tasks %}", "{% for task in tasks if task.owner == “马建华” %}", 1), encoding="utf-8")
    edit_part(folder / "plan.docx", "word/document.xml",
              lambda xml: xml.replace("{%tr for task in tasks %}", "{% for task in tasks %}", 1).replace(
                  "{%tr endfor %}", "{% endfor %}", 1))
    _, problems = api.check_templates(folder)
    messages = [f"{p.file} {p.place}：{p.message}" for p in problems]
    assert any(m.startswith("plan.html 第 ") and "全角括号或百分号" in m for m in messages), messages
    assert any("中文引号" in m for m in messages), messages
    assert any(m.startswith("plan.docx 第 1 个表格 第 ") and "请写成 {%tr for" in m for m in messages), messages


def test_templates_from_a_folder_cannot_reach_python(tmp_path):
    from docgen.documents import documents
    from docgen.render.pdf import PdfRenderer
    intake, _ = api.load(valid_book().save(tmp_path / "a.xlsx"), CONFIG)
    context = next(iter(documents(intake, ["proposal"], CONFIG, api.Options()))).context.model_dump()
    folder = own(tmp_path / "模板", "proposal.html")
    html = (folder / "proposal.html").read_text(encoding="utf-8")
    for hostile in ("{{ ''.__class__.__mro__ }}", "{{ name.__class__.__base__.__subclasses__() }}",
                    "{{ cycler.__init__.__globals__ }}"):
        (folder / "proposal.html").write_text(html.replace("{{ title }}", hostile, 1), encoding="utf-8")
        _, problems = api.check_templates(folder)
        assert any("以下划线开头的内部属性" in p.message for p in problems), hostile
        with pytest.raises(TemplateError, match="不允许的写法|不存在的变量"):
            PdfRenderer(own=folder).html("proposal", context)  # even unchecked, the sandbox refuses


def test_docgen_templates_check_exits_1_on_errors_and_0_on_docgens_own(tmp_path):
    folder = own(tmp_path / "模板", *[p.name for p in BUILT_IN.iterdir() if p.suffix in (".docx", ".html", ".css")])
    result = CliRunner().invoke(main, ["templates", "check", str(folder)])
    assert result.exit_code == 0 and "没有发现问题" in result.output, result.output
    (folder / "立项表.docx").write_bytes((folder / "proposal.docx").read_bytes())
    (folder / "notice.html").write_text("{{ projets }}", encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "check", str(folder)])
    assert result.exit_code == 1
    assert "错误 notice.html 第 1 行：没有变量“projets”；要写的可能是“projects”" in result.output
    assert "提醒 立项表.docx 整个文件" in result.output and "应命名为 proposal.docx" in result.output
    result = CliRunner().invoke(main, ["templates", "check"])
    assert result.exit_code == 1 and "没有指定模板文件夹" in result.output


def test_a_changed_own_template_makes_resume_render_again(tmp_path):
    import datetime as dt

    from docgen.pipeline import Settings
    folder = own(tmp_path / "模板", "proposal.docx")

    def fingerprint() -> str:
        settings = Settings.of(["proposal"], ["docx"], configured(folder), api.Options(date=dt.date(2024, 12, 23)))
        return settings.fingerprinted().fingerprint
    before = fingerprint()
    as_word_saves_it(folder / "proposal.docx")
    assert fingerprint() != before


def test_the_exported_templates_come_with_every_variables_meaning_and_check_clean(tmp_path):
    folder = tmp_path / "模板"
    result = CliRunner().invoke(main, ["templates", "export", str(folder)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in folder.iterdir()} >= {"proposal.docx", "plan.html", "document.css", "说明.md"}
    guide = (folder / "说明.md").read_text(encoding="utf-8")
    assert "## 立项表：proposal.docx、proposal.html" in guide
    assert "| 　`{{ task.owner }}` | 责任人 | 文字 | " in guide  # meaning, type and an example value
    assert re.search(r"\| `\{\{ leader \}\}` \| 项目负责人 \| 文字 \| \S+ \|", guide)
    assert CliRunner().invoke(main, ["templates", "check", str(folder)]).exit_code == 0
    again = CliRunner().invoke(main, ["templates", "export", str(folder)])
    assert again.exit_code == 1 and "没有覆盖" in again.output
    assert CliRunner().invoke(main, ["templates", "export", str(folder), "--force"]).exit_code == 0


def test_every_variable_of_every_kind_has_its_chinese_meaning():
    from docgen.documents.shapes import kind_shapes, label

    def undescribed(kind: str, shape: dict, prefix: str = "") -> list[str]:
        found = []
        for name, field in shape.items():
            if not label(kind, prefix + name):
                found.append(f"{kind}: {prefix}{name}")
            item = field[0] if isinstance(field, list) else field
            if isinstance(item, dict):
                found += undescribed(kind, item, f"{prefix}{name}.")
        return found
    assert [missing for kind, shape in kind_shapes().items() for missing in undescribed(kind, shape)] == []


# --- the department's page -----------------------------------------------------------------------

def test_the_department_uploads_a_template_sees_its_problems_and_generation_waits_for_the_fix(site):
    from webaccounts import approved, client, csrf

    app, store, tmp_path = site
    admin = client(app, "admin")
    exported = admin.get("/admin/templates/export")
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        assert "模板/说明.md" in archive.namelist() and "模板/proposal.docx" in archive.namelist()
        archive.extract("模板/proposal.docx", tmp_path)
    template = tmp_path / "模板" / "proposal.docx"
    as_word_saves_it(template)
    edit_part(template, "word/document.xml", lambda xml: xml.replace("der }}", "dr }}"))

    def upload(name: str, data: bytes):
        return admin.post("/admin/templates", data={"csrf": csrf(admin, "/admin/templates")},
                          files={"template": (name, data)})
    refused = upload("立项表.docx", template.read_bytes())
    assert refused.status_code == 400 and "不是模板的文件名" in refused.text
    page = upload("proposal.docx", template.read_bytes()).text
    assert "检查发现 1 处问题" in page and "第 1 个表格 第 6 行第 2 列：没有变量“leadr”" in page
    assert "status approved\">本单位的" in page
    approved(app, store, tmp_path)
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": "proposal",
                                               "format": "docx", "date": "2024-12-23"})
    assert response.status_code == 400 and "本单位的模板有 1 处错误，没有开始生成" in response.text
    edit_part(template, "word/document.xml", lambda xml: xml.replace("dr }}", "der }}"))
    assert "检查没有发现问题" in upload("proposal.docx", template.read_bytes()).text
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": "proposal",
                                               "format": "docx", "date": "2024-12-23"})
    job = int(response.headers["location"].rsplit("/", 1)[1])
    app.state.site.jobs.wait(job, 120)
    made = next(p for p in app.state.site.jobs.files(job) if p.endswith("立项表.docx"))
    word = WordDocument(str(app.state.site.jobs.file(job, made)))
    assert word.element.body[0].tag.endswith("tbl")  # made with the department's template
    listed = admin.get("/api/templates").json()
    assert [f["name"] for f in listed["files"] if f["own"]] == ["proposal.docx"] and listed["problems"] == []
    assert admin.delete("/api/templates/proposal.docx", headers={"X-CSRF-Token": csrf(admin, "/admin")}).status_code == 200
    assert "status approved\">本单位的" not in admin.get("/admin/templates").text


def test_a_template_written_against_a_retired_variable_is_told_why(tmp_path):
    """An own 进度报告 still printing the branch's self-reported figure, and an own 结题报告 still stating 评优资格:
    both are told that the documents no longer state these, and where the figures now live."""
    folder = own(tmp_path / "模板", "progress.html", "closing_report.html")
    progress = (folder / "progress.html").read_text(encoding="utf-8")
    (folder / "progress.html").write_text(progress.replace("</body>", "<p>{{ reported_completion }}</p></body>"),
                                          encoding="utf-8")
    closing = (folder / "closing_report.html").read_text(encoding="utf-8")
    (folder / "closing_report.html").write_text(
        closing.replace("</body>", "<p>{{ eligibility }}{% for h in history %}{{ h.reported }}{% endfor %}</p></body>"),
        encoding="utf-8")
    _, problems = api.check_templates(folder)
    messages = {(p.file, p.message) for p in problems}
    assert ("progress.html", "变量“reported_completion”已停用：文书只写按各任务完成比例算出的完成比例（completion），"
            "支部自报的比例不再印入文书") in messages, problems
    assert any(f == "closing_report.html" and m.startswith("变量“eligibility”已停用：评优资格由党建部") for f, m in messages)
    assert any(f == "closing_report.html" and m.startswith("“h”的“reported”已停用") for f, m in messages)
