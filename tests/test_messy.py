"""Honest-but-messy copies of the samples (messy.py): docgen reads what the clerk sees, or says so at that place.

Each variant is one change a clerk makes to a sample workbook; the judge compares the value docgen read
(from the Intake's records) with the value the clerk sees. A misread (another value, or none, and no issue
at that place) must never happen. Today's misreads are strict xfails named in messy.KNOWN_MISREAD, and the
outcomes that are no misread but wrong for their case (an honest value refused) in messy.KNOWN_UNEXPECTED:
when the reader is fixed, a strict xfail fails until its id is taken out. Both sets must end empty.
"""
from __future__ import annotations

import re
import zipfile

import pytest
from openpyxl import load_workbook

import messy
from docgen.issues import Issue, Location
from libreoffice import calc_available, resave_xlsx
from messy import CITY, FLAG, R, T, V, also, put


def _cases(variants, known: frozenset[str], reason: str) -> list:
    return [pytest.param(v, id=v.id, marks=[pytest.mark.xfail(strict=True, reason=reason)] if v.id in known else [])
            for v in variants]


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """Build and judge a variant once, on first use."""
    folder = tmp_path_factory.mktemp("messy")
    baseline = messy.baselines(messy.controls(folder / "controls"))
    done: dict[str, messy.Judgement] = {}

    def judge(variant: messy.Variant) -> messy.Judgement:
        if variant.id not in done:
            done[variant.id] = messy.judge(messy.build(variant, folder), baseline=baseline[variant.sample])
        return done[variant.id]
    return judge


@pytest.mark.parametrize("variant", _cases(messy.VARIANTS, messy.KNOWN_MISREAD, "docgen misreads this today"))
def test_never_misread(variant, judged):
    judgement = judged(variant)
    assert judgement.outcome not in ("misread", "crash"), judgement.describe()


@pytest.mark.parametrize("variant", _cases(messy.VARIANTS, messy.KNOWN_MISREAD | messy.KNOWN_UNEXPECTED,
                                           "docgen misreads this, or refuses an honest value, today"))
def test_outcome_is_right_for_the_case(variant, judged):
    judgement = judged(variant)
    assert judgement.outcome in variant.accept, judgement.describe()


# One plain copy per cell and value meant (many variants share them).
PLAIN = list({(p.sample, p.sheet, p.cell, repr(p.meant)): p for p in map(messy.plain, messy.VARIANTS) if p}.values())


@pytest.mark.parametrize("variant", PLAIN, ids=[p.id for p in PLAIN])
def test_the_value_meant_typed_plainly_is_read_as_meant(variant, judged):
    """Each expectation can be met: the value meant, typed plainly into the same cell, reads as meant."""
    judgement = judged(variant)
    assert judgement.outcome == "meant", judgement.describe()


def test_the_corpus_covers_every_kind_of_change():
    ids = [v.id for v in messy.VARIANTS]
    assert len(ids) == len(set(ids)) >= 150
    kinds = {kind: sum(v.kind == kind for v in messy.VARIANTS) for kind in messy.KINDS}
    assert min(kinds.values()) >= 5, kinds
    assert len(kinds) >= 14
    known = messy.KNOWN_MISREAD | messy.KNOWN_UNEXPECTED | messy.KNOWN_MISREAD_LIBREOFFICE
    assert known <= set(ids)
    assert not messy.KNOWN_MISREAD & messy.KNOWN_UNEXPECTED


# The judge itself: it must not take "no error" for "read as meant", nor any issue for "said so there".

def test_another_value_read_without_a_word_is_a_misread(judged):
    judgement = judged(V("judge-typed-95", "满意率填 95，而群众看到的是 96", R, "C4", put(95), 96.0))
    assert (judgement.outcome, judgement.read, judgement.issues) == ("misread", 95.0, [])


def test_an_issue_at_another_cell_does_not_say_so(judged):
    judgement = judged(V("judge-warned-elsewhere", "C4 填 0.5（有提示），C5 填 50 而应为 60", R, "C5",
                         also("C4", 0.5) + put(50), 60.0))
    assert [(i.location.cell, i.code) for i in judgement.issues] == [("C4", "satisfaction_ambiguous")]
    assert judgement.outcome == "misread"


def test_only_a_specific_message_at_the_place_says_so():
    built = messy.Built(V("x", "", R, "C4", put(1), FLAG), messy.ROOT, R, None, "satisfaction", ())
    at_cell = Location(sheet=R, row=4, column="C")

    def issue(code: str, where: Location = at_cell) -> Issue:
        return Issue(code, "……", where)

    assert messy.says_so(issue("percent_invalid"), built)
    assert not messy.says_so(issue("value_invalid"), built)
    assert not messy.says_so(issue("required"), built)  # the clerk sees a value in C4
    assert messy.says_so(issue("required", Location(sheet=R, row=4, column="A")), built)


def test_places_are_a_cell_a_row_a_column_or_a_sheet():
    c4, a4, c9 = (Issue("x", "", Location(sheet=R, row=r, column=c)) for c, r in (("C", 4), ("A", 4), ("C", 9)))
    whole = Issue("x", "", Location(sheet=R))
    assert [messy.Place(R, 4, "C").holds(i) for i in (c4, a4, c9, whole)] == [True, False, False, False]
    assert [messy.Place(R, 4).holds(i) for i in (c4, a4, c9, whole)] == [True, True, False, False]
    assert [messy.Place(R, column="C").holds(i) for i in (c4, a4, c9, whole)] == [True, False, True, False]
    assert [messy.Place(R).holds(i) for i in (c4, a4, c9, whole)] == [True, True, True, True]
    assert not messy.Place(T).holds(c4)


def test_the_value_is_taken_from_the_record_of_its_row_not_its_position(judged):
    """Row 4's task is refused: the value of row 5 is still row 5's (2), not the next record's."""
    judgement = judged(V("judge-row-above-refused", "上一行序号写错", T, "B5", also("B4", "第一项"), 2))
    assert judgement.read == 2
    assert ("B4", "seq_invalid") in [(i.location.cell, i.code) for i in judgement.issues]
    assert judgement.outcome == "elsewhere"


def test_a_builtin_date_format_is_written_by_its_id_alone(tmp_path):
    """What date-builtin-31 claims: the cell holds the serial, styled with numFmtId 31 and no <numFmt>."""
    built = messy.build(messy.by_id()["date-builtin-31"], tmp_path)
    with zipfile.ZipFile(built.path) as archive:
        styles = archive.read("xl/styles.xml").decode()
        sheet = archive.read(messy.Package(built.path).sheet_part(T)).decode()
    style = int(re.search(r'<c r="F7"[^>]*?s="(\d+)"', sheet)[1])
    xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)[1])
    assert 'numFmtId="31"' in xfs[style] and 'numFmtId="31" formatCode' not in styles
    assert re.search(r'<c r="F7"[^>]*><v>45565</v></c>', sheet)


def test_a_cached_formula_keeps_its_formula_and_its_value(tmp_path):
    built = messy.build(messy.by_id()["formula-cached-score"], tmp_path)
    assert load_workbook(built.path)[R]["D4"].value == "=ROUND((95+96)/2,1)"
    assert load_workbook(built.path, data_only=True)[R]["D4"].value == 95.5


# The same copies saved again by LibreOffice Calc, as a branch using it sends them.

@pytest.fixture(scope="module")
def resaved(tmp_path_factory):
    if not calc_available():
        pytest.skip("LibreOffice Calc is not installed: make test-deps")
    folder = tmp_path_factory.mktemp("messy-libreoffice")
    built = messy.build_all(messy.VARIANTS, folder / "copies")
    controls = messy.controls(folder / "controls")
    again = resave_xlsx([b.path for b in built] + list(controls.values()), folder / "libreoffice")
    baseline = messy.baselines({sample: again[path] for sample, path in controls.items()})
    return {j.variant.id: j for j in messy.judge_all(built, baseline, again)}


@pytest.mark.slow
@pytest.mark.parametrize("variant", _cases(messy.VARIANTS, messy.KNOWN_MISREAD_LIBREOFFICE,
                                           "docgen misreads this after LibreOffice today"))
def test_never_misread_after_libreoffice(variant, resaved):
    judgement = resaved[variant.id]
    assert judgement.outcome not in ("misread", "crash"), judgement.describe()


def test_the_samples_saved_unchanged_have_no_issues(tmp_path):
    assert messy.baselines(messy.controls(tmp_path)) == {CITY: [], messy.SUBSTATION: []}
