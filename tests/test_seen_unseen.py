"""Characters no one sees, in cells: one definition (cells.unseen) for the cell reader and for the web's names.
Each case is a sample workbook with one change a branch makes; the test asserts the value read and the note at
its cell."""
from __future__ import annotations

import pytest

from docgen.api import load, unseen
from docgen.intake.cells import read_cell

from tests.conftest import CONFIG
from tests.seen import changed, put

# Default-ignorable or blank-looking characters that a copy from a chat or a web page can bring along, beyond the
# zero-width spaces and direction marks: the combining grapheme joiner, the Hangul fillers (full and half width),
# the braille blank, a variation selector, a Mongolian one, a tag, an interlinear annotation anchor (the controls a workbook
# cannot hold are the reader's control_characters).
UNSEEN = ["\u034f", "\u3164", "\uffa0", "\u2800", "\ufe0f", "\u180b", "\U000e0041", "\ufff9"]


def read(path):
    return load(path, CONFIG)


def at(report, sheet, cell):
    return [(i.code, i.severity) for i in report.issues if i.location.sheet == sheet and i.location.cell == cell]


def elsewhere(report, sheet, cell):
    return [(i.location.sheet, i.location.cell, i.code) for i in report.issues
            if (i.location.sheet, i.location.cell) != (sheet, cell)]


@pytest.mark.parametrize("ch", UNSEEN, ids=lambda ch: f"U+{ord(ch):04X}")
def test_a_project_code_with_an_unseen_character_reads_as_the_plain_code_and_says_so(tmp_path, ch):
    intake, report = read(changed(tmp_path, put("项目信息!A4", f"DJ-2024-{ch}001")))
    assert at(report, "项目信息", "A4") == [("invisible_characters", "warning")]
    assert f"U+{ord(ch):04X}" in report.issues[0].message and "按“DJ-2024-001”读取" in report.issues[0].message
    assert elsewhere(report, "项目信息", "A4") == []  # the tasks, progress, results and awards of DJ-2024-001 match
    assert [p.code for p in intake.projects] == ["DJ-2024-001", "DJ-2024-002"]
    assert len(intake.tasks_of("DJ-2024-001")) == 6 and intake.result_of("DJ-2024-001").score == 95.5


@pytest.mark.parametrize("ch", ["\u034f", "\u3164", "\u2800"], ids=lambda ch: f"U+{ord(ch):04X}")
def test_two_codes_that_differ_by_an_unseen_character_are_one_code_twice(tmp_path, ch):
    intake, report = read(changed(tmp_path, put("项目信息!A5", f"DJ-2024-001{ch}")))
    assert at(report, "项目信息", "A5") == [("invisible_characters", "warning"), ("duplicate_project_code", "error")]
    assert not report.ok


@pytest.mark.parametrize("ref, field, kind", [
    ("项目信息!C4", "branch", "申报党组织"), ("项目信息!G4", "leader", "项目负责人"),
    ("项目信息!B4", "name", "项目名称"), ("项目信息!I4", "members", "项目成员"), ("项目信息!H4", "phone", "联系电话"),
], ids=["branch", "leader", "name", "members", "phone"])
def test_a_name_or_value_with_a_hangul_filler_is_read_without_it_and_said(tmp_path, ref, field, kind):
    original = getattr(read(changed(tmp_path, lambda book: None, name="plain.xlsx"))[0].projects[0], field)
    def change(book):
        cell = book[ref.split("!")[0]][ref.split("!")[1]]
        cell.value = cell.value[:2] + "\u3164" + cell.value[2:]
    intake, report = read(changed(tmp_path, change))
    assert at(report, *ref.split("!")) == [("invisible_characters", "warning")], kind
    assert getattr(intake.projects[0], field) == original


def test_an_emoji_with_its_variation_selector_in_prose_is_kept_and_not_said(tmp_path):
    def change(book):
        cell = book["项目信息"]["M4"]
        cell.value = "服务热线☎\ufe0f全天有人接听，👨\u200d👩\u200d👧群众满意。" + cell.value
    intake, report = read(changed(tmp_path, change))
    # (the emoji may lack a glyph in this machine's faces: that is glyph_missing's or glyph_style's to say, not this reader's)
    assert [code for code, _ in at(report, "项目信息", "M4") if code not in ("glyph_missing", "glyph_style")] == []
    assert not any("U+FE0F" in i.message or "U+200D" in i.message for i in report.issues)
    assert intake.projects[0].background.startswith("服务热线☎\ufe0f全天有人接听，👨\u200d👩\u200d👧群众满意。")


@pytest.mark.parametrize("ch", ["\u200b", "\u3164", "\u2800"], ids=lambda ch: f"U+{ord(ch):04X}")
def test_a_zero_width_or_blank_character_in_prose_is_taken_out_and_said(tmp_path, ch):
    def change(book):
        cell = book["任务分解"]["C4"]
        cell.value = cell.value[:4] + ch + cell.value[4:]
    intake, report = read(changed(tmp_path, change))
    assert at(report, "任务分解", "C4") == [("invisible_characters", "warning")]
    assert ch not in intake.tasks_of("DJ-2024-001")[0].content


def test_a_variation_selector_with_nothing_visible_before_it_is_said_in_prose_too():
    value, notes = read_cell("\ufe0f 开头", None, "longtext")
    assert value == " 开头" and [n.code for n in notes] == ["invisible_characters"]


@pytest.mark.parametrize("kind", ["code", "text", "list", "phone", "category", "date", "percent", "period"])
def test_every_character_unseen_knows_is_taken_out_of_a_value_cell(kind):
    """One definition: whatever the web refuses in a name, the reader takes out of a value and says."""
    found = [chr(c) for c in range(0x110000) if 0xD800 > c or c > 0xDFFF if unseen(chr(c))]
    found = [ch for ch in found if ch not in "\t\n\r"]  # line breaks lay a cell out; the models trim them
    for ch in found[::97] + UNSEEN:
        value, notes = read_cell(f"DJ-2024-{ch}001", None, kind)
        assert value == "DJ-2024-001" and [n.code for n in notes] == ["invisible_characters"], f"U+{ord(ch):04X}"


@pytest.mark.parametrize("ch", ["\ue3c1", "\U00031350"], ids=["private-use", "extension-H"])
def test_a_rare_character_the_clerk_sees_in_a_name_is_kept(tmp_path, ch):
    """A company's 生僻字 in the private-use area (drawn by its own font), or a character newer than this Python's
    Unicode (CJK Extension H), is part of the name the clerk sees: read as written, not taken out."""
    def change(book):
        book["项目信息"]["G4"].value = "张" + ch
    intake, report = read(changed(tmp_path, change))
    assert ("invisible_characters", "warning") not in at(report, "项目信息", "G4")
    assert intake.projects[0].leader == "张" + ch
    assert unseen("张" + ch) == []
