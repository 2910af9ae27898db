"""Excel number formats applied as a spreadsheet shows them: known cases, and LibreOffice Calc as a second eye."""
from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import libreoffice
from docgen.intake.numfmt import ZH_CN_BUILTIN, date_parts, show, shown_number


@pytest.mark.parametrize("value, code, text", [
    (0.96, "0%", "96%"), (0.955, "0%", "96%"), (0.5, "0.0%", "50.0%"), (80, '0"%"', "80%"), (80, r"0\%", "80%"),
    (0.96, "General", "0.96"), (1234567, "#,##0", "1,234,567"), (1234567.891, "#,##0.00", "1,234,567.89"),
    (7, "000", "007"), (1234567, "000-0000", "123-4567"), (5000, "0,", "5"), (5, '0.00"万元"', "5.00万元"),
    (-3, "0;(0)", "(3)"), (0, '0;-0;"零"', "零"), (13912345678, "0", "13912345678"), (2.5, "#.##", "2.5"),
    (2, "#.##", "2."), (1234.5, "[$¥-804]#,##0.00", "¥1,234.50"), (0.125, "0.00", "0.13"),  # half away from zero
    (45356, 'yyyy"年"m"月"d"日"', "2024年3月5日"),
])
def test_known_displays(value, code, text):
    assert show(value, code) == text


@pytest.mark.parametrize("moment, code, text", [
    (dt.datetime(2024, 3, 5), ZH_CN_BUILTIN[31], "2024年3月5日"),
    (dt.datetime(2024, 3, 5), ZH_CN_BUILTIN[57], "2024年3月"),
    (dt.datetime(2024, 3, 5), ZH_CN_BUILTIN[58], "3月5日"),
    (dt.datetime(2024, 3, 5, 14, 7), "yyyy/m/d h:mm AM/PM", "2024/3/5 2:07 PM"),
    (dt.datetime(2024, 3, 5, 14, 7), ZH_CN_BUILTIN[35], "下午2时07分00秒"),
    (dt.datetime(2024, 3, 5), '[$-804]yyyy"年"m"月"d"日" dddd', "2024年3月5日 星期二"),
])
def test_known_dates(moment, code, text):
    assert show(moment, code) == text


@pytest.mark.parametrize("code, parts", [
    ("yyyy-mm-dd", {"y", "m", "d"}), ('yyyy"年"m"月"', {"y", "m"}), ("m/d", {"m", "d"}), ("h:mm", {"t"}),
    ("yyyy-mm-dd hh:mm:ss", {"y", "m", "d", "t"}), ("0.00", set()), ("General", set()),
])
def test_which_parts_a_date_shows(code, parts):
    assert date_parts(code) == parts


def test_a_percent_sign_scales_only_when_it_is_the_format_s_own():
    assert shown_number(0.8, "0%").scaled and shown_number(0.8, "0%").number == 80
    for literal in ('0"%"', r"0\%"):
        shown = shown_number(80, literal)
        assert shown.percent_sign and not shown.scaled and shown.number == 80


def test_formats_beyond_the_implemented_say_so():
    for code in ("# ?/?", "0.00E+00", "[>=100]0;0.0", "[DBNum1]0"):
        assert show(96, code) is None


# The same cells as LibreOffice Calc shows them (its CSV export writes each cell as formatted). Where Excel and
# Calc differ, docgen follows Excel: a trailing decimal point ("#.##" shows "2."), a negative figure rounded to
# zero keeps its sign, General shows at most ten decimals; and month names and 上午/下午 are the locale's.
FORMATS = ["General", "0", "0.0", "0.00", "#,##0", "#,##0.00", "0%", "0.0%", "0.00%", '0"%"', r"0\%", '0.0"%"',
           "000", "000-0000", '0.00"万元"', "0;(0)", '0;-0;"零"', "0,", "0.0,", "#,##0,", '"第"0"期"',
           "0.00_);(0.00)", "[Red]0.0", "[$¥-804]#,##0.00", "#,##0.00_ ", "0.0_ ;[Red]-0.0 "]
VALUES = [0, 1, 0.5, 0.96, 0.955, 0.9549, 95.5, 96, 100, 1234567.891, 7, -3, 0.0001, 12345, 2.5, 2, 13912345678]
DATE_FORMATS = ["yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "yyyy/m/d", "m/d/yy", 'yyyy"年"m"月"', 'm"月"d"日"',
                "yyyy-mm-dd hh:mm", "yyyy/m/d h:mm AM/PM", "dd.mm.yyyy", "yy-m-d"]
DATES = [dt.datetime(2024, 3, 5), dt.datetime(2024, 12, 31, 14, 7), dt.datetime(2024, 11, 9, 9, 5)]


@pytest.mark.skipif(not libreoffice.calc_available(), reason="LibreOffice Calc is not installed")
def test_displays_agree_with_libreoffice_calc():
    cases = [(v, f) for f in FORMATS for v in VALUES if not (v < 0 and f.endswith(","))]  # -0 (see above)
    cases += [(d, f) for f in DATE_FORMATS for d in DATES]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        book = Workbook()
        for row, (value, code) in enumerate(cases, start=1):
            book.active.cell(row, 1, value).number_format = code
        book.save(root / "cases.xlsx")
        subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(root / 'profile').as_uri()}",
                        "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
                        "--outdir", str(root), str(root / "cases.xlsx")],
                       check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(root)})
        with (root / "cases.csv").open(encoding="utf-8") as handle:
            calc = [line[0] if line else "" for line in csv.reader(handle)]
    assert len(calc) == len(cases)
    differ = [(value, code, show(value, code), shown) for (value, code), shown in zip(cases, calc)
              if (show(value, code) or "").strip() != shown.strip()]
    assert differ == []
