"""Read stage, per cell: the value docgen takes from a cell is the one the clerk sees, or a note says how not.

A cell holds a stored value and a number format; the clerk reads what the format makes of
the value. For each column kind of the layout this module decides the value to read
and, where what is read could differ from what is seen (a fraction that may mean a
percentage, a date showing only its month, a format that rounds digits away, an Excel
date that lost its format, characters no one can see), the notes to place at the
cell. Text and numbers are treated alike: "0.96" typed as text is as ambiguous as the
number 0.96. It knows nothing of the models' rules.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

from ..models.values import compact, parse_amount, split_list
from . import numfmt

# Characters no one sees, one definition for every cell and every name (an account, a 申报党组织, a file): every
# control, format (zero-width spaces and joiners, direction marks and overrides, the byte order mark, the soft
# hyphen), line or paragraph separator or lone surrogate ... (not a private-use code point: companies map
# their rare 生僻字 of people's names there and the clerk sees them with the company's font; nor one this
# Python's Unicode does not know yet, such as CJK Extension H, which a newer font draws) ...
_UNSEEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}
# ... and Unicode's default-ignorable code points (drawn as nothing: the combining grapheme joiner, variation
# selectors, the Hangul fillers, the Khmer inherent vowels, the Mongolian variation selectors, tags), with the
# letters that draw as a blank (the braille blank), whatever their category.
_UNSEEN_RANGES = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                  (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x2800, 0x2800),
                  (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
                  (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
# A cell keeps the controls that lay its text out as the clerk sees it (a tab, line breaks); the reader has
# already taken out the controls a workbook cannot hold (reader.has_illegal), and the models trim the rest.
_LAYOUT = frozenset("\t\n\r")
# Free prose (立项背景, 任务内容, 完成情况 ... the "longtext" columns) keeps two unseen characters where they
# belong to the character the clerk sees: a variation selector right after a visible character (U+FE0F
# makes ☎ an emoji; U+FE00–FE0F and the ideographic variation selectors U+E0100–E01EF pick a CJK glyph's
# form), and a zero-width joiner between two emoji (👨‍👩‍👧 is one picture). Taking them out would change
# what is shown, and prose is never compared, so nothing is misread by keeping them. A selector or joiner
# anywhere else, and every other unseen character, is taken out of prose too and said at the cell. Every
# other column (codes, numbers, dates, phones, 申报党组织, names of people and units, list items, categories,
# file names) is compared or parsed: there every unseen character is taken out and said.
_PROSE = {"longtext"}
_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_JOINER = "\u200d"
_NUMERIC = {"seq", "percent", "score", "amount"}
_TEXTUAL = {"code", "text", "longtext", "list", "phone", "category", "conclusion"}
# A General number in a date column between these serials is a date that lost its format (1950–2100).
_SERIAL_RANGE = (18264, 73051)


@dataclass(frozen=True)
class Note:
    """An issue to place at the cell read: its code and the context of its message."""

    code: str
    ctx: dict[str, Any]


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def plain(number: float) -> str:
    """A number as a clerk writes it: 96, 0.96, 95.5 (no float noise)."""
    number = float(number)
    if number.is_integer():
        return str(int(number))
    return f"{number:.10g}"


def read_cell(value: Any, number_format: str | None, kind: str) -> tuple[Any, list[Note]]:
    """The value to read from a cell of a column of `kind`, and the notes to place at it."""
    value, notes = _read(value, number_format, kind)
    if kind == "amount" and not any(n.code == "amount_in_yuan" for n in notes):
        _large_amount(value, notes)
    return value, notes


AMOUNT_LARGE = 100  # 万元: a Party-building project's budget above this is most likely written in 元


def _large_amount(value: Any, notes: list[Note]) -> None:
    """An amount of 100 万元 or more: most likely written in 元 under a header in 万元."""
    try:
        number = parse_amount(value)
    except PydanticCustomError:
        return  # not an amount, or out of range: the model says so
    if number is not None and number >= AMOUNT_LARGE:
        notes.append(Note("amount_large", {"value": plain(number), "yuan": f"{number * 10000:,.0f}",
                                           "wan": plain(round(number / 10000, 4))}))


def _read(value: Any, number_format: str | None, kind: str) -> tuple[Any, list[Note]]:
    notes: list[Note] = []
    if isinstance(value, str):
        value = _visible(value, kind, notes)
        if kind == "percent":
            return _percent_text(value, notes), notes
        if kind == "list":
            _list_unclear(value, notes)
        if kind == "amount":
            _yuan_text(value, notes)
        return value, notes
    if isinstance(value, (dt.datetime, dt.date)):
        return _dated(value, number_format, kind, notes), notes
    if not is_number(value):
        return value, notes
    if not math.isfinite(value):
        return value, notes
    if kind == "date":
        return _serial(value, number_format, notes), notes
    if kind in _NUMERIC:
        return _number(value, number_format, kind, notes), notes
    if kind in _TEXTUAL or kind == "period":
        shown = numfmt.show(value, number_format)
        if shown is None:
            notes.append(Note("format_unknown", {"format": number_format, "value": numfmt.general(value)}))
            return value, notes
        return shown, notes
    return value, notes


def _visible(text: str, kind: str, notes: list[Note]) -> str:
    """The text without the characters no one sees, named in a note at the cell (in prose, the selectors and
    joiners that belong to a visible character stay: see _PROSE)."""
    kept_in_prose = kind in _PROSE
    hidden = {i for i, ch in enumerate(text) if ch not in _LAYOUT and _unseen(ch)
              and not (kept_in_prose and _part_of_glyph(text, i))}
    if not hidden:
        return text
    read = "".join(ch for i, ch in enumerate(text) if i not in hidden)
    leading = len(read) - len(read.lstrip())  # the note quotes the text trimmed, as the models keep it
    notes.append(Note("invisible_characters", {"codes": unseen_names(sorted({text[i] for i in hidden})),
                                               "value": _excerpt(read.strip(), min(hidden) - leading)}))
    return read


def _part_of_glyph(text: str, i: int) -> bool:
    """Whether the unseen text[i] shapes the visible character before it: a variation selector after a
    visible character, a zero-width joiner between two emoji (each perhaps with its selector or skin tone)."""
    ch = text[i]
    if _selector(ch):
        return i > 0 and not text[i - 1].isspace() and not _unseen(text[i - 1])
    if ch != _JOINER:
        return False
    before = text[i - 2] if i >= 2 and _selector(text[i - 1]) else text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return _emoji(before) and _emoji(after)


def _selector(ch: str) -> bool:
    return any(low <= ord(ch) <= high for low, high in _SELECTORS)


def _emoji(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch) in {"So", "Sk"}  # pictographs and the skin tones


_EXCERPT = 30  # characters of a long text that the note quotes around the first one taken out


def _excerpt(text: str, at: int) -> str:
    """The text read, or, when long (prose), the part of it around where the first unseen character was."""
    if len(text) <= 2 * _EXCERPT:
        return text
    at = max(0, at)
    start = max(0, at - _EXCERPT)
    part = text[start:at + _EXCERPT]
    return ("…" if start else "") + part + ("…" if at + _EXCERPT < len(text) else "")


def _unseen(ch: str) -> bool:
    """Whether `ch` takes no room on screen or steers the direction of the text (the definition of unseen)."""
    code = ord(ch)
    return (unicodedata.category(ch) in _UNSEEN_CATEGORIES
            or any(low <= code <= high for low, high in _UNSEEN_RANGES))


def unseen(text: str) -> list[str]:
    """The characters of `text` that take no room on screen or steer its direction, each once, in order."""
    return sorted({ch for ch in text if _unseen(ch)})


def without_unseen(text: str) -> str:
    """`text` without the characters unseen() finds."""
    return "".join(ch for ch in text if not _unseen(ch))


def unseen_names(found: list[str]) -> str:
    """The characters as a clerk is told of them: U+200B（零宽空格）、…"""
    return "、".join(f"U+{ord(ch):04X}（{_invisible_name(ch)}）" for ch in found)


def _invisible_name(ch: str) -> str:
    names = {"\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\ufeff": "字节顺序标记",
             "\u00ad": "软连字符", "\u2060": "字连接符", "\u200e": "从左到右标记", "\u200f": "从右到左标记",
             "\u202d": "从左到右覆盖", "\u202e": "从右到左覆盖", "\u034f": "组合用字素连接符",
             "\u3164": "韩文填充符", "\uffa0": "半角韩文填充符", "\u115f": "韩文初声填充符",
             "\u1160": "韩文中声填充符", "\u2800": "盲文空白", "\u17b4": "高棉文元音符", "\u17b5": "高棉文元音符",
             "\u180e": "蒙古文元音分隔符"}
    code = ord(ch)
    if ch in names:
        return names[ch]
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return "变体选择符"
    if 0x180B <= code <= 0x180F:
        return "蒙古文变体选择符"
    if 0xE0000 <= code <= 0xE007F:
        return "标签字符"
    return unicodedata.name(ch, "格式字符").lower()


def _percent_text(text: str, notes: list[Note]) -> Any:
    """A percentage typed as text: "96%" is 96; "0.96" is as ambiguous as the number 0.96."""
    plain_text = compact(text)
    if plain_text.endswith("%"):
        return text
    try:
        number = float(plain_text)
    except ValueError:
        return text
    _ambiguous(number, notes)
    return text


def _ambiguous(number: float, notes: list[Note]) -> None:
    if 0 < number <= 1:
        notes.append(Note("percent_ambiguous", {"value": plain(number), "scaled": plain(round(number * 100, 6))}))


def _number(value: float, number_format: str | None, kind: str, notes: list[Note]) -> Any:
    shown = numfmt.shown_number(value, number_format)
    if shown is None:
        notes.append(Note("format_unknown", {"format": number_format, "value": numfmt.general(value)}))
        if kind == "percent":
            _ambiguous(value, notes)
        return value
    text = numfmt.show(value, number_format) or plain(shown.number)
    if kind == "percent":
        read = round(value * 100, 9) if shown.scaled else value
        if not shown.scaled and not shown.percent_sign:
            _ambiguous(value, notes)
    else:
        if shown.scaled:
            notes.append(Note("number_as_percent", {"shown": text, "number": plain(value)}))
            return value
        if kind == "amount" and _YUAN.search(text):
            notes.append(Note("amount_in_yuan", {"shown": text, "wan": plain(round(value / 10000, 4))}))
            return value
        read = value
    if not shown.exact:
        unit = "%" if kind == "percent" else ""
        notes.append(Note("number_rounded", {"shown": text, "value": plain(read) + unit}))
    return read


# An amount shown in 元 (not 万元) in a column of 万元.
_YUAN = re.compile(r"(?<!万)元")


def _yuan_text(text: str, notes: list[Note]) -> None:
    """An amount typed with 元 (not 万元) in a column of 万元: "80000元"."""
    plain_text = compact(text)
    m = re.fullmatch(r"([0-9.,]+)元", plain_text)
    if m and _YUAN.search(plain_text):
        try:
            yuan = float(m.group(1).replace(",", ""))
        except ValueError:
            return
        notes.append(Note("amount_in_yuan", {"shown": text.strip(), "wan": plain(round(yuan / 10000, 4))}))


def _list_unclear(text: str, notes: list[Note]) -> None:
    """A list that split_list keeps as one item with spaces inside ("王 堃": one name padded, or two?)."""
    parts = split_list(text)
    if len(parts) == 1 and re.search(r"[\s\u3000]", parts[0]):
        notes.append(Note("list_unclear", {"value": parts[0]}))


def _serial(value: float, number_format: str | None, notes: list[Note]) -> Any:
    """A number in a date column: an Excel date that lost its format, or not a date at all."""
    if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1] and float(value).is_integer():
        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        notes.append(Note("date_serial", {"value": plain(value), "date": day.isoformat(),
                                          "written": f"{day.year}年{day.month}月{day.day}日"}))
        return None
    return value


def _dated(value: dt.date, number_format: str | None, kind: str, notes: list[Note]) -> Any:
    """A date cell: a date column reads it when the format shows it whole; a text or period column reads what
    it shows."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if kind == "date":
        parts = numfmt.date_parts(number_format)
        if parts and not {"y", "m", "d"} <= parts:
            shown = numfmt.show(value, number_format) or ""
            notes.append(Note("date_partly_shown", {"shown": shown, "value": day.isoformat(),
                                                    "hidden": "、".join(_HIDDEN[p] for p in "ymd" if p not in parts)}))
        return value
    if kind == "period":
        parts = numfmt.date_parts(number_format)
        if "d" in parts or not parts:
            notes.append(Note("period_from_date", {"shown": numfmt.show(value, number_format) or day.isoformat(),
                                                   "label": f"{day.year}年{day.month}月"}))
        return value
    shown = numfmt.show(value, number_format)
    if shown is None:
        notes.append(Note("format_unknown", {"format": number_format, "value": day.isoformat()}))
        return value
    return shown


_HIDDEN = {"y": "年份", "m": "月份", "d": "日"}
