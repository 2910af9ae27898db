"""Glyph preflight: a character no face of this machine has is warned about at its cell before any PDF
is made, and `docgen fonts` tells which characters those are."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from builder import project_row, valid_book
from conftest import CONFIG
from docgen import api
from docgen.cli import main
from docgen.intake.reader import read_workbook
from docgen.render.fonts import coverage, parse_charsets
from docgen.validate.glyphs import check_glyphs, missing

COVERED_RARE = "\U00020BB7"  # 𠮷 (Extension B, in names): Noto CJK has it
# Extension B/C/G characters: the test uses the first one no face of this machine has
UNCOVERED_CANDIDATES = "\U0002A6D6\U0002EBE0\U00031350\U0002B81D"


def uncovered() -> str:
    found = coverage()
    if found is None:
        pytest.skip("本机没有 fontconfig（make test 会安装）")
    for character in UNCOVERED_CANDIDATES:
        if ord(character) not in found:
            return character
    pytest.skip("本机字体连这些扩展区的字都有")


def test_fontconfigs_character_sets_are_merged_into_ranges():
    found = parse_charsets("20-7e a0-ff\n4e00-9fff 61-62\n20bb7 100-101\n")
    assert (found.starts, found.ends) == ((0x20, 0xA0, 0x4E00, 0x20BB7), (0x7E, 0x101, 0x9FFF, 0x20BB7))
    assert 0x20BB7 in found and 0x7F not in found and 0x101 in found and 0x102 not in found
    assert found.size == 95 + 98 + 20992 + 1


def test_a_cell_with_characters_no_face_has_gets_one_warning_naming_them(tmp_path):
    covered = set(range(0x10000)) | {0x20BB7}
    path = valid_book(projects=[project_row(**{"项目负责人*": "马\U0002A6D6华\U0002A6D6", "项目名称*": "连心桥 工程\u3000",
                                               "项目口号": "服务\u200d创优\ufe0f"})]).save(tmp_path / "a.xlsx")
    issues = check_glyphs(read_workbook(path), covered)
    assert len(issues) == 1  # spaces, joiners and variation selectors are not drawn: never reported
    issue = issues[0]
    assert (issue.severity, issue.location.sheet, issue.location.cell) == ("warning", "项目信息", "G2")
    assert issue.message.startswith("项目负责人中的“\U0002A6D6”（U+2A6D6）在本机的字体中都没有，PDF 中将显示为方框")
    many = "".join(chr(0x2A6D0 + n) for n in range(7))
    assert missing(many, covered) == list(many)
    book = valid_book(projects=[project_row(**{"项目负责人*": many})]).save(tmp_path / "b.xlsx")
    shown = check_glyphs(read_workbook(book), covered)[0].message
    assert f"“{many[:5]}等”" in shown


def test_the_check_of_a_workbook_warns_at_the_cell_and_the_marked_copy_says_so(tmp_path):
    rare = uncovered()
    path = valid_book(projects=[project_row(**{"项目负责人*": f"马{COVERED_RARE}华{rare}"})]).save(tmp_path / "城关.xlsx")
    _, report = api.load(path, CONFIG)
    # 𠮷 is printed, but not in 仿宋 (FandolFang lacks it): a warning of its own (test_faces.py)
    assert [(i.code, i.location.cell) for i in report.issues] == [("glyph_missing", "G2"), ("glyph_style", "G2")]
    assert report.ok and rare in report.issues[0].message and COVERED_RARE in report.issues[1].message
    copy = load_workbook(api.annotate(report, tmp_path / "退回"))
    assert "PDF 中将显示为方框" in copy["项目信息"]["G2"].comment.text
    run = api.render([path], tmp_path / "out", ["proposal"], ["pdf"], CONFIG, api.Options())
    assert run.outcomes[0].warnings == 2 and run.outcomes[0].documents  # warnings: the documents are still made


def test_docgen_fonts_lists_the_gaps_and_checks_a_name_and_the_settings(tmp_path):
    rare = uncovered()
    result = CliRunner().invoke(main, ["fonts", "--check", f"马{COVERED_RARE}华"])
    assert result.exit_code == 0, result.output
    assert "GB 2312 字符集：共 7,445 个，全部都有" in result.output and "扩展 B U+20000–2A6DF" in result.output
    assert "本机字体没有的字" not in result.output and f"{COVERED_RARE}（U+20BB7）：正文仿宋的代用字体" in result.output
    result = CliRunner().invoke(main, ["fonts", "--check", f"马{rare}"])
    assert result.exit_code == 1 and f"本机字体没有的字：{rare}（U+{ord(rare):04X}）" in result.output
    config = tmp_path / "docgen.toml"
    config.write_text(f'[organization]\nname = "国网{rare}供电公司"\nparty_committee = "中共国网供电公司委员会"\n',
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["fonts", "--config", str(config)])
    assert result.exit_code == 1 and f"配置 organization.name 中的“{rare}”本机的字体中没有" in result.output


def test_the_web_page_colours_the_cell_and_says_why(site):
    import re

    from webaccounts import check_id, client, upload, workbook
    rare = uncovered()
    app, _, tmp_path = site
    browser = client(app, "chengguan")
    page = browser.get(f"/checks/{check_id(upload(browser, workbook(tmp_path, **{'项目负责人*': f'马{rare}'})))}").text
    assert re.search(r'<td id="s0-G2"[^>]*class="warning"', page) and "PDF 中将显示为方框" in page
    assert "没有错误" in page and "提交给党建部" in page  # a warning: it may still be handed in
