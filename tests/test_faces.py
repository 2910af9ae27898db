"""Faces: a character the substitute face of its style lacks is drawn in a face of the same style when
one is installed, and said otherwise (`docgen fonts --check`, the glyph preflight at the cell)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner

from builder import award_row, full_book, project_row
from conftest import CONFIG, OPTIONS
from docgen import api
from docgen.cli import main
from docgen.documents import documents
from docgen.render.fonts import ROLE_BY_KEY, faces

KAI_FACES = ("Kai", "楷")  # a PDF font name of a 楷 face: AR-PL-KaitiM-GB, AR-PL-UKai-CN, docgen-Kai, KaiTi …


def _drawn_faces(pdf: bytes, characters: str) -> dict[str, set[str]]:
    """Each of `characters` → the PDF font names it is drawn with (subset prefix removed)."""
    found: dict[str, set[str]] = {c: set() for c in characters}
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for char in page.chars:
                if char["text"] in found:
                    found[char["text"]].add(char["fontname"].split("+", 1)[-1])
    return found


def _fang_lacks(character: str) -> bool:
    """Whether no 仿宋 face of this machine has the character (read from fontconfig, not through faces())."""
    known = faces()
    if known is None:
        pytest.skip("本机没有 fontconfig")
    own = [name for name in ROLE_BY_KEY["fang"].own if name in known.charsets]
    if not own:
        pytest.skip("本机没有仿宋字体")
    return not any(ord(character) in known.charsets[name] for name in own)


def _is_kai(name: str) -> bool:
    return any(mark in name for mark in KAI_FACES)


@pytest.fixture(scope="module")
def rare_book(tmp_path_factory):
    """A workbook whose leader, certificate recipient and project name hold 堃 and 赟 (outside GB 2312)."""
    folder = tmp_path_factory.mktemp("rare")
    return full_book(projects=[project_row(**{"项目负责人*": "王堃", "项目名称*": "赵赟连心桥服务工程"})],
                     awards=[award_row(recipient="王堃赵赟")]).save(folder / "城关.xlsx")


@pytest.fixture(scope="module")
def rare_pdfs(rare_book, renderers):
    intake, report = api.load(rare_book, CONFIG)
    assert report.ok
    made = {}
    for document in documents(intake, ["plan", "certificate"], CONFIG, OPTIONS):
        made[document.kind] = renderers.render("pdf", document.kind, document.context.model_dump(), document.metadata)
    return made


def test_the_date_zero_and_rare_name_characters_of_a_certificate_stay_kai(rare_pdfs):
    drawn = _drawn_faces(rare_pdfs["certificate"], "〇堃赟二")
    assert all(drawn.values()), drawn
    for character, names in drawn.items():
        assert all(_is_kai(name) for name in names), f"{character} drawn with {names}, not a 楷 face"


def test_the_zero_of_the_date_sits_on_the_line_of_its_neighbours(rare_pdfs):
    with pdfplumber.open(io.BytesIO(rare_pdfs["certificate"])) as document:
        chars = document.pages[0].chars
    zero = next(c for c in chars if c["text"] == "〇")
    two = next(c for c in chars if c["text"] == "二" and abs(c["top"] - zero["top"]) < 10)
    assert abs(zero["bottom"] - two["bottom"]) < 0.5, (zero["bottom"], two["bottom"])


def test_what_the_pdf_draws_is_what_the_faces_say(rare_pdfs):
    """The body's 堃 comes from the face fonts.faces() names for 仿宋: the check below reports what the PDF does."""
    known = faces()
    if known is None:
        pytest.skip("本机没有 fontconfig")
    expected = known.face_of(ROLE_BY_KEY["fang"], "堃")
    drawn = _drawn_faces(rare_pdfs["plan"], "堃")["堃"]
    assert drawn, "堃 is not in the plan"
    family = expected.replace(" ", "") if expected else ""
    assert all(name.replace("-", "").startswith(family[:10]) or "docgen" in name for name in drawn), (drawn, expected)
    changes = [c for c in known.style_changes("王堃", ("fang",)) if c.character == "堃"]
    assert bool(changes) == _fang_lacks("堃")


def test_fonts_check_names_each_character_that_changes_style():
    if not _fang_lacks("堃"):
        pytest.skip("本机的仿宋字体含“堃”")
    result = CliRunner().invoke(main, ["fonts", "--check", "王堃赵赟二〇二四"])
    output = result.output
    assert "都有，且都用" not in output
    for character in "堃赟":
        line = next(line for line in output.splitlines() if line.strip().startswith(f"{character}（U+"))
        assert "正文仿宋的代用字体" in line and "宋体（Noto Serif CJK SC）" in line, line
    assert not any(line.strip().startswith("〇（U+") for line in output.splitlines())  # 楷 has it: AR PL UKai CN


def test_fonts_check_of_common_characters_says_all_are_there():
    result = CliRunner().invoke(main, ["fonts", "--check", "王建华二〇二四"])
    assert "“王建华二〇二四”中的字本机的字体都有，且都用各类文字本身的字体显示" in result.output


def test_the_preflight_warns_at_the_cell_whose_characters_change_style(rare_book):
    if not _fang_lacks("堃"):
        pytest.skip("本机的仿宋字体含“堃”")
    _, report = api.load(rare_book, CONFIG)
    styled = [i for i in report.issues if i.code == "glyph_style"]
    cells = {(i.location.sheet, i.location.cell) for i in styled}
    assert ("项目信息", "G2") in cells  # 项目负责人 王堃
    assert ("项目信息", "B2") in cells  # 项目名称 赵赟…
    assert ("表彰", "B2") in cells  # 获奖对象 王堃赵赟, printed in the 台账 in 仿宋
    leader = next(i for i in styled if i.location.cell == "G2" and i.location.sheet == "项目信息")
    assert leader.severity == "warning"
    assert "项目负责人中的“堃”在正文仿宋的代用字体" in leader.message and "宋体" in leader.message
    assert not any("二级标题楷体" in i.message for i in styled)  # 楷 has 堃 and 赟 (AR PL UKai CN)


TEMPLATES = Path(__file__).parent.parent / "templates"


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.docx")), ids=lambda p: p.stem)
def test_every_word_template_mirrors_its_margins(template):
    with zipfile.ZipFile(template) as package:
        settings = package.read("word/settings.xml").decode("utf-8")
    assert "<w:mirrorMargins/>" in settings


def test_install_aliases_writes_the_users_fontconfig_file_and_never_a_strangers(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    result = CliRunner().invoke(main, ["fonts", "--install-aliases"])
    target = tmp_path / ".config" / "fontconfig" / "conf.d" / "60-docgen-aliases.conf"
    assert result.exit_code == 0 and f"已写出字体映射文件：{target}" in result.output
    text = target.read_text(encoding="utf-8")
    for name, face in (("仿宋_GB2312", "FandolFang"), ("楷体_GB2312", "AR PL KaitiM GB"), ("方正小标宋简体", "Noto Serif CJK SC"),
                       ("黑体", "Noto Sans CJK SC"), ("宋体", "Noto Serif CJK SC"), ("SimHei", "Noto Sans CJK SC")):
        assert f"<family>{name}</family><accept><family>{face}</family>" in text, name
    assert "--" not in text.split("<fontconfig>")[0].split("<!--", 1)[1].rsplit("-->", 1)[0]  # a valid XML comment
    assert "已更新字体映射文件" in CliRunner().invoke(main, ["fonts", "--install-aliases"]).output
    stranger = tmp_path / "mine.conf"
    stranger.write_text("<fontconfig/>", encoding="utf-8")
    refused = CliRunner().invoke(main, ["fonts", "--install-aliases", "--aliases-file", str(stranger)])
    assert refused.exit_code == 1 and "不是 docgen 写的" in refused.output and "没有改动它" in refused.output
    assert stranger.read_text(encoding="utf-8") == "<fontconfig/>"
    forced = CliRunner().invoke(main, ["fonts", "--install-aliases", "--aliases-file", str(stranger), "--force"])
    assert forced.exit_code == 0 and "FandolFang" in stranger.read_text(encoding="utf-8")
